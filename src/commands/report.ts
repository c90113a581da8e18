import { Args, Flags } from '@oclif/core';
import { Chalk } from 'chalk';
import { BaseCommand } from '../cli/base-command.js';
import type { JudgeReport, ReportResult } from '../lib/report/checks.js';
import { renderReportHtml } from '../lib/output/report-html.js';
import { renderReportJunit } from '../lib/output/report-junit.js';
import { renderReportMarkdown } from '../lib/output/report-markdown.js';
import { renderReportText, renderShowProfileText } from '../lib/output/report-text.js';
import { runReport, runShowProfile, writeReportFile } from '../lib/tasks/report.js';

export default class Report extends BaseCommand {
  static override summary = 'Judge voipdiag JSON results against a thresholds profile.';
  static override description =
    'Reads one or more --json outputs of analyze, capture, probe, trace or mos (- reads stdin), takes the measured ' +
    'values per threshold key (rtt_ms, loss_pct, jitter_ms, mos_min, srd_ms, setup_ms, rrd_ms, sdd_ms, ser_min, ner_min, ' +
    'hop_loss_pct, tls_days_min), judges the worst value of each key in each file, target or trace against the profile, ' +
    'and prints pass/warn/fail per check with an overall verdict. A check warns when it passes within 20 % of an upper limit ' +
    '(or close above a lower one). Exit 0: all pass (warnings included); 5: a threshold was breached; 3: an input is not a ' +
    'voipdiag JSON envelope; 2: unknown profile.';
  static override strict = false;
  static override examples = [
    '<%= config.bin %> <%= command.id %> analyze.json --profile pbx',
    '<%= config.bin %> <%= command.id %> probe.json trace.json --profile ucaas --format html --output site.html',
    '<%= config.bin %> analyze call.pcap --json | <%= config.bin %> <%= command.id %> - --format junit > voip-junit.xml',
    '<%= config.bin %> <%= command.id %> --show-profile teams-direct-routing',
    '<%= config.bin %> <%= command.id %> --show-profile ./our-limits.yaml --json',
  ];
  static override args = {
    file: Args.string({ description: 'voipdiag --json output file(s); - reads stdin' }),
  };
  static override flags = {
    profile: Flags.string({ char: 'p', description: 'thresholds profile: default, ucaas, pbx, teams-direct-routing, or a YAML file overriding one', default: 'default' }),
    format: Flags.string({ char: 'f', description: 'output format', options: ['text', 'markdown', 'html', 'junit'], default: 'text' }),
    output: Flags.string({ char: 'o', description: 'write the formatted report to this file instead of stdout' }),
    'show-profile': Flags.string({ description: 'print the keys and values in force for this profile (built-in name or YAML file) and exit' }),
  };

  async run(): Promise<ReportResult> {
    const { argv, flags } = await this.parse(Report);
    if (flags['show-profile'] !== undefined) {
      const shown = await runShowProfile(flags['show-profile']);
      if (!this.jsonEnabled()) process.stdout.write(renderShowProfileText(shown));
      return shown;
    }
    const { result, warnings } = await runReport({ files: argv as string[], profile: flags.profile });
    this.addWarnings(warnings);
    if (result.verdict === 'fail') this.breach();
    const text = this.render(result, flags.format, flags.output !== undefined);
    if (flags.output !== undefined) await writeReportFile(flags.output, text);
    else if (!this.jsonEnabled()) process.stdout.write(text);
    this.printWarnings();
    return result;
  }

  /** Text goes to a file without colour codes. */
  private render(result: JudgeReport, format: string, toFile: boolean): string {
    if (format === 'markdown') return renderReportMarkdown(result);
    if (format === 'html') return renderReportHtml(result);
    if (format === 'junit') return renderReportJunit(result);
    return renderReportText(result, toFile ? new Chalk({ level: 0 }) : this.ui.colour);
  }
}
