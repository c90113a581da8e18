/**
 * `voipdiag report` → JUnit XML for CI: one testsuite per input file, one testcase per check, a
 * <failure> for each breach. Warnings pass, with the reason in <system-out>. Pure.
 */
import type { JudgeReport, ReportCheck } from '../report/checks.js';
import { measuredText, profileText, thresholdText, whereText } from './report-common.js';

export function escapeXml(s: string): string {
  // Characters XML 1.0 forbids are dropped; the five specials escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function testcase(c: ReportCheck): string {
  const name = `${c.key}: ${measuredText(c)} ${thresholdText(c)}`;
  const classname = `voipdiag.report.${c.scope}`;
  const detail = `${c.message}\nwhere: ${c.file} / ${c.scope} / ${whereText(c)}`;
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(name)}" time="0">`;
  if (c.verdict === 'fail') {
    return `${open}\n      <failure type="threshold" message="${escapeXml(c.message)}">${escapeXml(detail)}</failure>\n    </testcase>`;
  }
  if (c.verdict === 'warn') return `${open}\n      <system-out>${escapeXml(`warning: ${detail}`)}</system-out>\n    </testcase>`;
  return `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(name)}" time="0"/>`;
}

export function renderReportJunit(r: JudgeReport): string {
  const suites = r.inputs.map((input) => {
    const checks = r.checks.filter((c) => c.file === input.file && c.command === input.command);
    const failures = checks.filter((c) => c.verdict === 'fail').length;
    const props = `    <properties>\n      <property name="profile" value="${escapeXml(profileText(r))}"/>\n      <property name="command" value="${escapeXml(input.command)}"/>\n    </properties>`;
    const cases = checks.map(testcase);
    return [`  <testsuite name="${escapeXml(input.file)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="0" time="0">`, props, ...cases, '  </testsuite>'].join('\n');
  });
  const failures = r.counts.fail;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="voipdiag report" tests="${r.checks.length}" failures="${failures}" errors="0" time="0">\n${suites.join('\n')}\n</testsuites>\n`;
}
