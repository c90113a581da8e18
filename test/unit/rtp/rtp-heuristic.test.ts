import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONFIRM_PACKETS,
  NON_RTP_PORTS,
  RtpHeuristic,
  isPlausibleRtpPayloadType,
  isRtcpDatagram,
  rtpPayloadLength,
} from '../../../src/lib/flows/rtp-heuristic.js';
import { RtpStreamStats, type RtpPacketInfo } from '../../../src/lib/metrics/rtp-stream-stats.js';
import { encodeRtp } from '../../../src/lib/rtp/header.js';
import { ROOT, readDerived, readTruth, streamKey, type DerivedPacket } from '../metrics/tshark-truth.js';
import { readRtcpDatagrams } from '../rtcp/rtcp-fixtures.js';

/** An RTP datagram rebuilt from a derived packet line (payload zeros, or the RFC 4733 word). */
function bytesOf(p: RtpPacketInfo): Uint8Array {
  const payload = new Uint8Array(p.payloadBytes);
  if (p.payloadHead32 !== undefined && p.payloadHead32 >= 0 && payload.length >= 4) new DataView(payload.buffer).setUint32(0, p.payloadHead32);
  const e = encodeRtp({ marker: p.marker, payloadType: p.pt, sequenceNumber: p.seq, timestamp: p.timestamp, ssrc: p.ssrc, payload });
  if (!e.ok) throw new Error('encode');
  return e.value;
}

function rtp(seq: number, ssrc = 0x1234, ts = seq * 160, pt = 0): Uint8Array {
  return bytesOf({ seq, timestamp: ts, ssrc, pt, marker: false, payloadBytes: 20, arrivalSec: 0, arrivalNsec: 0 });
}

describe('per-packet RTP test', () => {
  it('never takes well-known non-RTP ports, SIP included (IANA table)', () => {
    for (const port of [53, 67, 68, 69, 123, 137, 138, 139, 161, 162, 389, 500, 514, 520, 1900, 4500, 5060, 5061, 5353, 5355]) {
      expect(NON_RTP_PORTS[port], String(port)).toBeDefined();
      expect(rtpPayloadLength(rtp(1), port, 40000)).toBe(-1);
      expect(rtpPayloadLength(rtp(1), 40000, port)).toBe(-1);
    }
    expect(Object.isFrozen(NON_RTP_PORTS)).toBe(true);
    expect(rtpPayloadLength(rtp(1), 40000, 40002)).toBe(20);
  });

  it('accepts payload types 0–34 and 96–127 only (never 72–76, RTCP)', () => {
    const ok = [...Array(128).keys()].filter(isPlausibleRtpPayloadType);
    expect(ok).toEqual([...Array(35).keys(), ...Array.from({ length: 32 }, (_, i) => 96 + i)]);
    for (const pt of [72, 73, 74, 75, 76]) expect(rtpPayloadLength(rtp(1, 1, 0, pt), 40000, 40002)).toBe(-1);
  });

  it('refuses other versions, short datagrams and headers that do not fit', () => {
    const v1 = rtp(1);
    v1[0] = 0x40;
    expect(rtpPayloadLength(v1, 40000, 40002)).toBe(-1);
    expect(rtpPayloadLength(rtp(1).subarray(0, 11), 40000, 40002)).toBe(-1);
    const cc = rtp(1).subarray(0, 16);
    cc[0] = 0x83; // 3 CSRCs in 16 bytes
    expect(rtpPayloadLength(cc, 40000, 40002)).toBe(-1);
    const pad = Uint8Array.from(rtp(1));
    pad[0] = 0xa0;
    pad[pad.length - 1] = 0; // padding count 0
    expect(rtpPayloadLength(pad, 40000, 40002)).toBe(-1);
  });
});

