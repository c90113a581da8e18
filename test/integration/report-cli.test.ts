/**
 * `voipdiag report` as a user runs it: real analyze JSON of the lab-made captures judged by the
 * built CLI, every format, the --json envelope against schemas/report.schema.json, exit codes.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, hasStackTrace, runCli } from '../helpers/cli.js';
import { descendants, parseXml } from '../unit/report/xml.js';

const MIXED = join(ROOT, 'fixtures/lab-made/mixed.pcap');
const ECHO = join(ROOT, 'fixtures/lab-made/answered-echo-call.pcap');
let tmp: string;
let mixedJson: string;
let echoJson: string;

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas/report.schema.json'), 'utf8')));
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'voipdiag-report-'));
  mixedJson = join(tmp, 'mixed.json');
  echoJson = join(tmp, 'echo.json');
  for (const [pcap, out] of [
    [MIXED, mixedJson],
    [ECHO, echoJson],
  ] as const) {
    const r = await runCli(['analyze', pcap, '--json']);
    expect(r.exitCode).toBe(0);
    writeFileSync(out, r.stdout);
  }
});

describe('voipdiag report', () => {
  it('mixed.pcap against pbx: SER 55.6 % and NER 88.9 % fail, the rest passes; exit 5', async () => {
    const r = await runCli(['report', mixedJson, '--profile', 'pbx', '--json']);
    expect(r.exitCode).toBe(5);
    const doc = JSON.parse(r.stdout);
    const validate = validator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ command: 'report', status: 'breached', result: { mode: 'judge', verdict: 'fail', profile: { name: 'pbx', source: 'built-in' } } });
    const verdicts = Object.fromEntries(doc.result.checks.map((c: { key: string; verdict: string }) => [c.key, c.verdict]));
    expect(verdicts).toEqual({
      loss_pct: 'pass',
      jitter_ms: 'pass',
      mos_min: 'pass',
      srd_ms: 'pass',
      setup_ms: 'pass',
      rrd_ms: 'pass',
      sdd_ms: 'pass',
      ser_min: 'fail',
      ner_min: 'fail',
    });
    const ser = doc.result.checks.find((c: { key: string }) => c.key === 'ser_min');
    expect(ser).toMatchObject({ measured: 55.556, threshold: 98, kind: 'min', file: mixedJson, scope: 'capture', subject: 'RFC 6076 over 9 INVITE attempts' });
    // SRD's worst call is the 486 that took 47.7 ms
    expect(doc.result.checks.find((c: { key: string }) => c.key === 'srd_ms')).toMatchObject({ measured: 47.71, subject: 'call 1-26809@127.0.0.1', samples: 9 });
    expect(doc.result.unmeasured).toEqual(['rtt_ms', 'hop_loss_pct', 'tls_days_min']);
  });

  it('text output: a verdict per check with measured, threshold and where; the overall verdict', async () => {
    const r = await runCli(['report', mixedJson, '-p', 'pbx']);
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toMatch(/FAIL\s+│ ser_min\s+│\s+55\.556 % │\s+≥ 98 % │/);
    expect(r.stdout).toContain('FAIL: 2 failed, 0 warnings, 7 passed (9 checks)');
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).toBe('');
  });

  it('a passing capture exits 0; the same capture with a YAML override of ser_min passes too', async () => {
    const pass = await runCli(['report', echoJson, '--profile', 'pbx']);
    expect(pass.exitCode).toBe(0);
    expect(pass.stdout).toContain('PASS: 0 failed, 0 warnings, 8 passed (8 checks)');
    const yaml = join(tmp, 'lenient.yaml');
    writeFileSync(yaml, 'profile: pbx\nser_min: 50\nner_min: 80\n');
    const r = await runCli(['report', mixedJson, '--profile', yaml, '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('ok');
    expect(doc.result.profile).toMatchObject({ name: 'pbx', source: yaml, values: { ser_min: 50, rtt_ms: 50 } });
  });

  it('reads several files and stdin (-): a mos run piped in', async () => {
    const mos = await runCli(['mos', '--codec', 'g711', '--loss', '2', '--json']);
    const r = await runCli(['report', echoJson, '-', '--profile', 'ucaas', '--json'], { input: mos.stdout });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.result.inputs.map((i: { file: string; command: string }) => [i.file, i.command])).toEqual([
      [echoJson, 'analyze'],
      ['<stdin>', 'mos'],
    ]);
    expect(doc.result.checks.at(-1)).toMatchObject({ key: 'mos_min', verdict: 'pass', file: '<stdin>' });
  });

  it('a real probe of a closed loopback port (exit 4, status error) is judged: 100 % loss fails, exit 5', async () => {
    const sock = createSocket('udp4');
    const port = await new Promise<number>((resolve) => sock.bind(0, '127.0.0.1', () => resolve(sock.address().port)));
    await new Promise<void>((resolve) => sock.close(() => resolve()));
    const probe = await runCli(['probe', `sip:127.0.0.1:${port}`, '--count', '2', '--json']);
    expect(probe.exitCode).toBe(4);
    const r = await runCli(['report', '-', '--json'], { input: probe.stdout });
    expect(r.exitCode).toBe(5);
    const doc = JSON.parse(r.stdout);
    expect(validator()(doc)).toBe(true);
    expect(doc.result.checks).toMatchObject([{ key: 'loss_pct', verdict: 'fail', measured: 100, scope: `target sip:127.0.0.1:${port}` }]);
    expect(doc.warnings.map((w: { code: string }) => w.code)).toEqual(['FAILED_RUN_JUDGED']);
  });

  it('--format junit: XML with one testcase per check and a failure per breach', async () => {
    const r = await runCli(['report', mixedJson, echoJson, '-p', 'pbx', '-f', 'junit']);
    expect(r.exitCode).toBe(5);
    const root = parseXml(r.stdout);
    expect(root.attrs).toMatchObject({ tests: '17', failures: '2' });
    expect(descendants(root, 'testsuite').map((s) => s.attrs.failures)).toEqual(['2', '0']);
    expect(descendants(root, 'testcase').length).toBe(17);
    expect(descendants(root, 'failure').map((f) => f.attrs.message)).toEqual(['ser_min 55.556 < 98 (profile pbx)', 'ner_min 88.889 < 99 (profile pbx)']);
  });

  it('--format html --output: one self-contained page with the checks and their bars', async () => {
    const out = join(tmp, 'site.html');
    const r = await runCli(['report', mixedJson, '-p', 'pbx', '--format', 'html', '--output', out]);
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const s of ['ser_min', '55.556 %', '≥ 98 %', 'RFC 6076 over 9 INVITE attempts', 'FAIL: 2 failed']) expect(html).toContain(s);
    expect(html.match(/<svg /g)?.length).toBe(9);
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it('--format markdown', async () => {
    const r = await runCli(['report', mixedJson, '-p', 'pbx', '-f', 'markdown']);
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toContain('| ❌ FAIL | `ser_min` | 55.556 % | ≥ 98 % |');
  });

  it('--show-profile: table and --json, built-in and YAML', async () => {
    const t = await runCli(['report', '--show-profile', 'teams-direct-routing']);
    expect(t.exitCode).toBe(0);
    expect(t.stdout).toMatch(/rtt_ms\s+│\s+≤ 100 ms/);
    const yaml = join(tmp, 'teams.yaml');
    writeFileSync(yaml, 'profile: teams-direct-routing\nrtt_ms: 80\n');
    const j = await runCli(['report', '--show-profile', yaml, '--json']);
    expect(j.exitCode).toBe(0);
    const doc = JSON.parse(j.stdout);
    const validate = validator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.result.keys.find((k: { key: string }) => k.key === 'rtt_ms').value).toBe(80);
    expect(doc.result.profile).toMatchObject({ base: 'teams-direct-routing', source: yaml });
  });

  it('not a voipdiag envelope: exit 3 with a one-line error, no stack', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"hello": "world"}');
    const r = await runCli(['report', bad]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([`Error: ${bad}: not a voipdiag JSON envelope (expected an object with schemaVersion, command, status, result); run a voipdiag command with --json and give its output`]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const pcapAsJson = await runCli(['report', MIXED, '--json']);
    expect(pcapAsJson.exitCode).toBe(3);
    expect(JSON.parse(pcapAsJson.stdout).error.code).toBe('NOT_JSON');
  });

  it('unknown profile: exit 2', async () => {
    const r = await runCli(['report', mixedJson, '--profile', 'carrier-grade']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown profile "carrier-grade"');
    const s = await runCli(['report', '--show-profile', 'carrier-grade', '--json']);
    expect(s.exitCode).toBe(2);
    expect(JSON.parse(s.stdout)).toMatchObject({ status: 'error', error: { code: 'UNKNOWN_PROFILE', exitCode: 2 } });
  });
});
