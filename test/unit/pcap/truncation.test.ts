/**
 * Codec laws for the capture reader (STYLE.md rule 14):
 * - truncation: every prefix of a real capture yields exactly the complete frames before the
 *   cut, plus exactly one TRUNCATED with exact need/have unless the cut falls on a record
 *   boundary;
 * - random bytes never throw, and chunking never changes the outcome, even on garbage.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureStreamParser, parseCapture } from '../../../src/lib/pcap/stream-parser.js';
import { FIXTURES, parseInChunks } from './capture-truth.js';

interface Unit {
  start: number;
  end: number;
  /** Bytes needed to learn the unit's length. */
  headerLen: number;
  isFrame: boolean;
}

/** Record / block boundaries, walked independently of the reader (little-endian files). */
function units(bytes: Uint8Array): Unit[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Unit[] = [];
  if (v.getUint32(0, false) === 0x0a0d0d0a) {
    for (let o = 0; o < bytes.length; ) {
      const type = v.getUint32(o, true);
      const len = v.getUint32(o + 4, true);
      out.push({ start: o, end: o + len, headerLen: type === 0x0a0d0d0a ? 12 : 8, isFrame: [2, 3, 6].includes(type) });
      o += len;
    }
  } else {
    out.push({ start: 0, end: 24, headerLen: 24, isFrame: false });
    for (let o = 24; o < bytes.length; ) {
      const len = 16 + v.getUint32(o + 8, true);
      out.push({ start: o, end: o + len, headerLen: 16, isFrame: true });
      o += len;
    }
  }
  return out;
}

describe('truncation law: every prefix of a real capture', () => {
  it.each(['public/rtcp-compound-multiple-per-datagram-linux-sll.pcap', 'public/sip-keepalive-register-401.pcapng'])(
    '%s',
    (rel) => {
      const bytes = readFileSync(`${FIXTURES}${rel}`);
      const all = units(bytes);
      expect(all.at(-1)?.end).toBe(bytes.length);
      const fullFrames = parseInChunks(bytes, bytes.length).frames;
      let boundaries = 0;
      for (let cut = 0; cut <= bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        const { frames, summary } = parseInChunks(prefix, prefix.length);
        const complete = all.filter((u) => u.end <= cut);
        const cutIn = all.find((u) => u.start < cut && cut < u.end);
        const expectedFrames = complete.filter((u) => u.isFrame).length;
        expect(frames).toEqual(fullFrames.slice(0, expectedFrames));
        expect(summary.fatal).toBeNull();
        if (cutIn === undefined) {
          boundaries++;
          expect(summary.truncated).toBeNull();
          expect(summary.bytesConsumed).toBe(cut);
        } else {
          const have = cut - cutIn.start;
          expect(summary.truncated).toMatchObject({
            code: 'TRUNCATED',
            offset: cutIn.start,
            have,
            need: have >= cutIn.headerLen ? cutIn.end - cutIn.start : expect.any(Number),
            frame: expectedFrames + 1,
          });
          expect(summary.truncated!.need).toBeGreaterThan(have);
          expect(summary.bytesConsumed).toBe(cutIn.start);
        }
      }
      expect(boundaries).toBe(all.length + 1);
    },
  );

  it('reports what the cut fell inside: header, frame or another block', () => {
    const ng = readFileSync(`${FIXTURES}public/sip-keepalive-register-401.pcapng`);
    const u = units(ng);
    const inside = (cut: number): string | undefined => parseCapture(ng.subarray(0, cut), () => undefined).truncated?.inside;
    expect(inside(5)).toBe('header');
    const firstFrame = u.find((x) => x.isFrame)!;
    const firstOther = u.find((x, i) => i > 0 && !x.isFrame)!;
    expect(inside(firstFrame.start + 10)).toBe('frame');
    expect(inside(firstOther.start + 10)).toBe('block');
    const pcap = readFileSync(`${FIXTURES}public/rtcp-compound-multiple-per-datagram-linux-sll.pcap`);
    expect(inside(0)).toBeUndefined();
    expect(parseCapture(pcap.subarray(0, 2), () => undefined).truncated).toMatchObject({ inside: 'header', need: 24, have: 2 });
    expect(parseCapture(pcap.subarray(0, 30), () => undefined).truncated).toMatchObject({ inside: 'frame', frame: 1 });
  });
});

describe('random bytes never throw (fast-check)', () => {
  const PCAP_HEADER = Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
  const SHB = Uint8Array.from([
    0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x1c, 0, 0, 0,
  ]);
  const IDB = Uint8Array.from([1, 0, 0, 0, 0x14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0x14, 0, 0, 0]);
  const prefixes = fc.constantFrom(new Uint8Array(0), PCAP_HEADER, SHB, Uint8Array.from([...SHB, ...IDB]));

  const run = (bytes: Uint8Array, chunk: number) => {
    const parser = new CaptureStreamParser();
    let frames = 0;
    for (let o = 0; o < bytes.length; o += chunk) {
      parser.push(bytes.subarray(o, o + chunk), (f) => {
        frames++;
        // Frames are always internally consistent, whatever the input.
        if (f.tsNsec < 0 || f.tsNsec >= 1e9 || !Number.isFinite(f.tsSec)) throw new Error('bad timestamp');
        if (f.index !== frames) throw new Error('bad index');
      });
    }
    return { summary: parser.end(), frames };
  };

  it('never throws; the outcome does not depend on chunking', () => {
    fc.assert(
      fc.property(prefixes, fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }), (prefix, tail, chunk) => {
        const bytes = Uint8Array.from([...prefix, ...tail]);
        const whole = run(bytes, Math.max(1, bytes.length));
        const chunked = run(bytes, chunk);
        expect(chunked).toEqual(whole);
        // Exactly one of: clean end, fatal, truncated (or an empty input).
        const s = whole.summary;
        expect(s.fatal !== null && s.truncated !== null).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated real captures never throw', () => {
    const base = readFileSync(`${FIXTURES}public/sip-keepalive-register-401.pcapng`);
    const pcap = readFileSync(`${FIXTURES}public/rtcp-compound-multiple-per-datagram-linux-sll.pcap`);
    fc.assert(
      fc.property(
        fc.constantFrom(base, pcap),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (file, edits) => {
          const bytes = Uint8Array.from(file);
          for (const [pos, val] of edits) bytes[pos % bytes.length] = val;
          const s = parseCapture(bytes, () => undefined);
          expect(s.frames).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
