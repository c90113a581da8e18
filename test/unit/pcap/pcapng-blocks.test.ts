/**
 * Hand-built captures in annotated hex: pcapng sections, interfaces, resolutions and block types;
 * classic pcap in both byte orders and both resolutions; and the fatal format errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import { CaptureStreamParser, parseCapture } from '../../../src/lib/pcap/stream-parser.js';
import { copyFrame, parseInChunks, type FrameCopy } from './capture-truth.js';

/** Two sections: the first little-endian, the second big-endian. */
const TWO_SECTIONS = hex`
  // ── section 0, little-endian ──────────────────────────────────────────────
  0a 0d 0d 0a  1c 00 00 00      // SHB, length 28
  4d 3c 2b 1a                   // byte-order magic 0x1a2b3c4d, written LE
  01 00 00 00                   // version 1.0
  ff ff ff ff ff ff ff ff       // section length: unknown
  1c 00 00 00
  01 00 00 00  14 00 00 00      // IDB (interface 0), length 20
  01 00 00 00                   // LINKTYPE_ETHERNET, reserved
  00 00 04 00                   // snaplen 262144
  14 00 00 00                   // no options: if_tsresol defaults to 6 (µs)
  01 00 00 00  28 00 00 00      // IDB (interface 1), length 40
  65 00 00 00                   // LINKTYPE_RAW (101)
  ff ff 00 00                   // snaplen 65535
  02 00 04 00  65 74 68 31      // if_name "eth1"
  09 00 01 00  09 00 00 00      // if_tsresol 9: nanoseconds
  00 00 00 00                   // opt_endofopt
  28 00 00 00
  06 00 00 00  24 00 00 00      // EPB, length 36
  00 00 00 00                   // interface 0 (µs)
  24 0a 06 00  40 22 20 18      // ts high, low: 1700000000123456 µs
  04 00 00 00  3c 00 00 00      // captured 4, on the wire 60
  de ad be ef
  24 00 00 00
  06 00 00 00  24 00 00 00      // EPB, length 36
  01 00 00 00                   // interface 1 (ns)
  fe 9c 97 17  b1 32 a3 ac      // ts: 1700000001987654321 ns
  03 00 00 00  03 00 00 00      // captured 3, on the wire 3
  01 02 03 00                   // data + 1 byte padding
  24 00 00 00
  ad 0b 00 00  10 00 00 00      // block type 0xbad: unknown here, skipped by its length
  11 22 33 44
  10 00 00 00
  05 00 00 00  34 00 00 00      // ISB, length 52
  01 00 00 00                   // interface 1
  00 00 00 00  00 00 00 00      // ts (unused)
  04 00 08 00  0a 00 00 00 00 00 00 00   // isb_ifrecv 10
  05 00 08 00  03 00 00 00 00 00 00 00   // isb_ifdrop 3
  00 00 00 00                   // opt_endofopt
  34 00 00 00
  // ── section 1, big-endian: interfaces start again from 0 ──────────────────
  0a 0d 0d 0a  00 00 00 1c      // SHB, length 28
  1a 2b 3c 4d                   // byte-order magic, written BE
  00 01 00 00                   // version 1.0
  ff ff ff ff ff ff ff ff
  00 00 00 1c
  00 00 00 01  00 00 00 2c      // IDB (interface 0 of section 1), length 44
  00 71 00 00                   // LINKTYPE_LINUX_SLL (113)
  00 00 00 00                   // snaplen 0: unlimited
  00 09 00 01  94 00 00 00      // if_tsresol 0x94: 2^-20 s ticks
  00 0e 00 08  00 00 00 00 00 00 00 64   // if_tsoffset +100 s
  00 00 00 00
  00 00 00 2c
  00 00 00 06  00 00 00 28      // EPB, length 40
  00 00 00 00                   // interface 0
  00 05 f5 e1  00 08 00 00      // ts: 1600000000·2^20 + 2^19 ticks = 1600000000.5 s
  00 00 00 05  00 00 00 05      // captured 5, on the wire 5
  45 00 00 05  ff 00 00 00      // data + 3 bytes padding
  00 00 00 28
  00 00 00 03  00 00 00 14      // SPB, length 20: interface 0, no timestamp
  00 00 00 02                   // on the wire 2
  aa bb 00 00
  00 00 00 14
  00 00 00 02  00 00 00 24      // obsolete Packet Block, length 36
  00 00 00 07                   // interface 0, drops 7
  00 05 f5 e1  00 10 00 01      // ts: 1600000001·2^20 + 1 ticks
  00 00 00 01  00 00 00 01      // captured 1, on the wire 1
  99 00 00 00
  00 00 00 24
`;

