import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DelayStats } from '../../../src/lib/metrics/delay-stats.js';

const delays = fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { maxLength: 200 });

describe('DelayStats.merge', () => {
  it('equals pushing every sample into one distribution while nothing was sampled', () => {
    fc.assert(
      fc.property(fc.array(delays, { maxLength: 6 }), (parts) => {
        const whole = new DelayStats();
        const merged = new DelayStats();
        for (const part of parts) {
          const d = new DelayStats();
          for (const x of part) {
            d.push(x);
            whole.push(x);
          }
          merged.merge(d);
        }
        expect(merged.summary()).toEqual(whole.summary());
      }),
    );
  });

  it('keeps count, min, avg and max exact when the parts were reservoir-sampled', () => {
    const merged = new DelayStats(1000);
    let n = 0;
    let sum = 0;
    for (let aor = 0; aor < 50; aor++) {
      const d = new DelayStats(128);
      for (let i = 0; i < 500; i++) {
        const x = ((aor * 500 + i) % 997) + 1;
        d.push(x);
        n++;
        sum += x;
      }
      merged.merge(d);
    }
    const s = merged.summary();
    expect(s.count).toBe(n);
    expect(s.min).toBe(1);
    expect(s.max).toBe(997);
    expect(s.avg).toBeCloseTo(sum / n, 3);
    // the values are uniform over 1..997: the sampled median lands near the middle
    expect(s.p50).toBeGreaterThan(400);
    expect(s.p50).toBeLessThan(600);
  });
});
