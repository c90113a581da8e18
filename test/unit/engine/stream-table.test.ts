import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamTable } from '../../../src/lib/engine/stream-table.js';

type Op = { kind: 'set' | 'delete' | 'get'; key: [number, number, number, number] };

// Few distinct values per key part, so operations hit the same keys and probe runs overlap.
const part = fc.constantFrom(0, 1, -1, 0x7fffffff, -0x80000000, 0x0a000001, 0x0a000002);
const key = fc.tuple(part, part, fc.integer({ min: 0, max: 3 }), part);
const op = fc.record({ kind: fc.constantFrom<Op['kind']>('set', 'set', 'delete', 'get'), key });

describe('StreamTable', () => {
  it('behaves as a Map keyed by the four ints, through growth and deletions', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new StreamTable<number>();
        const model = new Map<string, number>();
        ops.forEach((o, n) => {
          const [a, b, c, d] = o.key;
          const k = o.key.join(',');
          if (o.kind === 'set') {
            table.set(a, b, c, d, n);
            model.set(k, n);
          } else if (o.kind === 'delete') {
            expect(table.delete(a, b, c, d)).toBe(model.delete(k));
          }
          expect(table.get(a, b, c, d)).toBe(model.get(k));
          expect(table.size).toBe(model.size);
        });
        for (const [k, v] of model) {
          const [a, b, c, d] = k.split(',').map(Number) as [number, number, number, number];
          expect(table.get(a, b, c, d)).toBe(v);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every entry reachable after deleting from the middle of long probe runs', () => {
    const table = new StreamTable<number>();
    const n = 5000;
    for (let i = 0; i < n; i++) table.set(i, i * 7, i & 3, -i, i);
    for (let i = 0; i < n; i += 3) expect(table.delete(i, i * 7, i & 3, -i)).toBe(true);
    for (let i = 0; i < n; i++) expect(table.get(i, i * 7, i & 3, -i)).toBe(i % 3 === 0 ? undefined : i);
    expect(table.size).toBe(n - Math.ceil(n / 3));
    expect(table.delete(1, 1, 1, 1)).toBe(false);
  });
});