const TWO_SECTIONS_FRAMES: FrameCopy[] = [
  { tsSec: 1700000000, tsNsec: 123456000, linkType: 1, origLen: 60, index: 1, fileIndex: 0, data: 'deadbeef' },
  { tsSec: 1700000001, tsNsec: 987654321, linkType: 101, origLen: 3, index: 2, fileIndex: 0, data: '010203' },
  // +100 s if_tsoffset; half a second in 2^-20 ticks
  { tsSec: 1600000100, tsNsec: 500000000, linkType: 113, origLen: 5, index: 3, fileIndex: 0, data: '45000005ff' },
  // SPB: no timestamp of its own, keeps the previous frame's
  { tsSec: 1600000100, tsNsec: 500000000, linkType: 113, origLen: 2, index: 4, fileIndex: 0, data: 'aabb' },
  // one 2^-20 s tick = 953.67 ns, truncated
  { tsSec: 1600000101, tsNsec: 953, linkType: 113, origLen: 1, index: 5, fileIndex: 0, data: '99' },
];

describe('pcapng: sections, interfaces, resolutions, block types', () => {
  it('reads both sections with per-interface if_tsresol / if_tsoffset', () => {
    const { frames, summary } = parseInChunks(TWO_SECTIONS, TWO_SECTIONS.length);
    expect(frames).toEqual(TWO_SECTIONS_FRAMES);
    expect(summary.format).toBe('pcapng');
    expect(summary.fatal).toBeNull();
    expect(summary.truncated).toBeNull();
    expect(summary.linkTypes).toEqual([1, 101, 113]);
    expect(summary.frames).toBe(5);
    expect(summary.bytes).toBe(60 + 3 + 5 + 2 + 1);
    expect(summary.capturedBytes).toBe(4 + 3 + 5 + 2 + 1);
    expect(summary.firstTs).toEqual({ sec: 1600000100, nsec: 500000000 });
    expect(summary.lastTs).toEqual({ sec: 1700000001, nsec: 987654321 });
    expect(summary.bytesConsumed).toBe(TWO_SECTIONS.length);
  });

  it('keeps the ISB drop counters of the interface that reported them', () => {
    const { summary } = parseInChunks(TWO_SECTIONS, TWO_SECTIONS.length);
    expect(summary.interfaceDrops).toEqual([
      { section: 0, interfaceId: 1, name: 'eth1', linkType: 101, received: 10, dropped: 3, osDropped: null },
    ]);
  });

  it('obeys the chunking law on the hand-built file', () => {
    const whole = parseInChunks(TWO_SECTIONS, TWO_SECTIONS.length);
    for (const size of [1, 2, 3, 5, 7, 13, 64]) expect(parseInChunks(TWO_SECTIONS, size)).toEqual(whole);
  });

  it('passes fileIndex through to every frame', () => {
    const parser = new CaptureStreamParser({ fileIndex: 3 });
    const seen: number[] = [];
    parser.push(TWO_SECTIONS, (f) => seen.push(f.fileIndex));
    expect(seen).toEqual([3, 3, 3, 3, 3]);
  });
});

/** SHB (LE, 28 bytes) + IDB (Ethernet) with one if_tsresol option byte (`resol`). */
function sectionWithResolution(resol: string): Uint8Array {
  return hex`
    0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 1c 00 00 00
    01 00 00 00 20 00 00 00 01 00 00 00 00 00 00 00
    09 00 01 00 ${resol} 00 00 00                       // if_tsresol
    00 00 00 00 20 00 00 00`;
}

