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

/** Streams where tshark is judged wrong and our value is tested instead (fixtures/derived/README.md). */
const OURS: Record<string, Partial<Record<'minDeltaMs', number>>> = {};

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
    const want = { ...s, ...OURS[`${name} ${key}`] };
    expect(got.packets).toBe(want.packets);
    expect(got.lost).toBe(want.lost);
    expect(Math.abs(got.lostPct - want.lostPct)).toBeLessThanOrEqual(0.05);
    for (const f of ['minDeltaMs', 'meanDeltaMs', 'maxDeltaMs', 'minJitterMs', 'meanJitterMs', 'maxJitterMs'] as const) {
      expect(Math.abs(got[f] - want[f]), `${f}: ${got[f]} vs tshark ${want[f]}`).toBeLessThanOrEqual(0.01);
    }
    expect(got.problems).toBe(want.problems);
  });
});
