/**
 * The capture generator against itself: determinism (same seed → same bytes), and the file
 * agreeing with its truth JSON when walked independently (records, time order, RTP sequence
 * numbers, SIP framing, digest authentication).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWorld, resolveScenario } from '../../../src/lib/gen/scenario.js';
import { SipCounts } from '../../../src/lib/gen/truth.js';
import type { CaptureScenarioInput } from '../../../src/lib/gen/index.js';
import { generateInMemory, readRecords, sha256 } from './collect.js';

/** ~3,300 packets with every call outcome, visible and invisible (first/last packet) losses. */
const SCENARIO: CaptureScenarioInput = { calls: 30, cps: 5, talkSec: 2, lossRatio: 0.03, jitterMs: 5, failRatio: 0.5, ringTimeoutSec: 2, seed: 1 };

const { bytes, truth } = await generateInMemory(SCENARIO);
const { linkType, snaplen, records } = readRecords(bytes);

interface Udp {
  src: string;
  dst: string;
  payload: Uint8Array;
  tUs: number;
}

function udpOf(r: (typeof records)[number]): Udp {
  const d = r.data;
  const ip = (o: number) => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
  const port = (o: number) => (d[o]! << 8) | d[o + 1]!;
  return {
    src: `${ip(26)}:${port(34)}`,
    dst: `${ip(30)}:${port(36)}`,
    payload: d.subarray(42, 34 + port(38)),
    tUs: (r.tsSec - truth.captureStartEpochSec) * 1e6 + r.tsUsec,
  };
}

const udps = records.map(udpOf);
const isSip = (u: Udp) => u.src.endsWith(':5060') && u.dst.endsWith(':5060');
const sipTexts = udps.filter(isSip).map((u) => Buffer.from(u.payload).toString('latin1'));

describe('generator determinism', () => {
  it('same scenario → byte-identical capture and truth', async () => {
    const again = await generateInMemory(SCENARIO);
    expect(sha256(again.bytes)).toBe(sha256(bytes));
    expect(again.truth).toEqual(truth);
  });

  it('another seed → another capture', async () => {
    const other = await generateInMemory({ ...SCENARIO, seed: 2 });
    expect(sha256(other.bytes)).not.toBe(sha256(bytes));
  });

  it('changing the loss ratio leaves the SIP and the jitter pattern alone', async () => {
    const lossless = await generateInMemory({ ...SCENARIO, lossRatio: 0 });
    expect(lossless.truth.sip).toEqual(truth.sip);
    expect(lossless.truth.calls).toEqual(truth.calls);
    expect(lossless.truth.rtp.packetsSent).toBe(truth.rtp.packetsSent);
    expect(lossless.truth.rtp.packetsDropped).toBe(0);
  });

  it('rejects impossible parameters with a RangeError naming them', () => {
    expect(() => resolveScenario({ calls: 1, lossRatio: 1 })).toThrow(/lossRatio/);
    expect(() => resolveScenario({ calls: 1, cps: 0 })).toThrow(RangeError);
  });
});