/** EPB on interface 0 with the given raw 64-bit tick count (hex, high word first, LE words). */
function epbTicks(high: string, low: string): Uint8Array {
  return hex`06 00 00 00 20 00 00 00 00 00 00 00 ${high} ${low} 00 00 00 00 00 00 00 00 20 00 00 00`;
}

describe('pcapng timestamps: exact conversion for every resolution', () => {
  // ticks are written as two LE 32-bit words: [high, low]
  const cases: { name: string; resol: string; high: string; low: string; sec: number; nsec: number }[] = [
    // 2^64-1 ns: beyond 2^53, exercises the split division
    { name: 'ns, max 64-bit', resol: '09', high: 'ff ff ff ff', low: 'ff ff ff ff', sec: 18446744073, nsec: 709551615 },
    { name: 'µs', resol: '06', high: '00 00 00 00', low: '40 42 0f 00', sec: 1, nsec: 0 },
    { name: 'ms', resol: '03', high: '00 00 00 00', low: 'e9 03 00 00', sec: 1, nsec: 1000000 },
    { name: '100 ns (Windows)', resol: '07', high: '00 00 00 00', low: '81 96 98 00', sec: 1, nsec: 100 },
    { name: 'ps (10^-12, BigInt path)', resol: '0c', high: '00 00 00 00', low: 'ff c9 9a 3b', sec: 0, nsec: 999999 },
    { name: '2^-10', resol: '8a', high: '00 00 00 00', low: '00 06 00 00', sec: 1, nsec: 500000000 },
    { name: '2^-32', resol: 'a0', high: '05 00 00 00', low: '00 00 00 40', sec: 5, nsec: 250000000 },
  ];
  it.each(cases)('$name', ({ resol, high, low, sec, nsec }) => {
    const frames: FrameCopy[] = [];
    const bytes = new Uint8Array([...sectionWithResolution(resol), ...epbTicks(high, low)]);
    const s = parseCapture(bytes, (f) => frames.push(copyFrame(f)));
    expect(s.fatal).toBeNull();
    expect([frames[0]?.tsSec, frames[0]?.tsNsec]).toEqual([sec, nsec]);
  });

  it('agrees with exact BigInt arithmetic for any 64-bit tick count and 10^-k resolution (seconds < 2^53)', () => {
    const word = (n: number): string => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, n, true);
      return Buffer.from(b).toString('hex');
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { minLength: 1, maxLength: 4 }),
        (k, ticks) => {
          const tps = 10n ** BigInt(k);
          // Seconds beyond 2^53 (k ≤ 2 with a large high word) are not representable: out of scope.
          fc.pre(ticks.every(([hi]) => ((BigInt(hi) + 1n) << 32n) / tps < 2n ** 53n));
          const resol = k.toString(16).padStart(2, '0');
          const parts: Uint8Array[] = [sectionWithResolution(resol)];
          // the same high word twice in a row exercises the per-high-word cache
          for (const [hi, lo] of ticks) parts.push(epbTicks(word(hi), word(lo)), epbTicks(word(hi), word((lo + 1) >>> 0)));
          const frames: FrameCopy[] = [];
          parseCapture(Buffer.concat(parts), (f) => frames.push(copyFrame(f)));
          const want = ticks.flatMap(([hi, lo]) =>
            [lo, (lo + 1) >>> 0].map((l) => {
              const t = (BigInt(hi) << 32n) | BigInt(l);
              return [Number(t / tps), Number(((t % tps) * 1_000_000_000n) / tps)];
            }),
          );
          expect(frames.map((f) => [f.tsSec, f.tsNsec])).toEqual(want);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ns around every second boundary stays exact (no float rounding)', () => {
    // t = S·10^9 + r for a present-day S and r near 0 and 10^9
    const S = 1795341362n;
    for (const r of [0n, 1n, 999999999n, 500000000n, 818349479n]) {
      const t = S * 1_000_000_000n + r;
      const le = new Uint8Array(8);
      new DataView(le.buffer).setUint32(0, Number(t >> 32n), true);
      new DataView(le.buffer).setUint32(4, Number(t & 0xffffffffn), true);
      const frames: FrameCopy[] = [];
      parseCapture(
        new Uint8Array([...sectionWithResolution('09'), ...epbTicks(Buffer.from(le.subarray(0, 4)).toString('hex'), Buffer.from(le.subarray(4)).toString('hex'))]),
        (f) => frames.push(copyFrame(f)),
      );
      expect([frames[0]?.tsSec, frames[0]?.tsNsec]).toEqual([Number(S), Number(r)]);
    }
  });
});

