/**
 * RtpStreamStats against tshark 4.0.17's `-z rtp,streams` for every stream of every capture
 * with a truth file: public captures, lab captures, and the synthetic edge cases of
 * fixtures/derived/synthetic/. Packets come from fixtures/derived/<capture>.rtp.tsv
 * (scripts/extract-rtp-fields.sh), so this test needs neither tshark nor the pcap reader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RtpStreamStats, type RtpPayloadMapping } from '../../../src/lib/metrics/rtp-stream-stats.js';
import { ROOT, readDerived, readTruth, streamKey, type DerivedPacket } from './tshark-truth.js';

const TELEPHONE_EVENT: RtpPayloadMapping = { name: 'telephone-event', clockRate: 8000 };
/** Dynamic payload types per capture, from that capture's SDP a=rtpmap (or, without SDP, what it carries). */
const RTPMAP: Record<string, Record<number, RtpPayloadMapping>> = {
  'sip-rtp-opus-hybrid.pcap': { 99: { name: 'opus', clockRate: 48000 }, 101: TELEPHONE_EVENT },
  'rtp-only-rfc2833-dtmf-digit-1.pcap': { 101: TELEPHONE_EVENT }, // no SDP: tshark says "rtpevent", clock 0 too
  'rtp-edge-cases.pcap': { 101: TELEPHONE_EVENT },
  'call_any_sll2.pcap': { 101: TELEPHONE_EVENT },
  'call_impaired_veth.pcap': { 101: TELEPHONE_EVENT },
  'call_lo.pcapng': { 101: TELEPHONE_EVENT },
  'call_lo_en10mb.pcap': { 101: TELEPHONE_EVENT },
  'call_lo_nano.pcap': { 101: TELEPHONE_EVENT },
  'call_tun_raw.pcap': { 101: TELEPHONE_EVENT },
};


function captures(): { name: string; truth: string }[] {
  const dirs = ['fixtures/public', 'fixtures/lab', 'fixtures/derived/synthetic'];
  const out: { name: string; truth: string }[] = [];
  for (const d of dirs) {
    for (const f of fs.readdirSync(path.join(ROOT, d))) {
      if (!f.endsWith('.truth')) continue;
      const truth = path.join(ROOT, d, f, 'rtp-streams.txt');
      if (fs.existsSync(truth)) out.push({ name: f.slice(0, -'.truth'.length), truth });
    }
  }
  return out;
}

describe.each(captures())('tshark rtp,streams: $name', ({ name, truth }) => {
  const streams = readTruth(truth);
  const tsv = path.join(ROOT, 'fixtures/derived', `${name}.rtp.tsv`);
  const packets = streams.length ? readDerived(tsv) : [];
  const byStream = new Map<string, DerivedPacket[]>();
  for (const p of packets) {
    const k = streamKey(p);
    const list = byStream.get(k) ?? [];
    list.push(p);
    byStream.set(k, list);
  }

  it('has a derived packet list for every truth stream', () => {
    expect(byStream.size).toBe(new Set(streams.map(streamKey)).size);
  });

  it.each(streams.map((s) => ({ key: streamKey(s), s })))('$key', ({ key, s }) => {
    const list = byStream.get(key);
    expect(list, key).toBeDefined();
    const stats = new RtpStreamStats({ payloads: RTPMAP[name] ?? {} });
    for (const p of list!) stats.push(p);
    const got = stats.snapshot();
    const want = s;
    expect(got.packets).toBe(want.packets);
    expect(got.lost).toBe(want.lost);
    expect(Math.abs(got.lostPct - want.lostPct)).toBeLessThanOrEqual(0.05);
    for (const f of ['minDeltaMs', 'meanDeltaMs', 'maxDeltaMs', 'minJitterMs', 'meanJitterMs', 'maxJitterMs'] as const) {
      expect(Math.abs(got[f] - want[f]), `${f}: ${got[f]} vs tshark ${want[f]}`).toBeLessThanOrEqual(0.01);
    }
    expect(got.problems).toBe(want.problems);
  });
});

/**
 * Streams where tshark's Lost column (kept identical above) misleads, and what our own fields
 * say instead. fixtures/derived/README.md explains each, with frame numbers.
 */
