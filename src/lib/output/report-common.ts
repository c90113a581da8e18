/** Shared pieces of the `report` renderers (text, Markdown, HTML, JUnit): pure string helpers. */
import type { JudgeReport, ReportCheck, Verdict } from '../report/checks.js';
import { formatValue } from '../report/keys.js';

export const VERDICT_WORD: Readonly<Record<Verdict, string>> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

export function measuredText(c: ReportCheck): string {
  return formatValue(c.key, c.measured);
}

/** "≤ 50 ms" / "≥ 98 %". */
export function thresholdText(c: ReportCheck): string {
  return `${c.kind === 'max' ? '≤' : '≥'} ${formatValue(c.key, c.threshold)}`;
}

/** "mixed.json, capture, stream s4 …" — and how many values were judged when more than one. */
export function whereText(c: ReportCheck): string {
  const many = c.samples > 1 ? ` (worst of ${c.samples}${c.breaches > 0 ? `, ${c.breaches} breach` : ''})` : '';
  return `${c.subject}${many}`;
}

export function profileText(r: Pick<JudgeReport, 'profile'>): string {
  const p = r.profile;
  return p.source === 'built-in' ? `${p.name} (built-in)` : `${p.name} (${p.source}, overriding built-in ${p.base})`;
}

export function summaryText(r: JudgeReport): string {
  const { pass, warn, fail } = r.counts;
  return `${VERDICT_WORD[r.verdict]}: ${fail} failed, ${warn} warning${warn === 1 ? '' : 's'}, ${pass} passed (${r.checks.length} check${r.checks.length === 1 ? '' : 's'})`;
}
