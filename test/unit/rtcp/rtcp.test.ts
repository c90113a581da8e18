/**
 * RTCP packet codecs: annotated bytes, the real datagrams of the public captures checked
 * against tshark 4.0.17's decoding of them, and the shared codec laws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeApplicationDefined, encodeApplicationDefined } from '../../../src/lib/rtcp/app.js';
import { decodeGoodbye, encodeGoodbye, goodbyeLength } from '../../../src/lib/rtcp/bye.js';
import { decodeRtcpCompound, encodeRtcpCompound, type RtcpPacket } from '../../../src/lib/rtcp/compound.js';
import { ntpMiddle32 } from '../../../src/lib/rtcp/header.js';
import {
  decodeReceiverReport,
  encodeReceiverReport,
  receiverReportLength,
  type ReportBlock,
} from '../../../src/lib/rtcp/receiver-report.js';
import { SDES_ITEM, decodeSourceDescription, encodeSourceDescription, sourceDescriptionLength } from '../../../src/lib/rtcp/sdes.js';
import { decodeSenderReport, encodeSenderReport, senderReportLength, unixToNtp } from '../../../src/lib/rtcp/sender-report.js';
import { decodeExtendedReport, encodeExtendedReport } from '../../../src/lib/rtcp/xr.js';
import { hex } from '../../helpers/hex.js';
import { readRtcpDatagrams } from './rtcp-fixtures.js';

const SR_WITH_BLOCK = hex`
  81 c8 000c                  // V=2 P=0 RC=1 | PT=SR | length 12 words (52 bytes)
  5a3361b3                    // SSRC of sender
  0026481d 99580fb1           // NTP 2508829.5990...
  05b6fe86                    // RTP timestamp 95878790
  00000001 000000a0           // 1 packet, 160 octets
  42f433d4                    // block: about SSRC 0x42F433D4
  00 000000                   //   fraction lost 0, cumulative lost 0
  0000d444                    //   extended highest seq 54340
  00000000                    //   jitter 0
  09253062                    //   LSR
  00000418                    //   DLSR 1048/65536 s
`;

describe('Sender Report', () => {
  it('decodes frame 17 of sip-tcp-call-g711-rtp-rtcp.pcap as tshark does', () => {
    const r = decodeSenderReport(SR_WITH_BLOCK);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.end).toBe(52);
    expect(r.value).toMatchObject({ ssrc: 0x5a3361b3, ntpSec: 2508829, ntpFrac: 2572685233, rtpTimestamp: 95878790, packetCount: 1, octetCount: 160 });
    expect(r.value.reports).toEqual([
      { ssrc: 0x42f433d4, fractionLost: 0, cumulativeLost: 0, extendedHighestSeq: 54340, jitter: 0, lastSr: 153432162, delaySinceLastSr: 1048 },
    ]);
    expect(r.value.extension.length).toBe(0);
  });

  it('refuses another packet type, and RC that does not fit the length', () => {
    const rr = hex`80 c9 0001 00000001`;
    expect(decodeSenderReport(rr)).toMatchObject({ ok: false, error: { code: 'WRONG_TYPE' } });
    const lying = Uint8Array.from(SR_WITH_BLOCK);
    lying[0] = 0x82; // RC=2 in 52 bytes
    expect(decodeSenderReport(lying)).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH' } });
  });

  it('converts Unix time to NTP and takes the LSR middle bits', () => {
    expect(unixToNtp(0, 500_000_000)).toEqual({ ntpSec: 2208988800, ntpFrac: 0x80000000 });
    expect(ntpMiddle32(0x00200925, 0x30624d9b)).toBe(0x09253062);
  });
});

describe('Receiver Report', () => {
  it('decodes a signed cumulative loss and extensions', () => {
    const b = hex`
      81 c9 0008                  // RC=1 PT=RR, 9 words
      01932db4                    // sender
      5d931534                    // about
      40 fffffe                   // fraction 64/256, cumulative −2 (duplicates)
      0000bf8b 00000006           // highest seq 49035, jitter 6
      c1704d61 0004051c           // LSR, DLSR
      cafebabe                    // profile-specific extension
    `;
    const r = decodeReceiverReport(b);
    expect(r.ok && r.value.reports[0]).toMatchObject({ fractionLost: 64, cumulativeLost: -2, extendedHighestSeq: 49035, jitter: 6 });
    expect(r.ok && [...r.value.extension]).toEqual([0xca, 0xfe, 0xba, 0xbe]);
  });

  it('clamps cumulative loss to 24 signed bits when encoding', () => {
    const block: ReportBlock = { ssrc: 1, fractionLost: 0, cumulativeLost: 1e9, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 };
    const e = encodeReceiverReport({ ssrc: 2, reports: [block, { ...block, cumulativeLost: -1e9 }], extension: new Uint8Array(0) });
    const d = e.ok ? decodeReceiverReport(e.value) : null;
    expect(d?.ok && d.value.reports.map((x) => x.cumulativeLost)).toEqual([0x7fffff, -0x800000]);
  });
});

describe('SDES, BYE, APP, XR', () => {
  it('decodes CNAME, NOTE and PRIV items', () => {
    const b = hex`
      81 ca 0007                  // SC=1 PT=SDES, 8 words
      5d931534                    // chunk SSRC
      01 08 3564393331353334      // CNAME "5d931534"
      07 02 6869                  // NOTE "hi"
      08 05 02 7878 7979          // PRIV prefix "xx" value "yy"
      00 00 00                    // end of items, pad to 32 bits
    `;
    const r = decodeSourceDescription(b);
    expect(r.ok && r.value.chunks).toEqual([
      { ssrc: 0x5d931534, items: [{ type: 1, text: '5d931534' }, { type: 7, text: 'hi' }, { type: 8, prefix: 'xx', text: 'yy' }] },
    ]);
  });

  it('SDES items running past the packet are BAD_LENGTH', () => {
    expect(decodeSourceDescription(hex`81 ca 0002 00000001 01 09 414141`)).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH' } });
  });

  it('decodes BYE with and without a reason', () => {
    expect(decodeGoodbye(hex`81 cb 0001 11223344`)).toMatchObject({ ok: true, value: { ssrcs: [0x11223344], reason: null } });
    const b = hex`81 cb 0003 11223344 04 62796521 000000`; // "bye!"
    expect(decodeGoodbye(b)).toMatchObject({ ok: true, value: { ssrcs: [0x11223344], reason: 'bye!' } });
    expect(goodbyeLength({ ssrcs: [1], reason: 'bye!' })).toBe(16);
  });

  it('decodes APP', () => {
    const r = decodeApplicationDefined(hex`83 cc 0003 11223344 51 4f 53 31 01020304`); // subtype 3, "QOS1"
    expect(r.ok && { ...r.value, data: [...r.value.data] }).toEqual({ subtype: 3, ssrc: 0x11223344, name: 'QOS1', data: [1, 2, 3, 4] });
  });

  // Checked against tshark 4.0.17 (`-d udp.port==40001,rtcp -V`), which shows the same values.
  const XR_VOIP = hex`
    80 cf 000a  11223344          // PT=XR, 11 words, sender SSRC
    07 00 0008  aabbccdd          // BT=7 VoIP Metrics, block length 8, source SSRC
    0d 05 40 02                   // loss 13/256, discard 5/256, burst density 64, gap density 2
    0078 1388                     // burst 120 ms, gap 5000 ms
    0032 0064                     // round trip 50 ms, end system 100 ms
    e6 b5 7f 10                   // signal −26 dBm, noise −75 dBm, RERL unavailable, Gmin 16
    5d 7f 29 2a                   // R 93, ext R unavailable, MOS-LQ 4.1, MOS-CQ 4.2
    f6 00 0028                    // PLC standard, JB adaptive, rate 6; JB nominal 40 ms
    0050 00c8                     // JB maximum 80 ms, absolute maximum 200 ms
  `;

  it('decodes the RFC 3611 VoIP Metrics block', () => {
    const r = decodeExtendedReport(XR_VOIP);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.ssrc).toBe(0x11223344);
    expect(r.value.blocks).toEqual([
      {
        blockType: 7,
        voip: {
          ssrc: 0xaabbccdd, lossRate: 13, discardRate: 5, burstDensity: 64, gapDensity: 2, burstDurationMs: 120, gapDurationMs: 5000,
          roundTripDelayMs: 50, endSystemDelayMs: 100, signalLevelDbm: -26, noiseLevelDbm: -75, rerlDb: 127, gmin: 16, rFactor: 93,
          extRFactor: 127, mosLq: 41, mosCq: 42, plc: 3, jitterBufferAdaptive: 3, jitterBufferRate: 6, jbNominalMs: 40, jbMaximumMs: 80, jbAbsMaxMs: 200,
        },
      },
    ]);
    const e = encodeExtendedReport(r.value);
    expect(e.ok && [...e.value]).toEqual([...XR_VOIP]);
  });

  it('keeps other XR blocks raw, and a block overrunning the packet is BAD_LENGTH', () => {
    const b = hex`80 cf 0004 11223344  04 00 0002 e1234567 89abcdef`; // Receiver Reference Time
    const r = decodeExtendedReport(b);
    expect(r.ok && r.value.blocks.map((x) => ('data' in x ? [x.blockType, x.typeSpecific, x.data.length] : null))).toEqual([[4, 0, 8]]);
    expect(decodeExtendedReport(hex`80 cf 0002 11223344 04 00 0009`)).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH' } });
  });
});

describe('compound datagrams of the public captures, as tshark decodes them', () => {
  const sll = readRtcpDatagrams('rtcp-compound-multiple-per-datagram-linux-sll.pcap');

  it('walks SR/RR + SDES (CNAME, NOTE) in each of the 5 FreeSWITCH datagrams', () => {
    // tshark: frame | packet types | sender | about | fraction | cum | highest | jitter | LSR | DLSR
    const want = [
      [1, ['sr', 'sdes'], 0x5d931534, 0x00000000, 0, 1, 0, 0, 0, 0],
      [2, ['rr', 'sdes'], 0x01932db4, 0x00000000, 1, 1, 48834, 1, 0, 0],
      [3, ['sr', 'sdes'], 0x5d931534, 0x01932db4, 0, 1, 0, 0, 0, 0],
      [4, ['rr', 'sdes'], 0x01932db4, 0x5d931534, 0, 1, 49035, 6, 3245362529, 263452],
      [5, ['sr', 'sdes'], 0x5d931534, 0x01932db4, 0, 1, 0, 0, 0, 0],
    ] as const;
    expect(sll.map((d) => d.frame)).toEqual(want.map((w) => w[0]));
    sll.forEach((d, i) => {
      const r = decodeRtcpCompound(d.bytes);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const [, types, sender, about, fraction, cum, high, jitter, lsr, dlsr] = want[i]!;
      expect(r.value.map((p) => p.type)).toEqual(types);
      const report = r.value[0] as Extract<RtcpPacket, { type: 'sr' | 'rr' }>;
      expect(report.ssrc).toBe(sender);
      expect(report.reports[0]).toEqual({ ssrc: about, fractionLost: fraction, cumulativeLost: cum, extendedHighestSeq: high, jitter, lastSr: lsr, delaySinceLastSr: dlsr });
      const sdes = r.value[1] as Extract<RtcpPacket, { type: 'sdes' }>;
      expect(sdes.chunks[0]!.items).toEqual([
        { type: SDES_ITEM.CNAME, text: sender.toString(16) },
        { type: SDES_ITEM.NOTE, text: 'FreeSWITCH.org -- Come to ClueCon.com' },
      ]);
      expect(r.end).toBe(d.bytes.length);
    });
    // SR sender info of frame 1: NTP 3711615344.1298222584, RTP 32000, 200 packets, 32000 octets.
    const first = decodeRtcpCompound(sll[0]!.bytes);
    expect(first.ok && first.value[0]).toMatchObject({ ntpSec: 3711615344, ntpFrac: 1298222584, rtpTimestamp: 32000, packetCount: 200, octetCount: 32000 });
  });

  // AudioCodes sends CNAME as a C string: length 3, "c0" and its NUL. tshark prints "c0"; the
  // codec keeps the octets as sent (RtcpStats trims trailing NULs from the CNAME it reports).
  it('walks the AudioCodes SR + SDES datagrams (CNAME "c0\\0")', () => {
    for (const capture of ['sip-tcp-call-g711-rtp-rtcp.pcap', 'sip-prack-rtp-rtcp-audiocodes.pcap']) {
      for (const d of readRtcpDatagrams(capture)) {
        const r = decodeRtcpCompound(d.bytes);
        expect(r.ok && r.value.map((p) => p.type)).toEqual(['sr', 'sdes']);
        const sdes = r.ok ? (r.value[1] as Extract<RtcpPacket, { type: 'sdes' }>) : null;
        expect(sdes?.chunks[0]!.items).toEqual([{ type: 1, text: 'c0\u0000' }]);
      }
    }
  });

  it('keeps unknown and undecodable packets raw and goes on', () => {
    const b = hex`
      81 cd 0002 11223344 55667788    // RTPFB (205), FMT 1: not decoded here
      82 c8 0001 11223344             // SR claiming RC=2 in 8 bytes: raw with BAD_LENGTH
      81 cb 0001 11223344             // BYE
    `;
    const r = decodeRtcpCompound(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((p) => p.type)).toEqual(['raw', 'raw', 'bye']);
    expect(r.value[0]).toMatchObject({ packetType: 205, count: 1 });
    expect(r.value[0]).not.toHaveProperty('error');
    expect(r.value[1]).toMatchObject({ packetType: 200, error: 'BAD_LENGTH' });
  });

  it('a packet running past the datagram is TRUNCATED, need/have from the datagram start', () => {
    const d = sll[0]!.bytes; // SR 52 bytes + SDES 60 bytes
    expect(decodeRtcpCompound(d.subarray(0, 100))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', offset: 0, need: 112, have: 100 } });
    expect(decodeRtcpCompound(d.subarray(0, 54))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', need: 56, have: 54 } });
    expect(decodeRtcpCompound(new Uint8Array(0))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', need: 4, have: 0 } });
    expect(decodeRtcpCompound(hex`40 c8 0000`)).toMatchObject({ ok: false, error: { code: 'BAD_VERSION' } });
  });
});

// ---- Laws ------------------------------------------------------------------------------------
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const arbBlock = fc.record({
  ssrc: u32,
  fractionLost: fc.integer({ min: 0, max: 255 }),
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  extendedHighestSeq: u32,
  jitter: u32,
  lastSr: u32,
  delaySinceLastSr: u32,
});
const arbExt = fc.integer({ min: 0, max: 3 }).map((w) => new Uint8Array(4 * w).fill(9));
const arbSr = fc.record({ ssrc: u32, ntpSec: u32, ntpFrac: u32, rtpTimestamp: u32, packetCount: u32, octetCount: u32, reports: fc.array(arbBlock, { maxLength: 4 }), extension: arbExt });
const arbRr = fc.record({ ssrc: u32, reports: fc.array(arbBlock, { maxLength: 4 }), extension: arbExt });
const arbText = fc.string({ maxLength: 40 });
const arbSdes = fc.record({
  chunks: fc.array(
    fc.record({
      ssrc: u32,
      items: fc.array(
        fc.oneof(
          fc.record({ type: fc.integer({ min: 1, max: 7 }), text: arbText }),
          fc.record({ type: fc.constant(8), prefix: fc.string({ maxLength: 10 }), text: arbText }),
        ),
        { maxLength: 4 },
      ),
    }),
    { maxLength: 3 },
  ),
});
const arbBye = fc.record({ ssrcs: fc.array(u32, { maxLength: 5 }), reason: fc.option(arbText, { nil: null }) });

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? [...x] : x)));

/** Every cut of one encoded packet: TRUNCATED with need 4 (header) or the packet length. */
function truncationLaw(bytes: Uint8Array, decode: (b: Uint8Array) => { ok: boolean; error?: { code: string; need?: number; have?: number } }): void {
  for (let cut = 0; cut < bytes.length; cut++) {
    const r = decode(bytes.subarray(0, cut));
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'TRUNCATED', need: cut < 4 ? 4 : bytes.length, have: cut });
  }
}