describe('classic pcap: both byte orders, µs and ns', () => {
  const cases: { name: string; bytes: Uint8Array; format: string; sec: number; nsec: number; linkType: number }[] = [
    {
      name: 'big-endian µs',
      bytes: hex`
        a1 b2 c3 d4  00 02 00 04    // magic (BE), version 2.4
        00 00 00 00  00 00 00 00    // thiszone, sigfigs
        00 00 ff ff  00 00 00 01    // snaplen 65535, LINKTYPE_ETHERNET
        65 53 f1 00  00 0f 42 3f    // ts 1700000000 s + 999999 µs
        00 00 00 02  00 00 00 40    // captured 2, on the wire 64
        ca fe`,
      format: 'pcap',
      sec: 1700000000,
      nsec: 999999000,
      linkType: 1,
    },
    {
      name: 'little-endian ns',
      bytes: hex`
        4d 3c b2 a1  02 00 04 00    // magic a1b23c4d written LE, version 2.4
        00 00 00 00  00 00 00 00
        00 00 04 00  14 01 00 00    // snaplen 262144, LINKTYPE_LINUX_SLL2 (276)
        00 f1 53 65  ff c9 9a 3b    // ts 1700000000 s + 999999999 ns
        02 00 00 00  40 00 00 00
        ca fe`,
      format: 'pcap-ns',
      sec: 1700000000,
      nsec: 999999999,
      linkType: 276,
    },
    {
      name: 'big-endian ns, FCS bits in the link-type field',
      bytes: hex`
        a1 b2 3c 4d  00 02 00 04
        00 00 00 00  00 00 00 00
        00 00 ff ff  14 00 00 65    // LINKTYPE_RAW (101) with FCS-present bits 26-31 set
        ff ff ff ff  00 00 00 01    // ts_sec 2^32-1 (year 2106): unsigned
        00 00 00 02  00 00 00 02
        ca fe`,
      format: 'pcap-ns',
      sec: 4294967295,
      nsec: 1,
      linkType: 101,
    },
    {
      name: 'little-endian µs with an out-of-range µs field (normalised)',
      bytes: hex`
        d4 c3 b2 a1  02 00 04 00  00 00 00 00  00 00 00 00  ff ff 00 00  01 00 00 00
        00 00 00 00  40 42 0f 00    // 0 s + 1000000 µs: really 1 s
        02 00 00 00  02 00 00 00  ca fe`,
      format: 'pcap',
      sec: 1,
      nsec: 0,
      linkType: 1,
    },
  ];
  it.each(cases)('$name', ({ bytes, format, sec, nsec, linkType }) => {
    const { frames, summary } = parseInChunks(bytes, bytes.length);
    expect(summary.format).toBe(format);
    expect(summary.fatal).toBeNull();
    expect(summary.truncated).toBeNull();
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ tsSec: sec, tsNsec: nsec, linkType, data: 'cafe', index: 1 });
    expect(parseInChunks(bytes, 1)).toEqual({ frames, summary });
  });

  it('a header-only capture is valid: no frames, no error', () => {
    const s = parseCapture(hex`d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 01 00 00 00`, () => undefined);
    expect(s).toMatchObject({ format: 'pcap', frames: 0, fatal: null, truncated: null, firstTs: null, linkTypes: [1] });
  });
});