describe('RtpHeuristic confirmation', () => {
  it(`confirms after ${CONFIRM_PACKETS} packets of one SSRC with advancing sequence, then hands back all held packets`, () => {
    const h = new RtpHeuristic();
    expect(h.offer('f', 40000, 40002, rtp(10), 1, 0)).toBe('pending');
    expect(h.offer('f', 40000, 40002, rtp(11), 1, 20_000_000)).toBe('pending');
    expect(h.offer('f', 40000, 40002, rtp(13), 1, 40_000_000)).toBe('confirmed'); // a loss is fine
    expect(h.takePending('f').map((p) => [p.seq, p.timestamp, p.ssrc, p.pt, p.payloadBytes, p.arrivalNsec])).toEqual([
      [10, 1600, 0x1234, 0, 20, 0],
      [11, 1760, 0x1234, 0, 20, 20_000_000],
      [13, 2080, 0x1234, 0, 20, 40_000_000],
    ]);
    expect(h.takePending('f')).toEqual([]);
    expect(h.offer('f', 40000, 40002, rtp(14), 1, 60_000_000)).toBe('rtp');
    expect(h.isConfirmed('f')).toBe(true);
  });

  it('a different SSRC or a backward/huge step restarts the chain; a repeated number neither advances nor breaks it', () => {
    const h = new RtpHeuristic();
    expect(h.offer('f', 1, 2, rtp(10, 1), 0, 0)).toBe('pending');
    expect(h.offer('f', 1, 2, rtp(11, 2), 0, 0)).toBe('pending'); // other SSRC
    expect(h.offer('f', 1, 2, rtp(12, 2), 0, 0)).toBe('pending');
    expect(h.offer('f', 1, 2, rtp(12, 2), 0, 0)).toBe('pending'); // RFC 4733 end retransmission
    expect(h.offer('f', 1, 2, rtp(500, 2), 0, 0)).toBe('pending'); // step 488: breaks
    expect(h.offer('f', 1, 2, rtp(501, 2), 0, 0)).toBe('pending');
    expect(h.offer('f', 1, 2, rtp(502, 2), 0, 0)).toBe('confirmed');
    expect(h.takePending('f').length).toBe(7); // tshark would have counted all seven
  });

  it('a timestamp going back breaks the chain', () => {
    const h = new RtpHeuristic();
    h.offer('f', 1, 2, rtp(1, 9, 1000), 0, 0);
    h.offer('f', 1, 2, rtp(2, 9, 500), 0, 0);
    expect(h.offer('f', 1, 2, rtp(3, 9, 660), 0, 0)).toBe('pending');
  });

  it('non-RTP datagrams on a flow are ignored without disturbing it (STUN on a muxed port)', () => {
    const h = new RtpHeuristic();
    const stun = Uint8Array.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, ...new Array(12).fill(0)]);
    h.offer('f', 1, 2, rtp(1), 0, 0);
    expect(h.offer('f', 1, 2, stun, 0, 0)).toBe('not-rtp');
    h.offer('f', 1, 2, rtp(2), 0, 0);
    expect(h.offer('f', 1, 2, rtp(3), 0, 0)).toBe('confirmed');
    expect(h.offer('f', 1, 2, stun, 0, 0)).toBe('not-rtp');
  });

  it('is bounded: candidates evicted oldest first, held packets capped', () => {
    const h = new RtpHeuristic({ maxCandidates: 2, maxPendingPerFlow: 4 });
    h.offer('a', 1, 2, rtp(1), 0, 0);
    h.offer('b', 1, 2, rtp(1), 0, 0);
    h.offer('c', 1, 2, rtp(1), 0, 0);
    expect(h.counters()).toMatchObject({ candidates: 2, evictedCandidates: 1 });
    for (let i = 0; i < 6; i++) h.offer('d', 1, 2, rtp(100, 1 + i), 0, 0); // 6 SSRCs: never confirms
    expect(h.counters().droppedPending).toBe(2);
    h.offer('d', 1, 2, rtp(101, 6), 0, 0);
    expect(h.offer('d', 1, 2, rtp(102, 6), 0, 0)).toBe('confirmed');
    expect(h.takePending('d').map((p) => p.ssrc)).toEqual([5, 6, 6, 6]);
  });

  it('random datagrams never confirm and never throw', () => {
    const h = new RtpHeuristic();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.uint8Array({ maxLength: 80 }), fc.nat(65535), fc.nat(65535), (flow, b, sp, dp) => {
        expect(h.offer(`f${flow}`, sp, dp, b, 0, 0)).not.toBe('confirmed');
        expect(typeof isRtcpDatagram(b, sp, dp)).toBe('boolean');
      }),
      { numRuns: 5000 },
    );
    expect(h.counters().confirmed).toBe(0);
  });
});

