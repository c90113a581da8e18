/** Judging: worst value per key per scope, fail through profiles.ts judge(), the warn band, counts. */
import { describe, expect, it } from 'vitest';
import { buildJudgeReport, buildShowProfile, judgeSamples, worstVerdict } from '../../../src/lib/report/checks.js';
import { extractScopes } from '../../../src/lib/report/extract.js';
import { formatValue, warnAt } from '../../../src/lib/report/keys.js';
import { builtinProfile, parseProfileFile, type Profile } from '../../../src/lib/report/profiles.js';
import { analyzeResult, probeResult, traceResult } from './envelopes.js';

const pbx = builtinProfile('pbx') as Profile;
const where = { file: 'f.json', command: 'analyze', scope: 'capture' };

describe('judgeSamples', () => {
  const cases: { name: string; key: 'rtt_ms' | 'mos_min' | 'ser_min'; values: number[]; verdict: string; measured: number; breaches: number }[] = [
    { name: 'upper bound, well under', key: 'rtt_ms', values: [10, 20], verdict: 'pass', measured: 20, breaches: 0 },
    { name: 'upper bound, within 20 % of the limit', key: 'rtt_ms', values: [10, 45], verdict: 'warn', measured: 45, breaches: 0 },
    { name: 'upper bound, exactly at the limit passes with a warning', key: 'rtt_ms', values: [50], verdict: 'warn', measured: 50, breaches: 0 },
    { name: 'upper bound, over', key: 'rtt_ms', values: [60, 10, 51], verdict: 'fail', measured: 60, breaches: 2 },
    { name: 'lower bound, well over', key: 'mos_min', values: [4.4, 4.3], verdict: 'pass', measured: 4.3, breaches: 0 },
    { name: 'lower bound, just over', key: 'mos_min', values: [4.1], verdict: 'warn', measured: 4.1, breaches: 0 },
    { name: 'lower bound, under', key: 'mos_min', values: [4.4, 3.2], verdict: 'fail', measured: 3.2, breaches: 1 },
    { name: 'SER 55.6 % under 98', key: 'ser_min', values: [55.556], verdict: 'fail', measured: 55.556, breaches: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const check = judgeSamples(
        c.values.map((value, i) => ({ key: c.key, value, subject: `s${i}` })),
        c.key,
        pbx,
        where,
      );
      expect(check).toMatchObject({ verdict: c.verdict, measured: c.measured, breaches: c.breaches, samples: c.values.length, threshold: pbx.values[c.key] });
      expect(check?.subject).toBe(`s${c.values.indexOf(c.measured)}`);
    });
  }

  it('a fail carries judge()’s message and how many breached', () => {
    const check = judgeSamples([{ key: 'rtt_ms', value: 60, subject: 'a' }, { key: 'rtt_ms', value: 70, subject: 'b' }], 'rtt_ms', pbx, where);
    expect(check?.message).toBe('rtt_ms 70 > 50 (profile pbx); 2 of 2 breach');
    expect(check?.id).toBe('f.json › capture › rtt_ms');
  });

  it('nothing to judge: no sample of the key, or a key the profile does not set', () => {
    expect(judgeSamples([], 'rtt_ms', pbx, where)).toBeUndefined();
    const noRtt: Profile = { ...pbx, values: { mos_min: 4 } };
    expect(judgeSamples([{ key: 'rtt_ms', value: 999, subject: 'x' }], 'rtt_ms', noRtt, where)).toBeUndefined();
  });
});

describe('warn band and formatting', () => {
  it('upper bounds warn above 80 % of the limit; lower bounds within a margin in their unit', () => {
    expect(warnAt('rtt_ms', 50)).toBe(40);
    expect(warnAt('mos_min', 4)).toBeCloseTo(4.2);
    expect(warnAt('ser_min', 98)).toBe(99);
    expect(warnAt('tls_days_min', 14)).toBe(21);
  });
  it('values carry their unit', () => {
    expect(formatValue('rtt_ms', 12.34567)).toBe('12.346 ms');
    expect(formatValue('ser_min', 55.556)).toBe('55.556 %');
    expect(formatValue('mos_min', 4.375)).toBe('4.38');
    expect(formatValue('tls_days_min', 10)).toBe('10 days');
  });
  it('the overall verdict is the worst', () => {
    expect(worstVerdict([])).toBe('pass');
    expect(worstVerdict(['pass', 'warn'])).toBe('warn');
    expect(worstVerdict(['warn', 'fail', 'pass'])).toBe('fail');
  });
});

