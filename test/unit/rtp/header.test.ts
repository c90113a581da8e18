import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRtp, encodeRtp, payloadHead32, rtpHeaderLength, rtpPacketLength, type RtpPacket } from '../../../src/lib/rtp/header.js';
import { hex } from '../../helpers/hex.js';

describe('decodeRtp', () => {
  it('decodes a real RFC 4733 packet (rtp-only-rfc2833-dtmf-digit-1.pcap, frame 1)', () => {
    const b = hex`
      80 e5           // V=2 P=0 X=0 CC=0 | M=1 PT=101
      1f30            // seq 7984
      000033e0        // timestamp 13280
      0e05384e        // SSRC
      01 0a 0000      // event 1, E=0 vol 10, duration 0
    `;
    const r = decodeRtp(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ marker: true, payloadType: 101, sequenceNumber: 7984, timestamp: 13280, ssrc: 0x0e05384e, csrc: [], extension: null, padding: false });
    expect([...r.value.payload]).toEqual([0x01, 0x0a, 0x00, 0x00]);
    expect(r.end).toBe(16);
    expect(payloadHead32(r.value.payload)).toBe(0x010a0000);
  });

  it('decodes CSRCs, an RFC 8285 one-byte extension and padding', () => {
    const b = hex`
      b2 08 0001      // V=2 P=1 X=1 CC=2 | M=0 PT=8 | seq 1
      00000a00        // timestamp 2560
      11223344        // SSRC
      aaaaaaaa bbbbbbbb          // CSRC 1, 2
      bede 0001                  // profile 0xBEDE, 1 word
      10 ff 00 00                // id 1 len 0: one byte 0xff, then padding
      d5 d5 d5                   // payload (3 bytes)
      00 00 03                   // padding, last octet counts 3
    `;
    const r = decodeRtp(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.csrc).toEqual([0xaaaaaaaa, 0xbbbbbbbb]);
    expect(r.value.extension?.profile).toBe(0xbede);
    expect([...r.value.extension!.data]).toEqual([0x10, 0xff, 0, 0]);
    expect([...r.value.payload]).toEqual([0xd5, 0xd5, 0xd5]);
    expect(r.value.paddingBytes).toBe(3);
    expect(rtpHeaderLength(r.value)).toBe(28);
  });

  it.each([
    ['short fixed header', hex`80 00 00 01 00 00`, 'TRUNCATED', 12, 6],
    ['CSRC list cut', hex`82 00 0001 00000000 00000001 aaaaaaaa`, 'TRUNCATED', 20, 16],
    ['extension header cut', hex`90 00 0001 00000000 00000001 bede`, 'TRUNCATED', 16, 14],
    ['extension data cut', hex`90 00 0001 00000000 00000001 bede 0002 00000000`, 'TRUNCATED', 24, 20],
  ])('%s → %s need %d have %d', (_name, b, code, need, have) => {
    const r = decodeRtp(b);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code, need, have, layer: 'rtp', offset: 0 });
  });

  it.each([
    ['version 1', hex`40 00 0001 00000000 00000001`, 'BAD_VERSION'],
    ['version 3', hex`c0 00 0001 00000000 00000001`, 'BAD_VERSION'],
    ['padding count 0', hex`a0 00 0001 00000000 00000001 d5 00`, 'BAD_PADDING'],
    ['padding longer than payload', hex`a0 00 0001 00000000 00000001 d5 05`, 'BAD_PADDING'],
  ])('%s → %s', (_name, b, code) => {
    const r = decodeRtp(b);
    expect(r.ok ? null : r.error.code).toBe(code);
  });

  it('decodes at an offset and counts need/have from it', () => {
    const b = hex`ffff 80 00 0001 00000002 00000003`;
    const r = decodeRtp(b, 2);
    expect(r.ok && r.value.timestamp).toBe(2);
    const t = decodeRtp(b.subarray(0, 10), 2);
    expect(t.ok ? null : t.error).toMatchObject({ code: 'TRUNCATED', offset: 2, need: 12, have: 8 });
  });
});

describe('encodeRtp', () => {
  it('refuses fields that do not fit', () => {
    const base = { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: new Uint8Array(0) };
    expect(encodeRtp({ ...base, csrc: new Array(16).fill(1) }).ok).toBe(false);
    expect(encodeRtp({ ...base, extension: { profile: 0xbede, data: new Uint8Array(3) } }).ok).toBe(false);
    expect(encodeRtp({ ...base, padding: true, paddingBytes: 0 }).ok).toBe(false);
    expect(encodeRtp({ ...base, payloadType: 128 }).ok).toBe(false);
  });
});

// Shared codec laws (STYLE.md rule 14).
const arbPacket = fc.record({
  marker: fc.boolean(),
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  ssrc: fc.integer({ min: 0, max: 0xffffffff }),
  csrc: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
  extension: fc.option(
    fc.record({ profile: fc.integer({ min: 0, max: 0xffff }), data: fc.integer({ min: 0, max: 6 }).map((w) => new Uint8Array(4 * w).fill(7)) }),
    { nil: null },
  ),
  payload: fc.uint8Array({ maxLength: 64 }),
  padding: fc.boolean(),
  paddingBytes: fc.integer({ min: 1, max: 255 }),
});

describe('RTP codec laws', () => {
  it('round trip: decode(encode(p)) = p', () => {
    fc.assert(
      fc.property(arbPacket, (p) => {
        const e = encodeRtp(p);
        expect(e.ok).toBe(true);
        if (!e.ok) return;
        expect(e.value.length).toBe(rtpPacketLength({ ...p, paddingBytes: p.padding ? p.paddingBytes : 0 }));
        const d = decodeRtp(e.value);
        expect(d.ok).toBe(true);
        if (!d.ok) return;
        const want: RtpPacket = { ...p, paddingBytes: p.padding ? p.paddingBytes : 0 };
        expect({ ...d.value, payload: [...d.value.payload], extension: d.value.extension && { ...d.value.extension, data: [...d.value.extension.data] } }).toEqual({
          ...want,
          payload: [...want.payload],
          extension: want.extension && { ...want.extension, data: [...want.extension.data] },
        });
      }),
    );
  });

  it('every cut inside the header is TRUNCATED with exact need/have', () => {
    fc.assert(
      fc.property(arbPacket, (p) => {
        const e = encodeRtp({ ...p, padding: false });
        if (!e.ok) return;
        const cc = p.csrc.length;
        const bounds = [12, 12 + 4 * cc, ...(p.extension ? [16 + 4 * cc, 16 + 4 * cc + p.extension.data.length] : [])];
        const headerLength = bounds[bounds.length - 1]!;
        for (let cut = 0; cut < headerLength; cut++) {
          const r = decodeRtp(e.value.subarray(0, cut));
          expect(r.ok).toBe(false);
          if (r.ok) return;
          expect(r.error.code).toBe('TRUNCATED');
          expect(r.error.have).toBe(cut);
          expect(r.error.need).toBe(bounds.find((b) => b > cut));
        }
        // Cuts in the payload are shorter packets, not errors.
        for (let cut = headerLength; cut <= e.value.length; cut++) expect(decodeRtp(e.value.subarray(0, cut)).ok).toBe(true);
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(210), (b, off) => {
        const r = decodeRtp(b, Math.min(off, b.length));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
