import { describe, expect, it } from 'vitest';
import { RtcpStats } from '../../../src/lib/metrics/rtcp-stats.js';
import { decodeRtcpCompound, encodeRtcpCompound, type RtcpPacket } from '../../../src/lib/rtcp/compound.js';
import { encodeReceiverReport } from '../../../src/lib/rtcp/receiver-report.js';
import { encodeSenderReport } from '../../../src/lib/rtcp/sender-report.js';
import { decodeExtendedReport } from '../../../src/lib/rtcp/xr.js';
import { hex } from '../../helpers/hex.js';
import { readRtcpDatagrams } from '../rtcp/rtcp-fixtures.js';

function feed(stats: RtcpStats, capture: string): void {
  for (const d of readRtcpDatagrams(capture)) {
    const r = decodeRtcpCompound(d.bytes);
    if (!r.ok) throw new Error(`${capture} frame ${d.frame}: ${r.error.code}`);
    stats.push(r.value, d.arrivalSec, d.arrivalNsec);
  }
}

describe('RtcpStats on rtcp-compound-multiple-per-datagram-linux-sll.pcap (FreeSWITCH, 5 datagrams)', () => {
  const stats = new RtcpStats({ clockRateOf: (ssrc) => (ssrc === 0x5d931534 || ssrc === 0x01932db4 ? 8000 : undefined) });
  feed(stats, 'rtcp-compound-multiple-per-datagram-linux-sll.pcap');
  const snap = stats.snapshot();
  const bySsrc = new Map(snap.sources.map((s) => [s.ssrc, s]));

  it('counts SRs and RRs per SSRC and keeps the last SR and the CNAME', () => {
    expect(snap.datagrams).toBe(5);
    expect(bySsrc.get(0x5d931534)).toMatchObject({ senderReports: 3, receiverReports: 0, cname: '5d931534' });
    expect(bySsrc.get(0x5d931534)!.lastSenderReport).toEqual({
      ntpSec: 3711615352, ntpFrac: 1469918197, rtpTimestamp: 96320, packetCount: 602, octetCount: 96320, arrivalSec: 1502626552, arrivalNsec: 361361000,
    });
    expect(bySsrc.get(0x01932db4)).toMatchObject({ senderReports: 0, receiverReports: 2, cname: '1932db4' });
  });

  it('reports the far end view: fraction lost %, cumulative, jitter in ms with the clock rate', () => {
    const rr = bySsrc.get(0x01932db4)!;
    const about = rr.reports.find((r) => r.aboutSsrc === 0x5d931534)!;
    expect(about).toMatchObject({ count: 1, fractionLostPct: 0, cumulativeLost: 1, extendedHighestSeq: 49035, jitter: 6, jitterMs: 0.75, lastSr: 0xc1704d61 });
    expect(about.delaySinceLastSrSec).toBeCloseTo(263452 / 65536, 12);
    // Frame 2's block is about SSRC 0 (no source known yet): fraction 1/256.
    expect(rr.reports.find((r) => r.aboutSsrc === 0)).toMatchObject({ fractionLostPct: 100 / 256, jitterMs: null });
  });

  it('measures the round trip from LSR/DLSR and capture times (frame 4 against frame 1)', () => {
    // 1502626548.349503 − 263452/65536 − 1502626544.321377 = 8.167504 ms
    const rtt = bySsrc.get(0x01932db4)!.rtt;
    expect(rtt.count).toBe(1);
    expect(rtt.lastMs!).toBeCloseTo(4028.126 - (263452 / 65536) * 1000, 6);
    expect(rtt.lastMs!).toBeCloseTo(8.1675, 3);
    expect(bySsrc.get(0x5d931534)!.rtt).toEqual({ count: 0, minMs: null, avgMs: null, maxMs: null, lastMs: null });
  });
});

describe('RtcpStats on sip-tcp-call-g711-rtp-rtcp.pcap', () => {
  it('RTT of frame 17 against the SR of frame 14: 1.379 ms (tshark, in whole ms: 2)', () => {
    const stats = new RtcpStats();
    feed(stats, 'sip-tcp-call-g711-rtp-rtcp.pcap');
    const s = stats.snapshot().sources.find((x) => x.ssrc === 0x5a3361b3)!;
    expect(s.rtt.count).toBe(1);
    expect(s.rtt.lastMs!).toBeCloseTo(17.37 - (1048 / 65536) * 1000, 6);
    expect(s.cname).toBe('c0'); // the NUL AudioCodes sends is trimmed
  });
});