describe('RTCP codec laws', () => {
  it('SR: round trip, length, truncation', () => {
    fc.assert(
      fc.property(arbSr, (sr) => {
        const e = encodeSenderReport(sr);
        expect(e.ok).toBe(true);
        if (!e.ok) return;
        expect(e.value.length).toBe(senderReportLength(sr));
        expect(plain(decodeSenderReport(e.value))).toEqual(plain({ ok: true, value: sr, end: e.value.length }));
        truncationLaw(e.value, decodeSenderReport);
      }),
      { numRuns: 200 },
    );
  });

  it('RR: round trip, length, truncation', () => {
    fc.assert(
      fc.property(arbRr, (rr) => {
        const e = encodeReceiverReport(rr);
        expect(e.ok).toBe(true);
        if (!e.ok) return;
        expect(e.value.length).toBe(receiverReportLength(rr));
        expect(plain(decodeReceiverReport(e.value))).toEqual(plain({ ok: true, value: rr, end: e.value.length }));
        truncationLaw(e.value, decodeReceiverReport);
      }),
      { numRuns: 200 },
    );
  });

  it('SDES: round trip, length, truncation', () => {
    fc.assert(
      fc.property(arbSdes, (sdes) => {
        const e = encodeSourceDescription(sdes);
        if (!e.ok) return; // an item over 255 UTF-8 bytes cannot happen with 40 characters
        expect(e.value.length % 4).toBe(0);
        expect(e.value.length).toBe(sourceDescriptionLength(sdes));
        expect(plain(decodeSourceDescription(e.value))).toEqual(plain({ ok: true, value: sdes, end: e.value.length }));
        truncationLaw(e.value, decodeSourceDescription);
      }),
      { numRuns: 200 },
    );
  });

  it('BYE: round trip, truncation', () => {
    fc.assert(
      fc.property(arbBye, (bye) => {
        const e = encodeGoodbye(bye);
        expect(e.ok).toBe(true);
        if (!e.ok) return;
        expect(plain(decodeGoodbye(e.value))).toEqual(plain({ ok: true, value: bye, end: e.value.length }));
        truncationLaw(e.value, decodeGoodbye);
      }),
      { numRuns: 200 },
    );
  });

  it('APP: round trip, truncation', () => {
    fc.assert(
      fc.property(
        fc.record({ subtype: fc.integer({ min: 0, max: 31 }), ssrc: u32, name: fc.constantFrom('QOS1', 'ABCD', 'PoC1'), data: arbExt }),
        (app) => {
          const e = encodeApplicationDefined(app);
          expect(e.ok).toBe(true);
          if (!e.ok) return;
          expect(plain(decodeApplicationDefined(e.value))).toEqual(plain({ ok: true, value: app, end: e.value.length }));
          truncationLaw(e.value, decodeApplicationDefined);
        },
      ),
    );
  });

  it('compound: round trip of SR+SDES+BYE, every cut TRUNCATED with exact need/have', () => {
    fc.assert(
      fc.property(arbSr, arbSdes, arbBye, (sr, sdes, bye) => {
        const parts = [encodeSenderReport(sr), encodeSourceDescription(sdes), encodeGoodbye(bye)];
        if (!parts.every((p) => p.ok)) return;
        const bytes = parts.map((p) => (p.ok ? p.value : new Uint8Array(0)));
        const d = encodeRtcpCompound(bytes);
        const r = decodeRtcpCompound(d);
        expect(r.ok && r.value.map((p) => p.type)).toEqual(['sr', 'sdes', 'bye']);
        const ends: number[] = [];
        bytes.reduce((n, b) => (ends.push(n + b.length), n + b.length), 0);
        const starts = [0, ...ends.slice(0, -1)];
        for (let cut = 0; cut < d.length; cut++) {
          if (ends.includes(cut) && cut > 0) continue; // a shorter, complete compound
          const i = starts.findLastIndex((s) => s <= cut);
          const need = cut - starts[i]! < 4 ? starts[i]! + 4 : ends[i]!;
          expect(decodeRtcpCompound(d.subarray(0, cut))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', need, have: cut } });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on random bytes', () => {
    const decoders = [decodeSenderReport, decodeReceiverReport, decodeSourceDescription, decodeGoodbye, decodeApplicationDefined, decodeExtendedReport, decodeRtcpCompound];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(130), (b, off) => {
        for (const dec of decoders) expect(typeof dec(b, Math.min(off, b.length)).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    // Random bytes that at least look like RTCP headers reach the packet bodies.
    const rtcpish = fc
      .tuple(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 200, max: 207 }), fc.uint8Array({ maxLength: 100 }), fc.boolean())
      .map(([count, pt, body, pad]) => {
        const len = body.length & ~3;
        const b = new Uint8Array(4 + len);
        b[0] = 0x80 | (pad ? 0x20 : 0) | count;
        b[1] = pt;
        b[3] = len / 4;
        b.set(body.subarray(0, len), 4);
        return b;
      });
    fc.assert(
      fc.property(fc.array(rtcpish, { minLength: 1, maxLength: 3 }), (ps) => {
        for (const dec of decoders) expect(typeof dec(encodeRtcpCompound(ps)).ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
