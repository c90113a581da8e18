/**
 * `voipdiag report` → one self-contained HTML page: inline CSS, no scripts, no external assets.
 * Each check row carries a small inline SVG bar: the measured value as a bar, the threshold as a
 * vertical mark, on a scale running to 1.25 × the larger of the two. Pure.
 */
import type { JudgeReport, ReportCheck, Verdict } from '../report/checks.js';
import { measuredText, profileText, summaryText, thresholdText, VERDICT_WORD, whereText } from './report-common.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const FILL: Readonly<Record<Verdict, string>> = { pass: '#2e7d32', warn: '#ef9a00', fail: '#c62828' };

const BAR_W = 220;
const BAR_H = 18;

/** The measured-vs-threshold bar of one check, as inline SVG. */
export function checkBarSvg(c: ReportCheck): string {
  const top = Math.max(Math.abs(c.measured), Math.abs(c.threshold)) * 1.25 || 1;
  const x = (v: number): number => Math.round((Math.max(0, Math.min(v, top)) / top) * BAR_W * 10) / 10;
  const title = `${c.key}: measured ${measuredText(c)}, threshold ${thresholdText(c)}`;
  return (
    `<svg class="bar" width="${BAR_W}" height="${BAR_H}" viewBox="0 0 ${BAR_W} ${BAR_H}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>` +
    `<rect x="0" y="3" width="${BAR_W}" height="12" fill="#eceff1"/>` +
    `<rect x="0" y="3" width="${x(c.measured)}" height="12" fill="${FILL[c.verdict]}"/>` +
    `<line x1="${x(c.threshold)}" y1="0" x2="${x(c.threshold)}" y2="${BAR_H}" stroke="#212121" stroke-width="2"/>` +
    `</svg>`
  );
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#212121}
h1{font-size:1.4rem;margin:0 0 .5rem}
.verdict{display:inline-block;padding:.3rem .8rem;border-radius:4px;color:#fff;font-weight:600}
.pass{background:${FILL.pass}}.warn{background:${FILL.warn}}.fail{background:${FILL.fail}}
table{border-collapse:collapse;margin-top:1rem;font-size:.9rem}
th,td{border-bottom:1px solid #cfd8dc;padding:.35rem .6rem;text-align:left;vertical-align:middle}
th{background:#eceff1}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td .tag{font-size:.8rem;padding:.1rem .4rem}
.meta{color:#546e7a;font-size:.9rem}
.legend{color:#546e7a;font-size:.8rem;margin-top:.5rem}`;

export function renderReportHtml(r: JudgeReport): string {
  const rows = r.checks
    .map(
      (c) =>
        `<tr class="check-${c.verdict}"><td><span class="verdict tag ${c.verdict}">${VERDICT_WORD[c.verdict]}</span></td>` +
        `<td><code>${escapeHtml(c.key)}</code></td><td class="num">${escapeHtml(measuredText(c))}</td>` +
        `<td class="num">${escapeHtml(thresholdText(c))}</td><td>${checkBarSvg(c)}</td>` +
        `<td>${escapeHtml(c.file)}<br><span class="meta">${escapeHtml(c.scope)}</span></td><td>${escapeHtml(whereText(c))}</td></tr>`,
    )
    .join('\n');
  const inputs = r.inputs.map((i) => `${escapeHtml(i.file)} (${escapeHtml(i.command)})`).join(', ');
  const body =
    r.checks.length > 0
      ? `<table>
<thead><tr><th>verdict</th><th>check</th><th>measured</th><th>threshold</th><th>measured vs threshold</th><th>file / scope</th><th>where</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="legend">Bars: the measured value; the black mark is the threshold.</p>`
      : '<p>No checks: no measured value matched a key of the profile.</p>';
  const unmeasured = r.unmeasured.length > 0 ? `\n<p class="meta">Not measured: ${r.unmeasured.map(escapeHtml).join(', ')}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>voipdiag report: ${VERDICT_WORD[r.verdict]}</title>
<style>
${CSS}
</style>
</head>
<body>
<h1>voipdiag report</h1>
<p><span class="verdict ${r.verdict}">${escapeHtml(summaryText(r))}</span></p>
<p class="meta">Profile: ${escapeHtml(profileText(r))}<br>Inputs: ${inputs || 'none'}</p>
${body}${unmeasured}
</body>
</html>
`;
}