describe('RtcpStats: synthetic', () => {
  const block = { fractionLost: 0, cumulativeLost: 0, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 };

  function sr(ssrc: number, ntpSec: number, ntpFrac: number): RtcpPacket[] {
    const e = encodeSenderReport({ ssrc, ntpSec, ntpFrac, rtpTimestamp: 0, packetCount: 0, octetCount: 0, reports: [], extension: new Uint8Array(0) });
    const d = e.ok ? decodeRtcpCompound(e.value) : null;
    return d?.ok ? d.value : [];
  }
  function rr(ssrc: number, about: number, lsr: number, dlsrSec: number, fraction = 0, jitter = 0): RtcpPacket[] {
    const e = encodeReceiverReport({ ssrc, reports: [{ ...block, ssrc: about, lastSr: lsr, delaySinceLastSr: Math.round(dlsrSec * 65536), fractionLost: fraction, jitter }], extension: new Uint8Array(0) });
    const d = e.ok ? decodeRtcpCompound(encodeRtcpCompound([e.value])) : null;
    return d?.ok ? d.value : [];
  }

  it('matches LSR against older SRs too, and summarises min/avg/max', () => {
    const s = new RtcpStats({ clockRateOf: () => 8000 });
    s.push(sr(1, 1000, 0x80000000), 100, 0); // middle 32 = 0x03e88000
    s.push(sr(1, 1005, 0), 105, 0); // middle 32 = 0x03ed0000
    s.push(rr(2, 1, 0x03e88000, 0.5, 64, 80), 100, 540_000_000); // 540 − 500 = 40 ms
    s.push(rr(2, 1, 0x03ed0000, 0.2), 105, 260_000_000); // 260 − 200 = 60 ms
    s.push(rr(2, 1, 0x0badf00d, 0.2), 106, 0); // no such SR: no RTT
    const src = s.snapshot().sources.find((x) => x.ssrc === 2)!;
    expect(src.rtt.count).toBe(2);
    // DLSR travels in 1/65536 s: 0.2 s becomes 13107/65536.
    expect(src.rtt.minMs!).toBeCloseTo(40, 6);
    expect(src.rtt.maxMs!).toBeCloseTo(260 - (13107 / 65536) * 1000, 6);
    expect(src.rtt.avgMs!).toBeCloseTo((40 + 260 - (13107 / 65536) * 1000) / 2, 6);
    expect(src.reports[0]).toMatchObject({ count: 3, maxFractionLostPct: 25, maxJitterMs: 10, fractionLostPct: 0 });
  });

  it('exposes the latest XR VoIP Metrics per reported-on source', () => {
    const xr = decodeExtendedReport(hex`
      80 cf 000a 11223344  07 00 0008 aabbccdd
      0d 05 40 02  0078 1388  0032 0064  e6 b5 7f 10  5d 7f 29 2a  f6 00 0028  0050 00c8
    `);
    if (!xr.ok) throw new Error('fixture');
    const s = new RtcpStats();
    s.push([{ type: 'xr', ...xr.value }], 1, 0);
    const v = s.snapshot().sources[0]!.voipMetrics[0]!;
    expect(v).toMatchObject({ aboutSsrc: 0xaabbccdd, count: 1, rFactor: 93, mosLq: 4.1, mosCq: 4.2, roundTripDelayMs: 50, endSystemDelayMs: 100 });
    expect(v.lossRatePct).toBeCloseTo((13 / 256) * 100, 9);
    expect(v.raw.rerlDb).toBe(127);
  });

  it('tracks at most maxSources reporting SSRCs', () => {
    const s = new RtcpStats({ maxSources: 2 });
    for (let i = 1; i <= 5; i++) s.push(sr(i, 1, 0), 1, 0);
    expect(s.snapshot()).toMatchObject({ untrackedSources: 3 });
    expect(s.snapshot().sources.length).toBe(2);
  });

  it('BYE counts and reason', () => {
    const s = new RtcpStats();
    s.push([{ type: 'bye', ssrcs: [7], reason: 'done' }], 1, 0);
    expect(s.snapshot().sources[0]).toMatchObject({ ssrc: 7, byes: 1, byeReason: 'done' });
  });
});
