/**
 * RtpStreamStats on synthetic sequences: what RFC 3550 A.1/A.3/A.8 and the loss-run/burst
 * numbers must say. (tshark's columns are checked against tshark in the .tshark test.)
 */
import { describe, expect, it } from 'vitest';
import { RtpStreamStats, type RtpPacketInfo } from '../../../src/lib/metrics/rtp-stream-stats.js';

interface Gen {
  seq0?: number;
  ts0?: number;
  pt?: number;
  ssrc?: number;
  /** Arrival offset (ms) per packet index; default 20 ms spacing. */
  at?: (i: number) => number;
}

/** Packets i = 0..n−1 of a 20 ms stream, 160 timestamp units each. */
function packet(i: number, g: Gen = {}): RtpPacketInfo {
  const ms = (g.at ?? ((k) => k * 20))(i);
  const sec = 1_700_000_000 + Math.floor(ms / 1000);
  return {
    seq: ((g.seq0 ?? 1000) + i) & 0xffff,
    timestamp: ((g.ts0 ?? 8000) + i * 160) >>> 0,
    ssrc: g.ssrc ?? 0x11223344,
    pt: g.pt ?? 0,
    marker: false,
    payloadBytes: 160,
    arrivalSec: sec,
    arrivalNsec: Math.round((ms - (sec - 1_700_000_000) * 1000) * 1e6),
  };
}

function run(indices: Iterable<number>, g: Gen = {}, opts = {}): RtpStreamStats {
  const s = new RtpStreamStats(opts);
  for (const i of indices) s.push(packet(i, g));
  return s;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, k) => a + k);
const without = (xs: number[], drop: number[]): number[] => xs.filter((x) => !drop.includes(x));

describe('RtpStreamStats: clean stream', () => {
  it('100 packets at exactly 20 ms: no loss, delta 20, jitter 0', () => {
    const x = run(range(0, 100)).snapshot();
    expect(x).toMatchObject({
      packets: 100, expected: 100, lost: 0, lostPct: 0, problems: false, valid: true,
      rfc3550Expected: 100, rfc3550Received: 100, rfc3550Lost: 0, netLost: 0, duplicates: 0, outOfOrder: 0, burstRatio: 1,
      minJitterMs: 0, maxJitterMs: 0, meanJitterMs: 0, jitterTs: 0, payloadTypes: [0], clockRate: 8000, payloadBytes: 16000,
    });
    expect(x.minDeltaMs).toBeCloseTo(20, 9);
    expect(x.maxDeltaMs).toBeCloseTo(20, 9);
    expect(x.durationMs).toBeCloseTo(1980, 6);
    expect(x.lossRuns).toEqual({ '1': 0, '2': 0, '3-5': 0, '6-10': 0, '>10': 0 });
  });
});

describe('RtpStreamStats: loss, loss runs, burst ratio', () => {
  it('isolated losses: runs of 1, burst ratio below 1', () => {
    const x = run(without(range(0, 100), [10, 30, 50, 70, 90])).snapshot();
    expect(x).toMatchObject({ lost: 5, netLost: 5, rfc3550Lost: 5, lossRunCount: 5, meanLossRunLength: 1, problems: true });
    expect(x.lossRuns).toEqual({ '1': 5, '2': 0, '3-5': 0, '6-10': 0, '>10': 0 });
    expect(x.netLostPct).toBeCloseTo(5, 9);
    // Random loss at 5 % would give runs of mean 1/(1−0.05); all runs of 1 is less bursty.
    expect(x.burstRatio).toBeCloseTo(0.95, 9);
  });

  it('bursts: one run in each histogram bucket, burst ratio well above 1', () => {
    const lost = [5, 20, 21, 40, 41, 42, 43, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91];
    const x = run(without(range(0, 120), lost)).snapshot();
    expect(x.lossRuns).toEqual({ '1': 1, '2': 1, '3-5': 1, '6-10': 1, '>10': 1 });
    expect(x.netLost).toBe(29);
    expect(x.meanLossRunLength).toBeCloseTo(29 / 5, 9);
    expect(x.burstRatio).toBeCloseTo((29 / 5) * (1 - 29 / 120), 9);
    expect(x.burstRatio).toBeGreaterThan(4);
  });

  it('loss runs longer than the 1024-packet window and across window slides', () => {
    const lost = [...range(100, 1600), 3000, 3001];
    const x = run(without(range(0, 4000), lost)).snapshot();
    // A 1500-packet hole is a jump ≥ MAX_DROPOUT? No: A.1 accepts steps < 3000 as loss.
    expect(x.lossRuns['>10']).toBe(1);
    expect(x.lossRuns['2']).toBe(1);
    expect(x.netLost).toBe(1502);
    expect(x.sequenceRestarts).toBe(0);
  });

  it('trailing loss is invisible (nothing after it says it was expected)', () => {
    expect(run(range(0, 50)).snapshot().netLost).toBe(0);
  });
});

