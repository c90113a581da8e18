import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Hash53, HashWindow } from '../../../src/lib/flows/hash-window.js';

describe('Hash53', () => {
  it('200,000 distinct retransmission keys give 200,000 distinct hashes below 2^53', () => {
    const h = new Hash53();
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      const v = h.start().str('Q').str('INVITE').str(`call-${i >> 3}@10.0.0.1`).num(i & 7).str('INVITE').str(`z9hG4bK${i}`).str('10.0.0.1').num(5060).str('10.0.0.2').num(5060).value();
      expect(Number.isSafeInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      seen.add(v);
    }
    expect(seen.size).toBe(200_000);
  });

  it('tells part boundaries apart ("ab"+"c" is not "a"+"bc"), and numbers from their digits', () => {
    const h = new Hash53();
    expect(h.start().str('ab').str('c').value()).not.toBe(h.start().str('a').str('bc').value());
    expect(h.start().num(5060).value()).not.toBe(h.start().str('5060').value());
    expect(h.start().num(2 ** 40 + 1).value()).not.toBe(h.start().num(1).value());
    expect(h.start().str('x').num(7).value()).toBe(h.start().str('x').num(7).value());
  });
});

describe('HashWindow', () => {
  it('behaves as a set of the hashes added in the current and previous 32 s generation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ h: fc.integer({ min: 0, max: 40 }), dt: fc.constantFrom(0, 0, 0.5, 3, 20, 40) }), { maxLength: 300 }),
        (ops) => {
          const w = new HashWindow(32);
          // model: generation index of each hash's last add, rotations as the window does them
          let t = 1000;
          let rotateAt = -1;
          let now = new Set<number>();
          let prev = new Set<number>();
          for (const { h, dt } of ops) {
            t += dt;
            if (rotateAt < 0) rotateAt = t + 32;
            if (t >= rotateAt) {
              prev = t >= rotateAt + 32 ? new Set() : now;
              now = new Set();
              rotateAt = t + 32;
            }
            const want = now.has(h) || prev.has(h);
            if (!prev.has(h)) now.add(h);
            expect(w.seenOrAdd(h, t)).toBe(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds every hash of the last 32 s among a million, and forgets them after 64 s', () => {
    const w = new HashWindow(32);
    const h = new Hash53();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) expect(w.seenOrAdd(h.start().num(i).value(), i * 25e-6)).toBe(false); // 25 s
    for (let i = 0; i < n; i += 997) expect(w.has(h.start().num(i).value(), 26)).toBe(true);
    expect(w.size).toBe(n);
    expect(w.has(h.start().num(0).value(), 26 + 64)).toBe(false);
  });
});
