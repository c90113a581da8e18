/** `voipdiag report` → GitHub-flavoured Markdown: a verdict line, the profile, a table of checks. Pure. */
import type { JudgeReport, Verdict } from '../report/checks.js';
import { measuredText, profileText, summaryText, thresholdText, VERDICT_WORD, whereText } from './report-common.js';

const ICON: Readonly<Record<Verdict, string>> = { pass: '✅', warn: '⚠️', fail: '❌' };

/** Table cells: pipes escaped, no line breaks. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderReportMarkdown(r: JudgeReport): string {
  const lines: string[] = [];
  lines.push('# voipdiag report', '');
  lines.push(`**${ICON[r.verdict]} ${summaryText(r)}**`, '');
  lines.push(`- Profile: ${mdCell(profileText(r))}`);
  for (const i of r.inputs) lines.push(`- Input: \`${mdCell(i.file)}\` (${i.command})`);
  lines.push('');
  if (r.checks.length > 0) {
    lines.push('| verdict | check | measured | threshold | file | scope | where |');
    lines.push('| --- | --- | ---: | ---: | --- | --- | --- |');
    for (const c of r.checks) {
      lines.push(
        `| ${ICON[c.verdict]} ${VERDICT_WORD[c.verdict]} | \`${c.key}\` | ${mdCell(measuredText(c))} | ${mdCell(thresholdText(c))} | ${mdCell(c.file)} | ${mdCell(c.scope)} | ${mdCell(whereText(c))} |`,
      );
    }
  } else {
    lines.push('No checks: no measured value matched a key of the profile.');
  }
  if (r.unmeasured.length > 0) lines.push('', `Not measured: ${r.unmeasured.map((k) => `\`${k}\``).join(', ')}`);
  return lines.join('\n') + '\n';
}
