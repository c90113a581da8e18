import { describe, expect, it } from 'vitest';
import {
  checkMosInput,
  computeMos,
  findCodec,
  measuredLossPct,
  qualityBand,
  roundNumbers,
  type MosInput,
} from '../../../src/lib/mos/index.js';

/** No endpoint delay and no buffer: mouth-to-ear = network one-way delay (G.711 has no look-ahead). */
const bare = { packetisationMs: 0, jitterBuffer: { fixedMs: 0 } } as const;

const near = (actual: number, expected: number, tol = 0.1): void => {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
};

describe('computeMos golden values', () => {
  it.each([
    { name: 'G.711+PLC 0 %', input: { codec: 'g711', lossPct: 0 }, r: 93.2, mos: 4.41 },
    { name: 'G.711+PLC 1 %', input: { codec: 'PCMU', lossPct: 1 }, r: 89.6, mos: 4.33 },
    { name: 'G.711+PLC 5 %', input: { codec: 'g711A', lossPct: 5 }, r: 77.4, mos: 3.92 },
    { name: 'G.711+PLC 5 %, BurstR 2', input: { codec: 'g711', lossPct: 5, burstRatio: 2 }, r: 76.0, mos: 3.86 },
    { name: 'G.711 150 ms', input: { codec: 'g711', lossPct: 0, oneWayDelayMs: 150 }, r: 89.5, mos: 4.33 },
    { name: 'G.711 250 ms', input: { codec: 'g711', lossPct: 0, oneWayDelayMs: 250 }, r: 79.2, mos: 3.99 },
    { name: 'G.711 400 ms', input: { codec: 'g711', lossPct: 0, oneWayDelayMs: 400 }, r: 62.3, mos: 3.22 },
  ])('$name → R $r, MOS $mos', ({ input, r, mos }) => {
    const res = computeMos({ ...input, ...bare });
    near(res.r, r);
    near(res.mos, mos, 0.01);
    expect(res.mouthToEarMs).toBe(input.oneWayDelayMs ?? 0);
  });

  it('G.729A 0 % → R 82.2, MOS 4.10 (mouth-to-ear 0)', () => {
    const res = computeMos({ codec: 'g729', lossPct: 0, mouthToEarMs: 0 });
    expect(res.mouthToEarMs).toBe(0);
    expect(res.delayBudget).toBeNull();
    near(res.r, 82.2);
    near(res.mos, 4.1, 0.01);
    expect(res.dominant).toBe('codec');
    // Its 5 ms look-ahead, counted when the delay is built up, costs a little.
    expect(computeMos({ codec: 'g729', lossPct: 0, ...bare }).mouthToEarMs).toBe(5);
  });

  it.each([
    { t: 150, r: 89.5 },
    { t: 250, r: 79.2 },
    { t: 400, r: 62.3 },
  ])('a given mouth-to-ear delay of $t ms is used as is → R $r', ({ t, r }) => {
    const res = computeMos({ codec: 'g711', lossPct: 0, oneWayDelayMs: 999, packetisationMs: 60, mouthToEarMs: t });
    expect(res.mouthToEarMs).toBe(t);
    near(res.r, r);
    expect(res.impairments.jitter).toBeCloseTo(0, 10);
  });
});