const TSHARK_WRONG: {
  capture: string;
  key: string;
  options?: { minSequential?: number };
  ours: Partial<Record<'netLost' | 'duplicates' | 'outOfOrder' | 'sequenceRestarts' | 'rfc3550Expected', number>>;
}[] = [
  // RFC 4733 end of event sent 3 times with one sequence number: tshark lost −2 (−25 %).
  { capture: 'rtp-only-rfc2833-dtmf-digit-1.pcap', key: '192.168.0.3:49176>192.168.0.1:10000/e05384e', ours: { duplicates: 2, netLost: 0, outOfOrder: 0 } },
  ...['call_any_sll2.pcap', 'call_lo.pcapng', 'call_lo_en10mb.pcap', 'call_lo_nano.pcap'].flatMap((capture) => [
    { capture, key: '127.0.0.1:6000>127.0.0.1:6100/e05384e', ours: { duplicates: 2, netLost: 0 } },
    { capture, key: '127.0.0.1:6100>127.0.0.1:6000/e05384e', ours: { duplicates: 2, netLost: 0 } },
  ]),
  ...['call_impaired_veth.pcap', 'call_tun_raw.pcap'].flatMap((capture) => [
    { capture, key: '10.77.3.2:6000>10.77.1.2:6100/e05384e', ours: { duplicates: 2, netLost: 0 } },
    { capture, key: '10.77.1.2:6100>10.77.3.2:6000/e05384e', ours: { duplicates: 2, netLost: 0 } },
  ]),
  // Frame 2 repeats frame 1 (seq 0): tshark lost −1.
  { capture: 'rtp-only-g729-duplicates.pcap', key: '123.87.99.93:30716>97.93.61.248:60710/ae9dd7af', ours: { duplicates: 1, netLost: 0 } },
  // The real impairment: 5 single losses.
  { capture: 'call_impaired_veth.pcap', key: '10.77.3.2:6000>10.77.1.2:6100/dee0ee8f', ours: { netLost: 5, duplicates: 0, outOfOrder: 0 } },
  // Synthetic: the last packet to arrive is a late one: tshark's expected stops there, lost −5.
  { capture: 'rtp-edge-cases.pcap', key: '10.0.0.1:20016>10.0.0.2:30016/5eed0008', ours: { netLost: 0, outOfOrder: 1, rfc3550Expected: 20 } },
  // Synthetic: 65535 arriving after 0: tshark counts the wrap twice, lost 65536 (100 %).
  { capture: 'rtp-edge-cases.pcap', key: '10.0.0.1:20052>10.0.0.2:30052/5eed001a', ours: { netLost: 0, outOfOrder: 1, rfc3550Expected: 8 } },
  // Synthetic: the sender restarts its sequence (forward, backward): tshark lost 38980 / 35616.
  { capture: 'rtp-edge-cases.pcap', key: '10.0.0.1:20034>10.0.0.2:30034/5eed0011', ours: { netLost: 0, sequenceRestarts: 1, rfc3550Expected: 40 } },
  { capture: 'rtp-edge-cases.pcap', key: '10.0.0.1:20036>10.0.0.2:30036/5eed0012', ours: { netLost: 0, sequenceRestarts: 1, rfc3550Expected: 40 } },
  // Synthetic: gaps of 2000 wrap the sequence before it comes back above the first number:
  // tshark's wrap heuristic misses a cycle, lost 14424 where 79960 of 80080 are missing.
  { capture: 'rtp-edge-cases.pcap', key: '10.0.0.1:20054>10.0.0.2:30054/5eed001b', options: { minSequential: 1 }, ours: { netLost: 79960, rfc3550Expected: 80080 } },
  // An excerpt of 5 packets with gaps: tshark's 311 lost is right, and needs minSequential 1
  // here (A.1 probation never sees two sequential packets).
  { capture: 'sip-rtp-opus-hybrid.pcap', key: '10.0.2.15:24196>10.0.2.20:6000/43eee04', options: { minSequential: 1 }, ours: { netLost: 311, rfc3550Expected: 316 } },
];

describe('where tshark misleads, our fields', () => {
  it.each(TSHARK_WRONG)('$capture $key', ({ capture, key, options, ours }) => {
    const packets = readDerived(path.join(ROOT, 'fixtures/derived', `${capture}.rtp.tsv`)).filter((p) => streamKey(p) === key);
    expect(packets.length).toBeGreaterThan(0);
    const stats = new RtpStreamStats({ payloads: RTPMAP[capture] ?? {}, ...options });
    for (const p of packets) stats.push(p);
    expect(stats.snapshot()).toMatchObject(ours);
  });
});
