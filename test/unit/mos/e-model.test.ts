import { describe, expect, it } from 'vitest';
import {
  absoluteDelayImpairment,
  eModel,
  effectiveEquipmentImpairment,
  G107_DEFAULTS,
  rToMos,
} from '../../../src/lib/mos/e-model.js';

/**
 * Golden values are given to 0.1 (R) and 0.01 (MOS): |actual − expected| must stay within that.
 * (At 400 ms the G.107 formulas give R 62.247; the published golden value is 62.3.)
 */
const near = (actual: number, expected: number, tol = 0.1): void => {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
};

describe('G.107 E-model with default parameters', () => {
  it('gives R 93.2 / MOS 4.41 for the default connection (G.711, T = 0)', () => {
    const e = eModel();
    near(e.r, 93.2);
    expect(e.mos).toBeCloseTo(4.41, 2);
  });

  it('computes every sub-term from the default parameters', () => {
    const { terms } = eModel();
    expect(terms.no).toBeCloseTo(-61.18, 2);
    expect(terms.ro).toBeCloseTo(94.77, 2);
    expect(terms.iolr).toBeCloseTo(0.44, 2);
    expect(terms.ist).toBeCloseTo(0, 2);
    expect(terms.iq).toBeCloseTo(0.97, 2);
    expect(terms.is).toBeCloseTo(terms.iolr + terms.ist + terms.iq, 10);
    expect(Math.abs(terms.idte)).toBe(0); // (1 − e^−T) = 0 at T = 0
    expect(terms.idle).toBeCloseTo(0.15, 2);
    expect(terms.idd).toBe(0);
    expect(terms.id).toBeCloseTo(terms.idte + terms.idle + terms.idd, 10);
    expect(terms.ieEff).toBe(0);
    expect(terms.a).toBe(0);
  });

  it('R = Ro − Is − Id − Ie,eff + A exactly', () => {
    const e = eModel({ t: 120, tr: 240, ta: 120, ie: 11, bpl: 19, ppl: 3, burstR: 1.4, a: 5 });
    const t = e.terms;
    expect(e.r).toBeCloseTo(t.ro - t.is - t.id - t.ieEff + t.a, 10);
  });

  // Golden values: G.711 + Appendix I PLC (Ie 0, Bpl 25.1) and G.729A (Ie 11, Bpl 19), T = 0.
  it.each([
    { name: 'G.711+PLC 0 %', ie: 0, bpl: 25.1, ppl: 0, burstR: 1, r: 93.2, mos: 4.41 },
    { name: 'G.711+PLC 1 %', ie: 0, bpl: 25.1, ppl: 1, burstR: 1, r: 89.6, mos: 4.33 },
    { name: 'G.711+PLC 5 %', ie: 0, bpl: 25.1, ppl: 5, burstR: 1, r: 77.4, mos: 3.92 },
    { name: 'G.711+PLC 5 %, BurstR 2', ie: 0, bpl: 25.1, ppl: 5, burstR: 2, r: 76.0, mos: 3.86 },
    { name: 'G.729A 0 %', ie: 11, bpl: 19, ppl: 0, burstR: 1, r: 82.2, mos: 4.1 },
  ])('$name → R $r, MOS $mos', ({ ie, bpl, ppl, burstR, r, mos }) => {
    const e = eModel({ ie, bpl, ppl, burstR });
    near(e.r, r);
    near(e.mos, mos, 0.01);
  });

  // Golden values: full delay terms with T = Ta = one-way delay, Tr = 2T.
  it.each([
    { t: 150, r: 89.5, mos: 4.33 },
    { t: 250, r: 79.2, mos: 3.99 },
    { t: 400, r: 62.3, mos: 3.22 },
  ])('G.711, one-way delay $t ms → R $r, MOS $mos', ({ t, r, mos }) => {
    const e = eModel({ t, tr: 2 * t, ta: t });
    near(e.r, r);
    near(e.mos, mos, 0.01);
    expect(e.terms.idte).toBeGreaterThan(0);
    expect(e.terms.idle).toBeGreaterThan(0);
    expect(e.terms.idd).toBeGreaterThan(0);
  });

  it('Idd is 0 up to Ta = 100 ms and grows after', () => {
    expect(absoluteDelayImpairment(0)).toBe(0);
    expect(absoluteDelayImpairment(100)).toBe(0);
    let prev = 0;
    for (let ta = 110; ta <= 800; ta += 10) {
      const idd = absoluteDelayImpairment(ta);
      expect(idd).toBeGreaterThan(prev);
      prev = idd;
    }
  });

  it('a lower TELR (worse echo cancellation) raises talker echo impairment', () => {
    const good = eModel({ t: 100, tr: 200, ta: 100 });
    const poor = eModel({ t: 100, tr: 200, ta: 100, telr: 45 });
    expect(poor.terms.idte).toBeGreaterThan(good.terms.idte + 5);
    expect(poor.r).toBeLessThan(good.r);
  });

  it('does not mutate the defaults', () => {
    eModel({ slr: 12, ppl: 4 });
    expect(G107_DEFAULTS.slr).toBe(8);
    expect(Object.isFrozen(G107_DEFAULTS)).toBe(true);
  });

  it('non-default loudness ratings recompute Ro and Is', () => {
    const loud = eModel({ slr: 12, rlr: 6 });
    expect(loud.terms.ro).not.toBeCloseTo(eModel().terms.ro, 3);
    expect(loud.r).toBeLessThan(eModel().r);
  });
});