describe('RtpStreamStats: duplicates and reordering', () => {
  it('duplicates are counted, do not offset loss, and make tshark lost negative', () => {
    const x = run([0, 1, 2, 2, 3, 4, 4, 4, 5, 7, 8]).snapshot();
    expect(x).toMatchObject({ packets: 11, expected: 9, lost: -2, duplicates: 3, outOfOrder: 0, netLost: 1, rfc3550Received: 11, rfc3550Expected: 9, rfc3550Lost: -2 });
    expect(x.lossRuns['1']).toBe(1);
  });

  it('a duplicate of the very first packet (during probation) is a duplicate, not discarded', () => {
    const x = run([0, 0, 1, 2, 3]).snapshot();
    expect(x).toMatchObject({ duplicates: 1, discarded: 0, netLost: 0, rfc3550Received: 5, rfc3550Expected: 4 });
  });

  it('reordered packets are out of order, not lost and not duplicates', () => {
    const x = run([0, 1, 3, 2, 4, 7, 5, 6, 8]).snapshot();
    expect(x).toMatchObject({ outOfOrder: 3, duplicates: 0, netLost: 0, rfc3550Lost: 0, problems: true });
    expect(x.lossRuns).toEqual({ '1': 0, '2': 0, '3-5': 0, '6-10': 0, '>10': 0 });
  });

  it('a late packet fills its hole: no loss run is recorded', () => {
    const x = run([...range(0, 10), ...range(11, 60), 10, ...range(60, 70)]).snapshot();
    expect(x).toMatchObject({ outOfOrder: 1, netLost: 0, lossRunCount: 0 });
    // tshark counts from the last packet to arrive: the late one is not last here, so 0 too.
    expect(x.lost).toBe(0);
  });
});

describe('RtpStreamStats: sequence wraparound at 65535', () => {
  it('wraps into the next cycle without loss', () => {
    const x = run(range(0, 40), { seq0: 65520 }).snapshot();
    expect(x).toMatchObject({ lost: 0, netLost: 0, rfc3550Expected: 40, problems: false, extendedHighestSeq: 65536 + 23 });
  });

  it('loss across the wrap (65535 and 0 lost) is a run of 2', () => {
    const x = run(without(range(0, 20), [5, 6]), { seq0: 65530 }).snapshot();
    expect(x).toMatchObject({ lost: 2, netLost: 2, rfc3550Expected: 20 });
    expect(x.lossRuns['2']).toBe(1);
  });

  it('reordering across the wrap (65535 after 0) is neither loss nor a second wrap', () => {
    const x = run([0, 1, 2, 4, 3, 5, 6], { seq0: 65532 }).snapshot(); // 65532 65533 65534 0 65535 1 2
    expect(x).toMatchObject({ outOfOrder: 1, netLost: 0, rfc3550Expected: 7, extendedHighestSeq: 65536 + 2 });
  });

  it('a probation run that straddles the wrap', () => {
    const x = run(range(0, 5), { seq0: 65535 }).snapshot();
    expect(x).toMatchObject({ valid: true, rfc3550Expected: 5, netLost: 0, extendedHighestSeq: 65536 + 3 });
  });
});

