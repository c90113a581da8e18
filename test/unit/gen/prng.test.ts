import { describe, expect, it } from 'vitest';
import { Prng, hashKey } from '../../../src/lib/gen/prng.js';

describe('Prng', () => {
  it('is a pure function of its key', () => {
    const a = new Prng('1/call/7');
    const b = new Prng('1/call/7');
    const xs = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(xs);
  });

  it('gives unrelated sequences for neighbouring keys', () => {
    const a = new Prng('1/call/7');
    const b = new Prng('1/call/8');
    const same = Array.from({ length: 1000 }, () => a.u32() === b.u32()).filter(Boolean).length;
    expect(same).toBe(0);
    expect(hashKey('1/call/7')).not.toEqual(hashKey('1/call/8'));
  });

  it('pins the first outputs (changing them changes every generated capture)', () => {
    const r = new Prng('seed');
    expect([r.u32(), r.u32(), r.u32()]).toMatchInlineSnapshot(`
      [
        194206654,
        1229549989,
        1952537795,
      ]
    `);
  });

  it('draws uniform [0,1) with the right mean and range', () => {
    const r = new Prng('uniform');
    let sum = 0;
    let min = 1;
    let max = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it('int() stays in [lo, hi), also for ranges wider than 2^32', () => {
    const r = new Prng('int');
    let bad = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const small = r.int(3, 7);
      seen.add(small);
      const wide = r.int(1e9, 1e10);
      if (small < 3 || small >= 7 || !Number.isInteger(wide) || wide < 1e9 || wide >= 1e10) bad++;
    }
    expect(bad).toBe(0);
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('exponential() has mean 1/rate', () => {
    const r = new Prng('exp');
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) sum += r.exponential(4);
    expect(sum / n).toBeCloseTo(0.25, 2);
  });

  it('formats hex and RFC 4122 v4 UUIDs', () => {
    const r = new Prng('ids');
    expect(r.hex(24)).toMatch(/^[0-9a-f]{24}$/);
    expect(r.uuid4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