describe('generated capture vs its truth', () => {
  it('has the header, records and byte count the truth announces', () => {
    expect(linkType).toBe(1);
    expect(snaplen).toBe(65535);
    expect(records.length).toBe(truth.packets.total);
    expect(bytes.length).toBe(truth.packets.fileBytes);
    expect(sipTexts.length).toBe(truth.packets.sip);
    expect(truth.packets.sip + truth.packets.rtp).toBe(truth.packets.total);
  });

  it('is in time order', () => {
    let outOfOrder = 0;
    for (let i = 1; i < udps.length; i++) if (udps[i]!.tUs < udps[i - 1]!.tUs) outOfOrder++;
    expect(outOfOrder).toBe(0);
  });

  it('covers every call outcome, and the outcome counts add up', () => {
    expect(Object.keys(truth.callsByOutcome).sort()).toEqual(['answered', 'busy', 'cancelled', 'timeout', 'unavailable']);
    expect(Object.values(truth.callsByOutcome).reduce((a, b) => a + b, 0)).toBe(SCENARIO.calls);
    const status = { answered: 200, busy: 486, unavailable: 503, timeout: 408, cancelled: 487 } as const;
    for (const c of truth.calls) expect(c.finalStatus).toBe(status[c.outcome]);
  });

  it('counts SIP methods and status codes from the start lines', () => {
    const counts = new SipCounts();
    for (const t of sipTexts) counts.add(t);
    expect(counts.toJSON()).toEqual(truth.sip);
    // Each non-2xx final response to an INVITE is ACKed, and so is each 200 to an INVITE.
    expect(truth.sip.requests['ACK']).toBe(SCENARIO.calls);
  });

  it('frames every SIP message with the right Content-Length', () => {
    for (const text of sipTexts) {
      const end = text.indexOf('\r\n\r\n');
      expect(end).toBeGreaterThan(0);
      const declared = Number(/\r\nContent-Length: (\d+)\r\n/.exec(text.slice(0, end + 2))?.[1]);
      expect(declared).toBe(text.length - end - 4);
    }
  });

  it('answers each 401 with a correct RFC 2617 MD5 digest (qop=auth)', () => {
    const world = createWorld(resolveScenario(SCENARIO), new SipCounts());
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const authorised = sipTexts.filter((t) => t.startsWith('REGISTER ') && t.includes('\r\nAuthorization: '));
    expect(authorised.length).toBe(truth.registrations.length);
    for (const text of authorised) {
      const auth = /\r\nAuthorization: Digest (.*)\r\n/.exec(text)![1]!;
      const p = Object.fromEntries([...auth.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]]));
      const phone = world.phones.find((h) => h.user === p['username'])!;
      const ha1 = md5(`${phone.user}:${p['realm']}:${phone.password}`);
      const ha2 = md5(`REGISTER:${p['uri']}`);
      expect(p['response']).toBe(md5(`${ha1}:${p['nonce']}:${p['nc']}:${p['cnonce']}:${p['qop']}:${ha2}`));
    }
  });

  it('sends RTP with consecutive sequence numbers, +160 timestamps and the truth counts per stream', () => {
    interface Seen {
      packets: number;
      firstSeq: number;
      lastSeq: number;
      firstTs: number;
      lastTs: number;
      markers: number[];
      pt: Set<number>;
    }
    const bySsrc = new Map<string, Seen>();
    let badStep = 0;
    for (const u of udps) {
      if (isSip(u)) continue;
      const p = u.payload;
      if (p.length !== 172 || p[0] !== 0x80) badStep++; // 12-byte header + 160 bytes, V=2 only
      const seq = (p[2]! << 8) | p[3]!;
      const ts = ((p[4]! << 24) | (p[5]! << 16) | (p[6]! << 8) | p[7]!) >>> 0;
      const ssrc = `0x${(((p[8]! << 24) | (p[9]! << 16) | (p[10]! << 8) | p[11]!) >>> 0).toString(16).padStart(8, '0')}`;
      const key = `${u.src} ${u.dst} ${ssrc}`;
      const s = bySsrc.get(key);
      if (s === undefined) {
        bySsrc.set(key, { packets: 1, firstSeq: seq, lastSeq: seq, firstTs: ts, lastTs: ts, markers: p[1]! & 0x80 ? [seq] : [], pt: new Set([p[1]! & 0x7f]) });
        continue;
      }
      const step = (seq - s.lastSeq) & 0xffff;
      if (step < 1 || ((ts - s.lastTs) >>> 0) !== step * 160) badStep++;
      s.packets++;
      s.lastSeq = seq;
      s.lastTs = ts;
      s.pt.add(p[1]! & 0x7f);
      if (p[1]! & 0x80) s.markers.push(seq);
    }
    expect(badStep).toBe(0);
    const captured = truth.streams.filter((s) => s.packetsCaptured > 0);
    expect(bySsrc.size).toBe(captured.length);
    for (const t of captured) {
      const s = bySsrc.get(`${t.src} ${t.dst} ${t.ssrc}`);
      expect(s, t.id).toBeDefined();
      expect(s!.packets).toBe(t.packetsCaptured);
      expect(((s!.lastSeq - s!.firstSeq) & 0xffff) + 1).toBe(t.expectedBySeq);
      expect([...s!.pt]).toEqual([0]);
      // The marker is on the first packet sent, visible only if that one got through.
      expect(s!.markers).toEqual(s!.firstSeq === t.firstSeqSent ? [t.firstSeqSent] : []);
      expect(t.packetsCaptured + t.packetsDropped).toBe(t.packetsSent);
    }
    expect(truth.rtp.lostBySeq).toBeLessThan(truth.rtp.packetsDropped); // some drops are at a stream's edge
  });
});
