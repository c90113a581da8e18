/** The report renderers are pure: golden files (colour off), plus structure checks per format. */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { checkBarSvg, escapeHtml, renderReportHtml } from '../../../src/lib/output/report-html.js';
import { renderReportJunit } from '../../../src/lib/output/report-junit.js';
import { mdCell, renderReportMarkdown } from '../../../src/lib/output/report-markdown.js';
import { renderReportText, renderShowProfileText } from '../../../src/lib/output/report-text.js';
import { buildJudgeReport, buildShowProfile, type JudgeReport } from '../../../src/lib/report/checks.js';
import { extractScopes } from '../../../src/lib/report/extract.js';
import { builtinProfile, type Profile } from '../../../src/lib/report/profiles.js';
import { analyzeResult, probeResult, traceResult } from './envelopes.js';
import { descendants, parseXml } from './xml.js';

const pbx = builtinProfile('pbx') as Profile;

function sample(): JudgeReport {
  return buildJudgeReport(
    [
      { file: 'analyze.json', command: 'analyze', scopes: extractScopes('analyze', analyzeResult()) ?? [] },
      { file: 'probe.json', command: 'probe', scopes: extractScopes('probe', probeResult()) ?? [] },
      { file: 'trace.json', command: 'trace', scopes: extractScopes('trace', traceResult()) ?? [] },
    ],
    pbx,
  );
}
const none = new Chalk({ level: 0 });

describe('report renderers', () => {
  it('text: golden (colour off)', async () => {
    await expect(renderReportText(sample(), none)).toMatchFileSnapshot('./golden/report.txt');
  });
  it('text: colour only from the Chalk it is given', () => {
    expect(renderReportText(sample(), none)).not.toContain('\u001b[');
    expect(renderReportText(sample(), new Chalk({ level: 1 }))).toContain('\u001b[31m');
  });
  it('show-profile text: golden', async () => {
    await expect(renderShowProfileText(buildShowProfile(pbx))).toMatchFileSnapshot('./golden/show-profile-pbx.txt');
  });
  it('markdown: golden; one table row per check', async () => {
    const md = renderReportMarkdown(sample());
    await expect(md).toMatchFileSnapshot('./golden/report.md');
    expect(md.split('\n').filter((l) => /^\| (✅|⚠️|❌)/.test(l)).length).toBe(sample().checks.length);
    expect(mdCell('a|b\nc')).toBe('a\\|b c');
  });
  it('html: golden; self-contained (no scripts, no external references); one SVG bar per check', async () => {
    const html = renderReportHtml(sample());
    await expect(html).toMatchFileSnapshot('./golden/report.html');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    expect(html.match(/<svg /g)?.length).toBe(sample().checks.length);
    expect(html).toContain('<style>');
    expect(escapeHtml('<a href="x">&\'')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
  it('html bar: the measured bar and the threshold mark on a 1.25× scale', () => {
    const c = sample().checks.find((x) => x.key === 'srd_ms' && x.file === 'analyze.json');
    if (!c) throw new Error('no srd check');
    const svg = checkBarSvg(c); // 1800 vs 1500: scale 2250 over 220 px
    expect(svg).toContain('<rect x="0" y="3" width="176" height="12" fill="#c62828"/>');
    expect(svg).toContain('<line x1="146.7" y1="0" x2="146.7"');
    // the bar is well-formed XML too
    expect(parseXml(svg).name).toBe('svg');
  });
  it('junit: golden; parses as XML; one testcase per check, a failure per breach', async () => {
    const r = sample();
    const xml = renderReportJunit(r);
    await expect(xml).toMatchFileSnapshot('./golden/report.junit.xml');
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs.tests).toBe(String(r.checks.length));
    expect(root.attrs.failures).toBe(String(r.counts.fail));
    const suites = descendants(root, 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures])).toEqual([
      ['analyze.json', '10', '4'],
      ['probe.json', '11', '3'],
      ['trace.json', '4', '2'],
    ]);
    expect(descendants(root, 'testcase').length).toBe(r.checks.length);
    expect(descendants(root, 'failure').length).toBe(r.counts.fail);
    expect(descendants(root, 'failure')[0]?.attrs.message).toBe('loss_pct 2.5 > 0.5 (profile pbx); 1 of 3 breach');
  });
  it('junit: names with XML specials and control characters stay well-formed', () => {
    const r = buildJudgeReport([{ file: 'a<&>"\'\u0001.json', command: 'mos', scopes: [{ name: 'mos <x>', samples: [{ key: 'mos_min', value: 1, subject: '"&"' }] }] }], pbx);
    const root = parseXml(renderReportJunit(r));
    expect(descendants(root, 'testsuite')[0]?.attrs.name).toBe('a<&>"\'.json');
    expect(descendants(root, 'failure').length).toBe(1);
  });
});
