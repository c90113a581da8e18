import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonChunks, writeJson } from '../../../src/lib/output/json-stream.js';

const joined = (v: unknown, opts = {}): string => [...jsonChunks(v, opts)].join('');

describe('jsonChunks', () => {
  it('gives exactly JSON.stringify(v, null, 2), whatever the walk depth and chunk size', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 5, withDate: true, withSparseArray: true, withNullPrototype: true, withObjectString: false }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 50 }),
        (v, depth, longArray, chunkChars) => {
          const want = JSON.stringify(v, null, 2);
          fc.pre(want !== undefined);
          expect(joined(v, { depth, longArray, chunkChars })).toBe(want);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('drops undefined and function members, writes null for them in arrays, applies toJSON', () => {
    const v = { a: undefined, b: () => 1, c: [undefined, () => 1, 2], d: new Date(0), e: { toJSON: (k: string) => `key=${k}` }, f: {} };
    expect(joined(v, { depth: 9 })).toBe(JSON.stringify(v, null, 2));
  });

  it('cuts a large result into chunks near the asked size, none holding the whole text', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ callId: `call-${i}@host`, codes: [100, 180, 200], srdMs: i / 7 }));
    const chunks = [...jsonChunks({ result: { calls: rows } }, { chunkChars: 4096 })];
    const whole = JSON.stringify({ result: { calls: rows } }, null, 2);
    expect(chunks.join('')).toBe(whole);
    expect(chunks.length).toBeGreaterThan(whole.length / 8192);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(4096 + 1024);
  });
});

describe('writeJson', () => {
  it('waits for drain when the stream says so and writes everything plus a newline', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    let text = '';
    let drains = 0;
    out.on('drain', () => drains++);
    const rows = Array.from({ length: 2000 }, (_, i) => ({ i, s: 'x'.repeat(20) }));
    const done = writeJson(out, { rows }, { chunkChars: 512 });
    // a slow reader: take the data only in later ticks
    const reading = (async () => {
      for await (const c of out) {
        text += String(c);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await done;
    out.end();
    await reading;
    expect(text).toBe(JSON.stringify({ rows }, null, 2) + '\n');
    expect(drains).toBeGreaterThan(0);
  });
});