describe('buildJudgeReport', () => {
  it('judges every scope of every input against pbx', () => {
    const r = buildJudgeReport(
      [
        { file: 'a.json', command: 'analyze', scopes: extractScopes('analyze', analyzeResult()) ?? [] },
        { file: 'p.json', command: 'probe', scopes: extractScopes('probe', probeResult()) ?? [] },
        { file: 't.json', command: 'trace', scopes: extractScopes('trace', traceResult()) ?? [] },
      ],
      pbx,
    );
    const v = Object.fromEntries(r.checks.map((c) => [`${c.file} ${c.scope} ${c.key}`, c.verdict]));
    expect(v).toEqual({
      'a.json capture rtt_ms': 'pass', // 12.5 ≤ 50
      'a.json capture loss_pct': 'fail', // 2.5 > 0.5
      'a.json capture jitter_ms': 'warn', // 17 > 16
      'a.json capture mos_min': 'fail', // 3.9 < 4
      'a.json capture srd_ms': 'fail', // 1800 > 1500
      'a.json capture setup_ms': 'pass', // 2100 ≤ 2400
      'a.json capture rrd_ms': 'pass',
      'a.json capture sdd_ms': 'pass',
      'a.json capture ser_min': 'fail', // 66.667 < 98
      'a.json capture ner_min': 'pass', // 100 ≥ 99.5
      'p.json target sip:pbx.example.com rtt_ms': 'warn', // 42 > 40
      'p.json target sip:pbx.example.com loss_pct': 'fail', // 10 > 0.5
      'p.json target sip:pbx.example.com jitter_ms': 'fail', // tx 25 > 20
      'p.json target sip:pbx.example.com mos_min': 'warn', // 4.1 < 4.2
      'p.json target sip:pbx.example.com srd_ms': 'pass',
      'p.json target sip:pbx.example.com setup_ms': 'pass',
      'p.json target sip:pbx.example.com rrd_ms': 'pass',
      'p.json target sip:pbx.example.com sdd_ms': 'pass',
      'p.json target sip:pbx.example.com tls_days_min': 'fail', // 10 < 14
      'p.json target sip:backup.example.com rtt_ms': 'pass',
      'p.json target sip:backup.example.com loss_pct': 'pass',
      't.json trace sip:pbx.example.com rtt_ms': 'pass',
      't.json trace sip:pbx.example.com loss_pct': 'fail',
      't.json trace sip:pbx.example.com jitter_ms': 'pass',
      't.json trace sip:pbx.example.com hop_loss_pct': 'fail', // hop 4: 3 > 1; hop 2's rate limiting is not judged
    });
    expect(r.counts).toEqual({ pass: 13, warn: 3, fail: 9 });
    expect(r.verdict).toBe('fail');
    expect(r.unmeasured).toEqual([]);
    expect(r.checks.find((c) => c.key === 'hop_loss_pct')?.subject).toBe('hop 4 198.51.100.9');
  });

  it('all passing → pass; keys nobody measured are listed', () => {
    const r = buildJudgeReport([{ file: 'b.json', command: 'probe', scopes: [extractScopes('probe', probeResult())?.[1] ?? { name: '', samples: [] }] }], pbx);
    expect(r.verdict).toBe('pass');
    expect(r.unmeasured).toEqual(['jitter_ms', 'mos_min', 'srd_ms', 'setup_ms', 'rrd_ms', 'sdd_ms', 'ser_min', 'ner_min', 'hop_loss_pct', 'tls_days_min']);
  });

  it('a YAML override changes the verdict', () => {
    const p = parseProfileFile('profile: pbx\nser_min: 50\n', 'mine.yaml');
    if (!p.ok) throw new Error(p.message);
    const r = buildJudgeReport([{ file: 'a.json', command: 'analyze', scopes: extractScopes('analyze', analyzeResult()) ?? [] }], p.value);
    expect(r.checks.find((c) => c.key === 'ser_min')).toMatchObject({ verdict: 'pass', threshold: 50 });
    expect(r.profile).toMatchObject({ name: 'pbx', source: 'mine.yaml', base: 'pbx' });
  });
});

describe('buildShowProfile', () => {
  it('lists every key in force with its kind and unit', () => {
    const s = buildShowProfile(pbx);
    expect(s.mode).toBe('show-profile');
    expect(s.keys.length).toBe(12);
    expect(s.keys[0]).toMatchObject({ key: 'rtt_ms', kind: 'max', value: 50, unit: 'ms' });
    expect(s.keys.find((k) => k.key === 'mos_min')).toMatchObject({ kind: 'min', value: 4 });
  });
});