describe('fatal format errors stop the parser, never throw', () => {
  const SHB = '0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 1c 00 00 00';
  const IDB = '01 00 00 00 14 00 00 00 01 00 00 00 00 00 04 00 14 00 00 00';
  const PCAP = 'd4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 01 00 00 00';
  const cases: { name: string; bytes: Uint8Array; code: string; offset: number; frames?: number }[] = [
    { name: 'text file', bytes: new TextEncoder().encode('GET / HTTP/1.1\r\n'), code: 'BAD_MAGIC', offset: 0 },
    { name: 'one wrong byte', bytes: hex`7f`, code: 'BAD_MAGIC', offset: 0 },
    // found by fast-check: fed byte by byte, a broken signature must fail as early as a whole one
    { name: 'pcap magic broken at its second byte', bytes: hex`d4 00`, code: 'BAD_MAGIC', offset: 0 },
    { name: 'SHB type but no byte-order magic', bytes: hex`0a 0d 0d 0a 1c 00 00 00 00 00 00 00`, code: 'BAD_MAGIC', offset: 8 },
    {
      name: 'EPB before any IDB',
      bytes: hex`${SHB} 06 00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 20 00 00 00`,
      code: 'NO_INTERFACE',
      offset: 36,
    },
    {
      name: 'EPB for interface 1 when only 0 exists',
      bytes: hex`${SHB} ${IDB} 06 00 00 00 20 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 20 00 00 00`,
      code: 'NO_INTERFACE',
      offset: 56,
    },
    { name: 'block length not a multiple of 4', bytes: hex`${SHB} 01 00 00 00 15 00 00 00`, code: 'BAD_BLOCK_LENGTH', offset: 32 },
    { name: 'block length below 12', bytes: hex`${SHB} 01 00 00 00 08 00 00 00`, code: 'BAD_BLOCK_LENGTH', offset: 32 },
    {
      name: 'trailing block length differs',
      bytes: hex`${SHB} 01 00 00 00 14 00 00 00 01 00 00 00 00 00 04 00 18 00 00 00`,
      code: 'BAD_BLOCK_LENGTH',
      offset: 44,
    },
    {
      name: 'EPB captured length beyond its block',
      bytes: hex`${SHB} ${IDB} 06 00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff 00 00 00 00 00 00 00 20 00 00 00`,
      code: 'BAD_BLOCK',
      offset: 68,
    },
    { name: 'pcapng block over 256 MiB', bytes: hex`${SHB} 01 00 00 00 04 00 00 20`, code: 'RECORD_TOO_LARGE', offset: 32 },
    {
      name: 'second SHB with a bad byte-order magic',
      bytes: hex`${SHB} ${IDB} 0a 0d 0d 0a 1c 00 00 00 11 22 33 44`,
      code: 'BAD_BYTE_ORDER',
      offset: 56,
    },
    {
      name: 'pcap record over 256 MiB, after one good frame',
      bytes: hex`${PCAP} 00 00 00 00 00 00 00 00 01 00 00 00 01 00 00 00 aa
                  00 00 00 00 00 00 00 00 01 00 00 10 01 00 00 10`,
      code: 'RECORD_TOO_LARGE',
      offset: 41,
      frames: 1,
    },
  ];
  it.each(cases)('$name → $code', ({ bytes, code, offset, frames = 0 }) => {
    for (const size of [1, 3, bytes.length]) {
      const { frames: got, summary } = parseInChunks(bytes, size);
      expect(summary.fatal).toMatchObject({ code, offset });
      expect(summary.truncated).toBeNull();
      expect(got).toHaveLength(frames);
    }
  });

  it('ignores pushes after a fatal error', () => {
    const p = new CaptureStreamParser();
    p.push(new TextEncoder().encode('hello'), () => undefined);
    expect(p.fatal?.code).toBe('BAD_MAGIC');
    p.push(hex`d4 c3 b2 a1`, () => {
      throw new Error('no frame expected');
    });
    expect(p.end().fatal?.code).toBe('BAD_MAGIC');
  });
});
