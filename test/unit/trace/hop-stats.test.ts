/** The hop statistics engine on synthetic probe sequences (time is in the results). */
import { describe, expect, it } from 'vitest';
import { HopStatsEngine, rttSummary } from '../../../src/lib/trace/hop-stats.js';
import { DST, OK200, R1, R2, rounds, times } from './synth.js';

const engineWith = (results: ReturnType<typeof rounds>) => {
  const e = new HopStatsEngine({ target: DST, proto: 'sip' });
  for (const r of results) e.push(r);
  return e;
};

describe('rttSummary (mtr columns)', () => {
  it('computes last/best/avg/worst, the sample stdev and the mean absolute RTT difference', () => {
    // mtr -j on two probes 0.059 and 0.137 printed Avg 0.098, StDev 0.055 (n - 1)
    expect(rttSummary([0.059, 0.137])).toEqual({ lastMs: 0.137, bestMs: 0.059, avgMs: 0.098, worstMs: 0.137, stdevMs: 0.055, jitterMs: 0.078 });
    expect(rttSummary([10, 12, 11, 15])).toEqual({ lastMs: 15, bestMs: 10, avgMs: 12, worstMs: 15, stdevMs: 2.16, jitterMs: 2.333 });
    expect(rttSummary([5])).toEqual({ lastMs: 5, bestMs: 5, avgMs: 5, worstMs: 5, stdevMs: 0, jitterMs: 0 });
    expect(rttSummary([])).toEqual({ lastMs: null, bestMs: null, avgMs: null, worstMs: null, stdevMs: null, jitterMs: null });
  });
});

describe('HopStatsEngine', () => {
  it('counts sent, received and loss per hop and ends at the destination', () => {
    const s = engineWith(
      rounds([
        { from: R1, kind: 'time-exceeded', rtts: [1, 1.2, null, 1.1] },
        { from: R2, kind: 'time-exceeded', rtts: [5, 5, 5, 5] },
        { from: DST, kind: 'sip', rtts: [9, 9.5, 9, 10], sip: OK200 },
      ]),
    ).snapshot();
    expect(s.destinationTtl).toBe(3);
    expect(s.rounds).toBe(4);
    expect(s.hops.map((h) => [h.ttl, h.address, h.sent, h.received, h.lossPct, h.answeredBy])).toEqual([
      [1, R1, 4, 3, 25, 'time-exceeded'],
      [2, R2, 4, 4, 0, 'time-exceeded'],
      [3, DST, 4, 4, 0, 'sip'],
    ]);
    expect(s.hops[2]).toMatchObject({ isDestination: true, sip: OK200, avgMs: 9.375, bestMs: 9, worstMs: 10, lastMs: 10 });
  });

  it('drops probes sent beyond the destination (round 1 reached it at TTL 3 and TTL 4)', () => {
    const e = engineWith(rounds([{ from: R1, kind: 'time-exceeded', rtts: [1] }, { from: R2, kind: 'time-exceeded', rtts: [2] }, { from: DST, kind: 'sip', rtts: [3], sip: OK200 }]));
    e.push({ round: 0, ttl: 4, sentAtMs: 4, answer: { kind: 'sip', from: DST, rttMs: 3, icmpType: null, icmpCode: null, sip: OK200 } });
    e.push({ round: 0, ttl: 5, sentAtMs: 5, answer: null });
    expect(e.snapshot().hops.map((h) => h.ttl)).toEqual([1, 2, 3]);
  });

  it('when the target is silent, keeps hops up to the last that answered plus one silent row', () => {
    const s = engineWith(
      rounds([
        { from: R1, kind: 'time-exceeded', rtts: [1, 1] },
        { from: R2, kind: 'time-exceeded', rtts: [2, 2] },
        { from: DST, kind: 'sip', rtts: [null, null] },
        { from: DST, kind: 'sip', rtts: [null, null] },
        { from: DST, kind: 'sip', rtts: [null, null] },
      ]),
    ).snapshot();
    expect(s.destinationTtl).toBeNull();
    expect(s.hops.map((h) => [h.ttl, h.address, h.received])).toEqual([
      [1, R1, 2],
      [2, R2, 2],
      [3, null, 0],
    ]);
  });

  it('lists every address that answered at a TTL, most frequent first, and a router unreachable ends the path', () => {
    const e = new HopStatsEngine({ target: DST, proto: 'udp' });
    const a = (from: string, kind: 'time-exceeded' | 'host-unreachable') => ({ kind, from, rttMs: 1, icmpType: null, icmpCode: null, sip: null });
    e.push({ round: 0, ttl: 1, sentAtMs: 0, answer: a(R1, 'time-exceeded') });
    e.push({ round: 1, ttl: 1, sentAtMs: 1000, answer: a(R2, 'time-exceeded') });
    e.push({ round: 2, ttl: 1, sentAtMs: 2000, answer: a(R2, 'time-exceeded') });
    e.push({ round: 0, ttl: 2, sentAtMs: 1, answer: a(R2, 'host-unreachable') });
    e.push({ round: 0, ttl: 3, sentAtMs: 2, answer: null });
    const s = e.snapshot();
    expect(s.terminalTtl).toBe(2);
    expect(s.hops.map((h) => h.ttl)).toEqual([1, 2]);
    expect(s.hops[0]!.addresses).toEqual([
      { address: R2, count: 2 },
      { address: R1, count: 1 },
    ]);
    expect(s.hops[0]!.address).toBe(R2);
  });

  it('orders outcomes by send time whatever order the results came in', () => {
    const e = new HopStatsEngine({ target: DST, proto: 'icmp' });
    const rs = rounds([{ from: DST, kind: 'echo-reply', rtts: [3, 1, 2] }]).reverse();
    for (const r of rs) e.push(r);
    const h = e.snapshot().hops[0]!;
    expect(h.outcomes.map((o) => o.rttMs)).toEqual([3, 1, 2]);
    expect(h.lastMs).toBe(2);
    expect(h.jitterMs).toBe(1.5);
  });

  it('handles a long run without growing beyond its probes', () => {
    const s = engineWith(rounds([{ from: DST, kind: 'sip', rtts: times(1000, 2), sip: OK200 }], 10)).snapshot();
    expect(s.hops[0]).toMatchObject({ sent: 1000, received: 1000, avgMs: 2, stdevMs: 0 });
  });
});