describe('RtpStreamStats: RFC 3550 A.1 probation, restarts, new SSRC', () => {
  it('a single packet is not a valid source yet; minSequential 1 makes it one', () => {
    expect(run([0]).snapshot()).toMatchObject({ valid: false, rfc3550Expected: 0, discarded: 1, packets: 1 });
    expect(run([0], {}, { minSequential: 1 }).snapshot()).toMatchObject({ valid: true, rfc3550Expected: 1, discarded: 0 });
  });

  it('probation fails on a non-sequential second packet and passes on the next sequential pair', () => {
    const x = run([0, 5, 6, 7]).snapshot();
    expect(x).toMatchObject({ valid: true, discarded: 1, rfc3550Expected: 3, rfc3550Received: 3, netLost: 0 });
  });

  it('packets with gaps only never pass probation (sip-rtp-opus-hybrid.pcap has 5 like that)', () => {
    const strict = run([0, 8, 22, 190, 315]).snapshot();
    expect(strict).toMatchObject({ valid: false, discarded: 5, netLost: 0 });
    expect(strict.lost).toBe(311); // tshark's column does not care
    const announced = run([0, 8, 22, 190, 315], {}, { minSequential: 1 }).snapshot();
    expect(announced).toMatchObject({ valid: true, rfc3550Expected: 316, netLost: 311 });
  });

  it('a large jump confirmed by the next packet is a restart, not 38 000 lost packets', () => {
    const s = new RtpStreamStats();
    for (const i of range(0, 20)) s.push(packet(i, { seq0: 1000 }));
    for (const i of range(0, 20)) s.push(packet(20 + i, { seq0: 40000 - 20 }));
    const x = s.snapshot();
    expect(x).toMatchObject({ sequenceRestarts: 1, rfc3550Expected: 40, rfc3550Received: 40, netLost: 0, discarded: 0 });
    expect(x.lost).toBe(38980); // what tshark reports for the same packets
  });

  it('a single stray packet far away is discarded, not a restart', () => {
    const s = new RtpStreamStats();
    for (const i of range(0, 10)) s.push(packet(i));
    s.push({ ...packet(10), seq: 30000 });
    for (const i of range(11, 20)) s.push(packet(i));
    expect(s.snapshot()).toMatchObject({ sequenceRestarts: 0, discarded: 1, rfc3550Expected: 20, rfc3550Received: 19, netLost: 1 });
  });

  it('a new SSRC on the same object starts over with probation and keeps the totals', () => {
    const s = new RtpStreamStats();
    for (const i of without(range(0, 50), [10])) s.push(packet(i, { ssrc: 1, seq0: 100 }));
    for (const i of range(0, 30)) s.push(packet(50 + i, { ssrc: 2, seq0: 50000 - 50 }));
    const x = s.snapshot();
    expect(x).toMatchObject({ ssrc: 2, ssrcChanges: 1, sequenceRestarts: 0, rfc3550Expected: 80, rfc3550Received: 79, netLost: 1, valid: true });
  });
});

describe('RtpStreamStats: jitter', () => {
  it('A.8 in timestamp units matches a hand computation', () => {
    // Arrivals 0, 20, 45, 60 ms; timestamps 160 apart (20 ms at 8 kHz).
    // D = 0, +5 ms, −5 ms → in units: 40, 40. J: 0 → 40/16 = 2.5 → 2.5 + (40 − 2.5)/16 = 4.84375.
    const times = [0, 20, 45, 60];
    const x = run(range(0, 4), { at: (i) => times[i]! }).snapshot();
    expect(x.jitterTs).toBeCloseTo(4.84375, 9);
    // tshark's ms jitter is the same recurrence in ms: 0.3125 then 0.60546875.
    expect(x.maxJitterMs).toBeCloseTo(0.60546875, 9);
    expect(x.minJitterMs).toBeCloseTo(0, 9);
    expect(x.minDeltaMs).toBeCloseTo(15, 9);
    expect(x.maxDeltaMs).toBeCloseTo(25, 9);
  });

  it('unknown clock rate (dynamic PT, no rtpmap): deltas but no jitter (tshark prints −1)', () => {
    const x = run(range(0, 10), { pt: 96 }).snapshot();
    expect(x).toMatchObject({ minJitterMs: -1, meanJitterMs: 0, maxJitterMs: 0, clockRate: 0, jitterTs: 0 });
    expect(x.maxDeltaMs).toBeCloseTo(20, 9);
    const known = run(range(0, 10), { pt: 96 }, { clockRate: 8000 }).snapshot();
    expect(known.minJitterMs).toBe(0);
  });

  it('a timestamp discontinuity restarts A.8 instead of adding minutes of "jitter"', () => {
    const s = new RtpStreamStats();
    for (const i of range(0, 10)) s.push(packet(i));
    for (const i of range(10, 20)) s.push({ ...packet(i), timestamp: packet(i).timestamp + 8000 * 3600 });
    expect(s.snapshot().jitterTs).toBeLessThan(1);
  });
});