describe('Ie,eff (G.107 eq. 7-29), Ppl in percent', () => {
  it('equals Ie at zero loss and approaches 95 at total loss', () => {
    expect(effectiveEquipmentImpairment(11, 0, 19)).toBe(11);
    expect(effectiveEquipmentImpairment(0, 100, 25.1)).toBeGreaterThan(75);
  });

  it('1 % on G.711+PLC costs 95·1/(1+25.1) R points', () => {
    expect(effectiveEquipmentImpairment(0, 1, 25.1)).toBeCloseTo(95 / 26.1, 10);
  });

  it('burstier loss costs more', () => {
    expect(effectiveEquipmentImpairment(0, 5, 25.1, 2)).toBeGreaterThan(effectiveEquipmentImpairment(0, 5, 25.1, 1));
  });

  it('MOS falls strictly from 0 to 0.1 to 0.5 to 1 % loss (percent, not fraction)', () => {
    const mos = [0, 0.1, 0.5, 1].map((ppl) => eModel({ ie: 0, bpl: 25.1, ppl }).mos);
    for (let i = 1; i < mos.length; i++) expect(mos[i]).toBeLessThan(mos[i - 1] as number);
    // A fraction (0.01 for 1 %) would move MOS by less than 0.001; percent moves it by ~0.08.
    expect((mos[0] as number) - (mos[3] as number)).toBeGreaterThan(0.05);
  });
});

describe('R → MOS-CQE (G.107 Annex B)', () => {
  it('is 1 below R 0 and 4.5 above R 100', () => {
    expect(rToMos(-5)).toBe(1);
    expect(rToMos(0)).toBe(1);
    expect(rToMos(100)).toBeCloseTo(4.5, 10);
    expect(rToMos(120)).toBe(4.5);
  });

  it('matches the polynomial at R 50 and R 80', () => {
    expect(rToMos(50)).toBeCloseTo(1 + 1.75 + 50 * -10 * 50 * 7e-6, 10);
    expect(rToMos(80)).toBeCloseTo(1 + 2.8 + 80 * 20 * 20 * 7e-6, 10);
  });

  it('is monotonic on 0..100 and stays in [1, 4.5] (the polynomial dips below 1 near R 0)', () => {
    let prev = rToMos(0);
    for (let r = 0.5; r <= 100; r += 0.5) {
      const m = rToMos(r);
      expect(m).toBeGreaterThanOrEqual(prev);
      expect(m).toBeGreaterThanOrEqual(1);
      expect(m).toBeLessThanOrEqual(4.5);
      prev = m;
    }
  });

  it('the default connection is never pinned at 4.5', () => {
    expect(eModel().mos).toBeLessThan(4.5);
  });
});