describe('heuristic replay gives tshark counts', () => {
  // Every RTP packet tshark saw, rebuilt and offered per flow; confirmed flows' held packets are
  // replayed into RtpStreamStats. Streams with ≥ 3 packets must match tshark exactly.
  const captures = fs.readdirSync(path.join(ROOT, 'fixtures/derived')).filter((f) => f.endsWith('.rtp.tsv'));
  it.each(captures)('%s', (tsv) => {
    const capture = tsv.slice(0, -'.rtp.tsv'.length);
    const truthDir = ['fixtures/public', 'fixtures/lab', 'fixtures/derived/synthetic'].map((d) => path.join(ROOT, d, `${capture}.truth`)).find((d) => fs.existsSync(d))!;
    const truth = readTruth(path.join(truthDir, 'rtp-streams.txt'));
    const packets = readDerived(path.join(ROOT, 'fixtures/derived', tsv));
    const h = new RtpHeuristic();
    const streams = new Map<string, RtpStreamStats>();
    const push = (flow: DerivedPacket, p: RtpPacketInfo): void => {
      const key = streamKey({ ...flow, ssrc: p.ssrc });
      let s = streams.get(key);
      if (!s) streams.set(key, (s = new RtpStreamStats({ payloads: { 101: { name: 'telephone-event', clockRate: 8000 }, 99: { name: 'opus', clockRate: 48000 } } })));
      s.push(p);
    };
    for (const p of packets) {
      const flowKey = `${p.src}:${p.srcPort}>${p.dst}:${p.dstPort}`;
      const v = h.offer(flowKey, p.srcPort, p.dstPort, bytesOf(p), p.arrivalSec, p.arrivalNsec);
      if (v === 'confirmed') for (const q of h.takePending(flowKey)) push(p, q);
      else if (v === 'rtp') push(p, p);
    }
    let compared = 0;
    for (const t of truth) {
      const s = streams.get(streamKey(t))?.snapshot();
      const flowPackets = packets.filter((p) => p.src === t.src && p.srcPort === t.srcPort && p.dst === t.dst && p.dstPort === t.dstPort);
      if (flowPackets.length < CONFIRM_PACKETS || !flowPackets.some((p, i) => i >= 2 && flowPackets[i - 1]!.ssrc === p.ssrc)) continue;
      if (!s) {
        // Streams tshark shows that the heuristic does not confirm: only sequences that never advance by 1–100.
        expect(['0x5eed0016', '0x5eed0022'], streamKey(t)).toContain(`0x${t.ssrc.toString(16)}`);
        continue;
      }
      expect({ packets: s.packets, lost: s.lost, problems: s.problems }, streamKey(t)).toEqual({ packets: t.packets, lost: t.lost, problems: t.problems });
      expect(Math.abs(s.meanJitterMs - t.meanJitterMs)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(s.maxDeltaMs - t.maxDeltaMs)).toBeLessThanOrEqual(0.01);
      compared++;
    }
    expect(compared).toBe(truth.filter((t) => t.packets >= CONFIRM_PACKETS && !['5eed0016', '5eed0022'].includes(t.ssrc.toString(16))).length);
  });
});

describe('RTCP recogniser', () => {
  it('recognises every RTCP datagram of the fixtures and no RTP packet', () => {
    for (const capture of ['rtcp-compound-multiple-per-datagram-linux-sll.pcap', 'sip-tcp-call-g711-rtp-rtcp.pcap', 'sip-prack-rtp-rtcp-audiocodes.pcap']) {
      for (const d of readRtcpDatagrams(capture)) {
        expect(isRtcpDatagram(d.bytes, d.srcPort, d.dstPort)).toBe(true);
        expect(rtpPayloadLength(d.bytes, d.srcPort, d.dstPort)).toBe(-1); // PT 72–79 with M set
      }
    }
    for (const p of readDerived(path.join(ROOT, 'fixtures/derived/sip-prack-rtp-rtcp-audiocodes.pcap.rtp.tsv'))) {
      expect(isRtcpDatagram(bytesOf(p), p.srcPort, p.dstPort)).toBe(false);
    }
  });

  it('refuses compounds whose lengths do not add up, other versions or packet types', () => {
    const d = readRtcpDatagrams('rtcp-compound-multiple-per-datagram-linux-sll.pcap')[0]!.bytes;
    expect(isRtcpDatagram(d.subarray(0, d.length - 4))).toBe(false);
    expect(isRtcpDatagram(Uint8Array.from([...d, 0, 0, 0, 0]))).toBe(false); // SRTCP-like trailer
    const v = Uint8Array.from(d);
    v[52] = 0x41; // second packet: version 1
    expect(isRtcpDatagram(v)).toBe(false);
    const t = Uint8Array.from(d);
    t[53] = 199;
    expect(isRtcpDatagram(t)).toBe(false);
    expect(isRtcpDatagram(d, 53, 40000)).toBe(false);
  });
});
