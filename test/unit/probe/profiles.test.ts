import { describe, expect, it } from 'vitest';
import { builtinProfile, builtinProfileNames, emptyProfile, judge, parseProfileFile, withOverrides } from '../../../src/lib/report/profiles.js';

describe('thresholds profiles', () => {
  it('has the four built-ins', () => {
    expect(builtinProfileNames()).toEqual(['default', 'ucaas', 'pbx', 'teams-direct-routing']);
    expect(builtinProfile('pbx')?.values.rtt_ms).toBe(50);
    expect(builtinProfile('nope')).toBeUndefined();
  });

  it('a YAML file overrides keys of the profile it names', () => {
    const r = parseProfileFile('profile: ucaas\nrtt_ms: 120\nmos_min: 4.1\n', 'site.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ name: 'ucaas', source: 'site.yaml' });
    expect(r.value.values).toMatchObject({ rtt_ms: 120, mos_min: 4.1, loss_pct: 1, srd_ms: 2500 });
  });

  it('refuses unknown keys, bad values and unknown profiles', () => {
    expect(parseProfileFile('rtt: 5', 'f')).toMatchObject({ ok: false });
    expect(parseProfileFile('rtt_ms: fast', 'f')).toMatchObject({ ok: false });
    expect(parseProfileFile('profile: gold', 'f')).toMatchObject({ ok: false });
    expect(parseProfileFile('- a\n- b', 'f')).toMatchObject({ ok: false });
    expect(parseProfileFile('a: [', 'f')).toMatchObject({ ok: false });
    expect(parseProfileFile('', 'f')).toMatchObject({ ok: true, value: { name: 'default' } });
  });

  it('judge: max keys breach above, _min keys below, missing values are not judged', () => {
    const p = builtinProfile('default');
    if (!p) throw new Error('no default');
    const b = judge({ rtt_ms: 151, loss_pct: 1, mos_min: 3.5, jitter_ms: null, srd_ms: undefined }, p);
    expect(b.map((x) => [x.key, x.kind, x.value, x.limit])).toEqual([
      ['rtt_ms', 'max', 151, 150],
      ['mos_min', 'min', 3.5, 3.6],
    ]);
    expect(b[0]?.message).toBe('rtt_ms 151 > 150 (profile default)');
  });

  it('explicit limits win over the profile; no profile judges only them', () => {
    const p = withOverrides(emptyProfile(), { rtt_ms: 0.001 });
    expect(judge({ rtt_ms: 0.2, loss_pct: 50 }, p).map((x) => x.key)).toEqual(['rtt_ms']);
    const q = withOverrides(builtinProfile('pbx') as NonNullable<ReturnType<typeof builtinProfile>>, { loss_pct: 60 });
    expect(judge({ loss_pct: 50 }, q)).toEqual([]);
  });
});