describe('computeMos behaviour', () => {
  it('MOS falls strictly as loss rises 0 → 0.1 → 0.5 → 1 % (percent, not fraction)', () => {
    const mos = [0, 0.1, 0.5, 1].map((lossPct) => computeMos({ codec: 'g711', lossPct }).mos);
    for (let i = 1; i < mos.length; i++) expect(mos[i]).toBeLessThan(mos[i - 1] as number);
  });

  it('MOS never reaches 4.5', () => {
    for (const c of ['g711', 'g722', 'opus', 'g729'])
      expect(computeMos({ codec: c, lossPct: 0, ...bare }).mos).toBeLessThan(4.5);
  });

  it('MOS never rises as jitter rises, for every buffer', () => {
    for (const jitterBuffer of ['adaptive', 'fixed50', 'fixed200', { fixedMs: 80 }] as const) {
      let prev = 5;
      for (const jitterMs of [0, 1, 2, 5, 10, 20, 40, 80, 160]) {
        const { mos } = computeMos({ codec: 'g711', lossPct: 0.5, oneWayDelayMs: 40, jitterMs, jitterBuffer });
        expect(mos).toBeLessThanOrEqual(prev + 1e-12);
        prev = mos;
      }
    }
  });

  it('MOS never rises as delay rises', () => {
    let prev = 5;
    for (let oneWayDelayMs = 0; oneWayDelayMs <= 600; oneWayDelayMs += 25) {
      const { mos } = computeMos({ codec: 'g711', lossPct: 0, oneWayDelayMs });
      expect(mos).toBeLessThanOrEqual(prev);
      prev = mos;
    }
  });

  it('builds mouth-to-ear delay from network + buffer + packetisation + look-ahead', () => {
    const res = computeMos({ codec: 'g729', lossPct: 0, oneWayDelayMs: 100, jitterMs: 20 });
    expect(res.delayBudget).toEqual({ networkMs: 100, jitterBufferMs: 60, packetisationMs: 20, lookaheadMs: 5 });
    expect(res.mouthToEarMs).toBe(185);
    expect(computeMos({ codec: 'g723', lossPct: 0 }).delayBudget?.packetisationMs).toBe(30);
    expect(computeMos({ codec: 'g711', lossPct: 0, packetisationMs: 40 }).delayBudget?.packetisationMs).toBe(40);
  });

  it('jitter adds effective loss through buffer discards', () => {
    const res = computeMos({ codec: 'g711', lossPct: 1, jitterMs: 20, jitterBuffer: 'fixed50' });
    expect(res.jitterBuffer.discardPct).toBeGreaterThan(10);
    expect(res.effectiveLossPct).toBeCloseTo(1 + 0.99 * res.jitterBuffer.discardPct, 10);
    expect(res.dominant).toBe('jitter');
  });

  it('G.711 without PLC uses Bpl 4.3 and loses more', () => {
    const withPlc = computeMos({ codec: 'g711', lossPct: 1 });
    const without = computeMos({ codec: 'g711', lossPct: 1, plc: false });
    expect(without.inputs).toMatchObject({ bpl: 4.3, plc: false, plcBuiltIn: false });
    expect(without.mos).toBeLessThan(withPlc.mos);
  });

  it('ignores plc: false for codecs that always conceal', () => {
    const res = computeMos({ codec: 'g729', lossPct: 1, plc: false });
    expect(res.inputs).toMatchObject({ bpl: 19, plc: true, plcBuiltIn: true });
  });

  it.each([
    [{ codec: 'g711', lossPct: 0, ...bare }, 'none'],
    [{ codec: 'g711', lossPct: 3 }, 'loss'],
    [{ codec: 'g729', lossPct: 0 }, 'codec'],
    [{ codec: 'g711', lossPct: 0, oneWayDelayMs: 300 }, 'delay'],
    [{ codec: 'g711', lossPct: 0, jitterMs: 30, jitterBuffer: 'fixed50' }, 'jitter'],
  ] as [MosInput, string][])('dominant impairment of %j is %s', (input, dominant) => {
    expect(computeMos(input).dominant).toBe(dominant);
  });

  it('impairments add up to the drop from the unimpaired rating', () => {
    const best = computeMos({ codec: 'g711', lossPct: 0, ...bare }).r;
    const res = computeMos({ codec: 'g729', lossPct: 2, burstRatio: 1.3, jitterMs: 15, oneWayDelayMs: 120 });
    const sum = Object.values(res.impairments).reduce((a, b) => a + b, 0);
    expect(best - res.r).toBeCloseTo(sum, 2);
  });

  it('quality bands', () => {
    expect(qualityBand(4.41)).toBe('good');
    expect(qualityBand(4.0)).toBe('good');
    expect(qualityBand(3.99)).toBe('acceptable');
    expect(qualityBand(3.5)).toBe('acceptable');
    expect(qualityBand(3.2)).toBe('poor');
    expect(qualityBand(2.99)).toBe('unacceptable');
  });

  it('accepts a codec profile as well as a name', () => {
    const profile = findCodec('gsm-efr');
    expect(profile).toBeDefined();
    if (profile) expect(computeMos({ codec: profile, lossPct: 0 }).inputs.codec).toBe('gsm-efr');
  });

  it('is pure: same input, same output; input untouched', () => {
    const input: MosInput = { codec: 'g711', lossPct: 2, jitterMs: 10, oneWayDelayMs: 50, jitterBuffer: { fixedMs: 60 } };
    const copy = structuredClone(input);
    expect(computeMos(input)).toEqual(computeMos(input));
    expect(input).toEqual(copy);
  });
});

describe('input checking', () => {
  it.each([
    [{ codec: 'nope', lossPct: 0 }, 'codec'],
    [{ codec: 'g711', lossPct: -1 }, 'lossPct'],
    [{ codec: 'g711', lossPct: 101 }, 'lossPct'],
    [{ codec: 'g711', lossPct: Number.NaN }, 'lossPct'],
    [{ codec: 'g711', lossPct: 1, burstRatio: 0.9 }, 'burstRatio'],
    [{ codec: 'g711', lossPct: 1, jitterMs: -1 }, 'jitterMs'],
    [{ codec: 'g711', lossPct: 1, oneWayDelayMs: -5 }, 'oneWayDelayMs'],
    [{ codec: 'g711', lossPct: 1, packetisationMs: -20 }, 'packetisationMs'],
    [{ codec: 'g711', lossPct: 1, jitterBuffer: { fixedMs: -1 } }, 'jitterBuffer'],
    [{ codec: 'g711', lossPct: 1, mouthToEarMs: -1 }, 'mouthToEarMs'],
  ] as [MosInput, string][])('%j → problem in %s', (input, field) => {
    expect(checkMosInput(input).map((p) => p.field)).toEqual([field]);
    expect(() => computeMos(input)).toThrow(RangeError);
  });

  it('the unknown-codec error lists the known codecs', () => {
    expect(() => computeMos({ codec: 'speex', lossPct: 0 })).toThrow(/unknown codec "speex"; known codecs: g711, /);
  });

  it('accepts the edges of the domain', () => {
    expect(checkMosInput({ codec: 'g711', lossPct: 0, burstRatio: 1, jitterMs: 0, oneWayDelayMs: 0 })).toEqual([]);
    expect(computeMos({ codec: 'g711', lossPct: 100 }).mos).toBeGreaterThanOrEqual(1);
  });

  it('measuredLossPct clamps RFC 3550 loss (negative with duplicates)', () => {
    expect(measuredLossPct(-25)).toBe(0);
    expect(measuredLossPct(Number.NaN)).toBe(0);
    expect(measuredLossPct(2.5)).toBe(2.5);
    expect(measuredLossPct(120)).toBe(100);
  });
});

describe('roundNumbers', () => {
  it('rounds every number, keeps everything else', () => {
    expect(roundNumbers({ a: 1.23456, b: [2.34567, 'x'], c: null, d: { e: true, f: -0.00001 } }, 3)).toEqual({
      a: 1.235,
      b: [2.346, 'x'],
      c: null,
      d: { e: true, f: -0 },
    });
  });
});
