/**
 * `voipdiag report` → text: one table of checks (verdict, check, measured, threshold, where),
 * then the overall verdict. Pure: colour comes in as a Chalk instance (level 0 in tests).
 */
import type { ChalkInstance } from 'chalk';
import type { JudgeReport, ShowProfileReport, Verdict } from '../report/checks.js';
import { formatValue } from '../report/keys.js';
import { measuredText, profileText, summaryText, thresholdText, VERDICT_WORD, whereText } from './report-common.js';
import { renderKeyValues, renderTable } from './table.js';

function paint(colour: ChalkInstance, v: Verdict): (s: string) => string {
  return v === 'fail' ? colour.red.bold : v === 'warn' ? colour.yellow : colour.green;
}

export function renderReportText(r: JudgeReport, colour: ChalkInstance): string {
  const out: string[] = [];
  out.push(colour.bold('Report'));
  out.push(
    renderKeyValues([
      ['profile', profileText(r)],
      ['inputs', r.inputs.map((i) => `${i.file} (${i.command})`).join(', ') || 'none'],
    ]),
  );
  out.push('');
  if (r.checks.length > 0) {
    out.push(
      renderTable(
        [{ header: 'verdict' }, { header: 'check' }, { header: 'measured', align: 'right' }, { header: 'threshold', align: 'right' }, { header: 'file / scope' }, { header: 'where' }],
        r.checks.map((c) => [paint(colour, c.verdict)(VERDICT_WORD[c.verdict]), c.key, measuredText(c), thresholdText(c), `${c.file} / ${c.scope}`, whereText(c)]),
      ),
    );
  } else {
    out.push('No checks: no measured value matched a key of the profile.');
  }
  if (r.unmeasured.length > 0) out.push(`Not measured: ${r.unmeasured.join(', ')}`);
  out.push('');
  out.push(paint(colour, r.verdict)(summaryText(r)));
  return out.join('\n') + '\n';
}

export function renderShowProfileText(r: ShowProfileReport): string {
  const head = `Profile ${r.profile.name} (${r.profile.source === 'built-in' ? 'built-in' : `${r.profile.source}, overriding built-in ${r.profile.base}`})`;
  const table = renderTable(
    [{ header: 'key' }, { header: 'limit', align: 'right' }, { header: 'meaning' }],
    r.keys.map((k) => [k.key, `${k.kind === 'max' ? '≤' : '≥'} ${formatValue(k.key, k.value)}`, k.description]),
  );
  return `${head}\n${table}\n`;
}
