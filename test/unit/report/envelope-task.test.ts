/** Recognising envelopes (exit 3 for anything else) and the task with scripted I/O: profiles, stdin. */
import { describe, expect, it } from 'vitest';
import { ExitCode, VoipdiagError } from '../../../src/lib/errors.js';
import { parseEnvelope } from '../../../src/lib/report/envelope.js';
import { loadReportProfile, runReport, runShowProfile, type ReportIo } from '../../../src/lib/tasks/report.js';
import { analyzeResult, envelope, mosResult } from './envelopes.js';

describe('parseEnvelope', () => {
  const cases: [string, string, string][] = [
    ['not JSON', 'PK\u0003\u0004 binary', 'NOT_JSON'],
    ['a JSON array', '[1,2]', 'NOT_ENVELOPE'],
    ['an object without the envelope fields', '{"calls":[]}', 'NOT_ENVELOPE'],
    ['a newer schema', JSON.stringify({ schemaVersion: 2, command: 'analyze', status: 'ok', result: {}, warnings: [] }), 'NEWER_SCHEMA'],
    [
      'a failed run',
      JSON.stringify({ schemaVersion: 1, command: 'probe', status: 'error', result: null, warnings: [], error: { code: 'NO_ANSWER', message: 'nobody home', exitCode: 4, hints: [] } }),
      'FAILED_RUN',
    ],
    ['a report of a report', envelope('report', { mode: 'judge' }), 'NOT_JUDGEABLE'],
  ];
  for (const [name, text, code] of cases) {
    it(`${name} → ${code}`, () => {
      const p = parseEnvelope(text, 'x.json');
      expect(p.ok).toBe(false);
      if (!p.ok) {
        expect(p.code).toBe(code);
        expect(p.message.startsWith('x.json: ')).toBe(true);
        expect(p.message).not.toContain('\n');
      }
    });
  }
  it('the failed run names its error', () => {
    const p = parseEnvelope(JSON.stringify({ schemaVersion: 1, command: 'probe', status: 'error', result: null, error: { code: 'NO_ANSWER', message: 'nobody home' } }), 'p.json');
    expect(!p.ok && p.message).toBe('p.json: a failed `probe` run (NO_ANSWER: nobody home) has no result to judge');
  });
  it('an error run that still carries a result (probe: a target did not answer) is judged', () => {
    const p = parseEnvelope(envelope('probe', { targets: [] }, 'error'), 'p.json');
    expect(p.ok && p.value.status).toBe('error');
  });
  it('a breached run is still judged', () => {
    const p = parseEnvelope(envelope('probe', { targets: [] }, 'breached'), 'p.json');
    expect(p).toEqual({ ok: true, value: { command: 'probe', status: 'breached', result: { targets: [] } } });
  });
});

function scriptedIo(files: Record<string, string>, stdin = ''): ReportIo & { written: Record<string, string> } {
  const written: Record<string, string> = {};
  return {
    written,
    readText: async (p) => {
      const t = files[p];
      if (t === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return t;
    },
    readStdin: async () => stdin,
    writeText: async (p, t) => {
      written[p] = t;
    },
  };
}

async function exitOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof VoipdiagError ? err.exitCode : String(err);
  }
}

describe('runReport', () => {
  const io = scriptedIo(
    { 'a.json': envelope('analyze', analyzeResult()), 'bad.json': '{"nope":true}', 'mine.yaml': 'profile: ucaas\nmos_min: 4.35\n', 'broken.yaml': 'rtt_ms: fast\n' },
    envelope('mos', mosResult(4.5)),
  );

  it('reads files and stdin (-), in order', async () => {
    const { result, warnings } = await runReport({ files: ['a.json', '-'], profile: 'pbx' }, io);
    expect(result.inputs).toEqual([
      { file: 'a.json', command: 'analyze', scopes: ['capture'] },
      { file: '<stdin>', command: 'mos', scopes: ['mos G.711'] },
    ]);
    expect(result.verdict).toBe('fail');
    expect(warnings).toEqual([]);
  });

  it('defaults to the default profile', async () => {
    const { result } = await runReport({ files: ['-'] }, io);
    expect(result.profile.name).toBe('default');
    expect(result.verdict).toBe('pass');
  });

  it('a YAML profile overrides the built-in it names', async () => {
    const { result } = await runReport({ files: ['-'], profile: 'mine.yaml' }, io);
    expect(result.profile).toMatchObject({ name: 'ucaas', source: 'mine.yaml', values: { mos_min: 4.35, rtt_ms: 200 } });
    expect(result.checks[0]).toMatchObject({ key: 'mos_min', verdict: 'warn' });
  });

  it('exit codes: unknown profile 2, bad profile file 3, not an envelope 3, unreadable 3, no input 2', async () => {
    expect(await exitOf(runReport({ files: ['a.json'], profile: 'carrier-grade' }, io))).toBe(ExitCode.usage);
    expect(await exitOf(runReport({ files: ['a.json'], profile: 'broken.yaml' }, io))).toBe(ExitCode.badInput);
    expect(await exitOf(runReport({ files: ['a.json', 'bad.json'] }, io))).toBe(ExitCode.badInput);
    expect(await exitOf(runReport({ files: ['missing.json'] }, io))).toBe(ExitCode.badInput);
    expect(await exitOf(runReport({ files: [] }, io))).toBe(ExitCode.usage);
  });

  it('an error run is judged with a warning: an unreachable target fails on its loss', async () => {
    const failed = scriptedIo({ 'p.json': envelope('probe', { targets: [{ target: 'sip:x', mode: 'options', summary: { sent: 3, answered: 0, lossPct: 100, rttMs: null, jitterMs: null } }] }, 'error') });
    const { result, warnings } = await runReport({ files: ['p.json'] }, failed);
    expect(result.checks.map((c) => [c.key, c.verdict, c.measured])).toEqual([['loss_pct', 'fail', 100]]);
    expect(warnings.map((w) => w.code)).toEqual(['FAILED_RUN_JUDGED']);
  });

  it('nothing measured is a warning, not a pass in silence', async () => {
    const quiet = scriptedIo({ 'q.json': envelope('analyze', { calls: [] }) });
    const { result, warnings } = await runReport({ files: ['q.json'] }, quiet);
    expect(result.checks).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['NOTHING_MEASURED', 'NO_CHECKS']);
  });

  it('--show-profile: built-in and YAML', async () => {
    expect((await runShowProfile('teams-direct-routing', io)).keys.find((k) => k.key === 'rtt_ms')?.value).toBe(100);
    expect((await runShowProfile('mine.yaml', io)).profile.values.mos_min).toBe(4.35);
    expect(await exitOf(loadReportProfile('nope', io))).toBe(ExitCode.usage);
  });
});
