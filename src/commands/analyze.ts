import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import type { AnalyzeResult } from '../lib/engine/analysis-result.js';
import { renderAnalyze } from '../lib/output/analyze-view.js';
import { runAnalyze } from '../lib/tasks/analyze.js';

export default class Analyze extends BaseCommand {
  static override summary = 'Analyse pcap/pcapng captures: calls, ladders, RTP quality, RFC 6076 metrics.';
  static override description =
    'Reads one or more capture files (pcap, nanosecond pcap, pcapng, gzip-compressed, or - for stdin), ' +
    'merges them in time order and reports SIP messages, calls (CDR-like rows), RFC 6076 metrics, ' +
    'registrations, the endpoints seen, RTP streams with tshark-compatible statistics and E-model MOS.';
  static override aliases = ['analyze-pcap'];
  static override strict = false;
  static override examples = [
    '<%= config.bin %> <%= command.id %> call.pcap',
    '<%= config.bin %> <%= command.id %> call.pcap --ladder 3c2a1b@10.0.0.1',
    '<%= config.bin %> <%= command.id %> a.pcapng b.pcap.gz --json > report.json',
    'tcpdump -w - -i eth0 udp | <%= config.bin %> <%= command.id %> -',
  ];
  static override args = {
    file: Args.string({ description: 'capture file(s); - reads stdin', required: true }),
  };
  static override flags = {
    ladder: Flags.string({ description: 'print the SIP ladder (sequence diagram) of this Call-ID' }),
    'call-id': Flags.string({ description: 'report only this call (its SIP and its media)' }),
    since: Flags.string({ description: 'ignore frames before this time (ISO 8601, epoch seconds, or +SECONDS from the first frame)' }),
    until: Flags.string({ description: 'ignore frames after this time (same forms as --since)' }),
    'rtp-heuristic': Flags.boolean({ description: 'find RTP on UDP flows no SDP announced', default: true, allowNo: true }),
  };

  async run(): Promise<AnalyzeResult> {
    const { argv, flags } = await this.parse(Analyze);
    this.ui.startSpinner('reading capture');
    const { result, warnings } = await runAnalyze({
      files: argv as string[],
      ladderCallId: flags.ladder,
      callId: flags['call-id'],
      since: flags.since,
      until: flags.until,
      rtpHeuristic: flags['rtp-heuristic'],
      onProgress: (p) => this.ui.updateSpinner(`reading capture: ${p.frames} frames`),
    });
    this.ui.stopSpinner();
    this.addWarnings(warnings);
    if (!this.jsonEnabled()) {
      process.stdout.write(renderAnalyze(result, this.ui.colour));
      this.printWarnings();
    }
    return result;
  }
}