describe('RtpStreamStats: RFC 4733 events', () => {
  const te = { payloads: { 101: { name: 'telephone-event', clockRate: 8000 } } };
  function dtmf(s: RtpStreamStats, digit: number, seq0: number, ts: number, t0: number, packets: number): void {
    for (let i = 0; i < packets; i++) {
      const end = i === packets - 1;
      const p = { ...packet(0, { at: () => t0 + i * 20 }), seq: seq0 + i, timestamp: ts, pt: 101, marker: i === 0 };
      const word = ((digit << 24) | (end ? 0x800000 : 0) | (10 << 16) | ((i + 1) * 160)) >>> 0;
      s.push({ ...p, payloadHead32: word });
      if (end) for (let r = 0; r < 2; r++) s.push({ ...p, arrivalNsec: p.arrivalNsec + (r + 1) * 50_000, payloadHead32: word });
    }
  }

  it('reports digit, start and duration; end retransmissions are duplicates, not loss', () => {
    const s = new RtpStreamStats(te);
    dtmf(s, 1, 7984, 13280, 0, 8);
    dtmf(s, 11, 7992, 16000, 1000, 5);
    const x = s.snapshot();
    expect(x.events).toEqual([
      { event: 1, digit: '1', startSec: 1_700_000_000, startNsec: 0, rtpTimestamp: 13280, durationMs: 160, ended: true, volume: 10, packets: 10 },
      { event: 11, digit: '#', startSec: 1_700_000_001, startNsec: 0, rtpTimestamp: 16000, durationMs: 100, ended: true, volume: 10, packets: 7 },
    ]);
    expect(x).toMatchObject({ duplicates: 4, netLost: 0, lost: -4, problems: true, minJitterMs: -1 });
  });

  it('keeps at most maxEvents events', () => {
    const s = new RtpStreamStats({ ...te, maxEvents: 1 });
    dtmf(s, 1, 100, 1000, 0, 3);
    dtmf(s, 2, 103, 2000, 500, 3);
    expect(s.snapshot()).toMatchObject({ eventsDropped: 1 });
    expect(s.snapshot().events.map((e) => e.digit)).toEqual(['1']);
  });
});

describe('RtpStreamStats: reception report (RFC 3550 A.3)', () => {
  it('fraction lost per interval, cumulative lost, extended highest sequence number', () => {
    const s = new RtpStreamStats();
    for (const i of without(range(0, 100), [10, 11, 12, 13])) s.push(packet(i, { seq0: 65500 }));
    const r1 = s.takeReceptionReport();
    expect(r1).toMatchObject({ ssrc: 0x11223344, fractionLost: Math.floor((4 * 256) / 100), cumulativeLost: 4, extendedHighestSeq: 65536 + 63 });
    for (const i of range(100, 200)) s.push(packet(i, { seq0: 65500 }));
    const r2 = s.takeReceptionReport();
    expect(r2).toMatchObject({ fractionLost: 0, cumulativeLost: 4, extendedHighestSeq: 65536 + 163 });
    // Duplicates in an interval make its loss ≤ 0: fraction 0 (A.3), cumulative may drop.
    s.push(packet(199, { seq0: 65500 }));
    expect(s.takeReceptionReport()).toMatchObject({ fractionLost: 0, cumulativeLost: 3 });
  });
});
