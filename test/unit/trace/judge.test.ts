/** Loss vs rate limiting, findings and end-to-end judgement on synthetic sequences. */
import { describe, expect, it } from 'vitest';
import { HopStatsEngine } from '../../../src/lib/trace/hop-stats.js';
import { endToEnd, hopStatuses, looksRateLimited, sipFilteredFinding, traceFindings } from '../../../src/lib/trace/judge.js';
import type { TraceProto } from '../../../src/lib/trace/probe.js';
import { DST, OK200, R1, R2, R3, rounds, times, type HopPlan } from './synth.js';

function judgeOf(plan: HopPlan[], proto: TraceProto = 'sip', intervalMs = 1000, stepMs = 30) {
  const e = new HopStatsEngine({ target: DST, proto });
  for (const r of rounds(plan, intervalMs)) e.push(r);
  const s = e.snapshot();
  const st = hopStatuses(s);
  return { s, statuses: s.hops.map((h) => st.get(h.ttl)), findings: traceFindings(s, st, { stepMs, detourMs: 5 }), e2e: endToEnd(s) };
}

/** Linux router ICMP rate limit: a burst of 6 answers, then one per second (probes every 100 ms). */
const rateLimited = (rtt: number) => [...times(6, rtt), null, null, null, null, rtt, null, null, null, null, null, null, null, null, null, rtt];

describe('loss vs ICMP rate limiting', () => {
  it('loss at an intermediate hop that does not persist is "rate-limited?", not loss', () => {
    const j = judgeOf(
      [
        { from: R1, kind: 'time-exceeded', rtts: rateLimited(1) },
        { from: R2, kind: 'time-exceeded', rtts: rateLimited(2) },
        { from: DST, kind: 'sip', rtts: times(21, 3), sip: OK200 },
      ],
      'sip',
      100,
    );
    expect(j.statuses).toEqual(['rate-limited?', 'rate-limited?', 'ok']);
    expect(j.findings.map((f) => [f.code, f.ttl])).toEqual([
      ['RATE_LIMITED', 1],
      ['RATE_LIMITED', 2],
    ]);
    expect(j.e2e).toMatchObject({ reached: true, lossPct: 0, answeredBy: 'sip' });
  });

  it('loss that starts at a hop and persists to the target is loss, found at its first hop', () => {
    const lossy = [1, null, 1, 1, null, 1, 1, 1, null, 1];
    const j = judgeOf([
      { from: R1, kind: 'time-exceeded', rtts: times(10, 1) },
      { from: R2, kind: 'time-exceeded', rtts: lossy },
      { from: R3, kind: 'time-exceeded', rtts: [1, 1, null, 1, null, 1, 1, null, null, 1] },
      { from: DST, kind: 'sip', rtts: [1, null, 1, null, 1, 1, null, 1, 1, 1], sip: OK200 },
    ]);
    expect(j.statuses).toEqual(['ok', 'loss', 'loss', 'loss']);
    const f = j.findings.find((x) => x.code === 'LOSS_FROM_HOP');
    expect(f).toMatchObject({ severity: 'error', ttl: 2 });
    expect(f!.message).toContain('30% end to end');
    expect(j.e2e.lossPct).toBe(30);
  });

  it('a rate-limited hop before real loss stays rate-limited when the later loss is much smaller', () => {
    const j = judgeOf([
      { from: R1, kind: 'time-exceeded', rtts: [1, 1, 1, 1, 1, 1, null, null, null, null] },
      { from: R2, kind: 'time-exceeded', rtts: [1, null, 1, 1, 1, 1, 1, 1, 1, 1] },
      { from: DST, kind: 'sip', rtts: [1, null, 1, 1, 1, 1, 1, 1, 1, 1], sip: OK200 },
    ]);
    expect(j.statuses).toEqual(['rate-limited?', 'loss', 'loss']);
    expect(j.findings.find((f) => f.code === 'LOSS_FROM_HOP')?.ttl).toBe(2);
  });

  it('end-to-end loss is never judged from UDP port unreachables (rate-limited by the target too)', () => {
    const j = judgeOf(
      [
        { from: R1, kind: 'time-exceeded', rtts: times(12, 1) },
        { from: DST, kind: 'port-unreachable', rtts: rateLimited(2).slice(0, 12) },
      ],
      'udp',
      100,
    );
    expect(j.statuses).toEqual(['ok', 'rate-limited?']);
    expect(j.e2e).toMatchObject({ reached: true, answeredBy: 'port-unreachable', lossPct: null });
    expect(j.findings.map((f) => f.code)).toEqual(['RATE_LIMITED']);
  });

  it('loss only at the target (echo replies) is loss at the target', () => {
    const j = judgeOf(
      [
        { from: R1, kind: 'time-exceeded', rtts: times(4, 1) },
        { from: DST, kind: 'echo-reply', rtts: [2, null, 2, 2] },
      ],
      'icmp',
    );
    expect(j.statuses).toEqual(['ok', 'loss']);
    expect(j.findings[0]).toMatchObject({ code: 'LOSS_FROM_HOP', ttl: 2 });
    expect(j.findings[0]!.message).toMatch(/^25% loss at the target/);
  });

  it('looksRateLimited: a burst then sparse answers, not random loss from the start', () => {
    const o = (rtts: (number | null)[], every = 100) => rtts.map((rttMs, i) => ({ round: i, sentAtMs: i * every, rttMs }));
    expect(looksRateLimited(o(rateLimited(1)))).toBe(true);
    expect(looksRateLimited(o([1, null, 1, null, 1, null, 1, null]))).toBe(false); // loss from the start
    expect(looksRateLimited(o([1, 1, 1, 1, null, 1, 1, 1], 1000))).toBe(false); // probes no faster than answers
  });

  it('a router that never answers is "no-reply", and does not make later hops lossy', () => {
    const j = judgeOf([
      { from: R1, kind: 'time-exceeded', rtts: times(5, 1) },
      { from: R2, kind: 'time-exceeded', rtts: times(5, null) },
      { from: DST, kind: 'sip', rtts: times(5, 3), sip: OK200 },
    ]);
    expect(j.statuses).toEqual(['ok', 'no-reply', 'ok']);
    expect(j.findings).toEqual([]);
  });
});

describe('findings', () => {
  it('a hop adding more than stepMs that later hops keep is a latency step; a transient one is not', () => {
    const j = judgeOf(
      [
        { from: R1, kind: 'time-exceeded', rtts: [4, 4.2] },
        { from: R2, kind: 'time-exceeded', rtts: [24, 24.5] },
        { from: DST, kind: 'sip', rtts: [30, 30.2], sip: OK200 },
      ],
      'sip',
      1000,
      15,
    );
    expect(j.findings.map((f) => [f.code, f.ttl])).toEqual([['LATENCY_STEP', 2]]);
    expect(j.findings[0]!.message).toContain('adds 20 ms over hop 1');

    const slowRouter = judgeOf(
      [
        { from: R1, kind: 'time-exceeded', rtts: [4, 4] },
        { from: R2, kind: 'time-exceeded', rtts: [60, 60] },
        { from: DST, kind: 'sip', rtts: [6, 6], sip: OK200 },
      ],
      'sip',
      1000,
      30,
    );
    expect(slowRouter.findings.map((f) => f.code)).not.toContain('LATENCY_STEP');
  });

  it('RTT falling at a hop then rising again is a detour at the hop before the fall', () => {
    const j = judgeOf([
      { from: R1, kind: 'time-exceeded', rtts: [2, 2] },
      { from: R2, kind: 'time-exceeded', rtts: [40, 41] },
      { from: R3, kind: 'time-exceeded', rtts: [10, 10] },
      { from: DST, kind: 'sip', rtts: [45, 44], sip: OK200 },
    ]);
    const d = j.findings.find((f) => f.code === 'DETOUR');
    expect(d).toMatchObject({ ttl: 2, severity: 'info' });
    expect(d!.message).toContain('falls from 40.5 ms at hop 2 to 10 ms at hop 3, then rises to 44.5 ms at hop 4');
  });

  it('administratively prohibited is "blocked"; host unreachable ends the path', () => {
    const blocked = judgeOf(
      [
        { from: R1, kind: 'time-exceeded', rtts: [1, 1] },
        { from: R2, kind: 'admin-prohibited', rtts: [2, 2] },
      ],
      'udp',
    );
    expect(blocked.statuses).toEqual(['ok', 'blocked']);
    expect(blocked.findings.map((f) => f.code)).toEqual(['BLOCKED']);
    const unreach = judgeOf([{ from: R1, kind: 'host-unreachable', rtts: [1] }], 'udp');
    expect(unreach.statuses).toEqual(['unreachable']);
    expect(unreach.findings.map((f) => f.code)).toEqual(['UNREACHABLE']);
  });

  it('a silent target names the last hop that answered; port unreachable in sip mode is "no SIP server"', () => {
    const silent = judgeOf([
      { from: R1, kind: 'time-exceeded', rtts: [1, 1] },
      { from: R2, kind: 'time-exceeded', rtts: [2, 2] },
      { from: DST, kind: 'sip', rtts: [null, null] },
    ]);
    expect(silent.findings.map((f) => [f.code, f.ttl])).toEqual([['TARGET_SILENT', 2]]);
    expect(silent.e2e).toMatchObject({ reached: false, lossPct: 100 });
    const noSip = judgeOf([
      { from: R1, kind: 'time-exceeded', rtts: [1] },
      { from: DST, kind: 'port-unreachable', rtts: [2] },
    ]);
    expect(noSip.findings.map((f) => f.code)).toEqual(['NO_SIP_SERVER']);
  });

  it('SIP filtered: SIP stops after a hop while control probes reach the target', () => {
    const j = judgeOf([
      { from: R1, kind: 'time-exceeded', rtts: [1, 1] },
      { from: R2, kind: 'time-exceeded', rtts: [2, 2] },
      { from: DST, kind: 'sip', rtts: [null, null] },
    ]);
    const f = sipFilteredFinding(j.s, 5060, [
      { proto: 'udp', port: 33434, reached: true, lastTtl: 3, lastAddress: DST },
      { proto: 'icmp', port: null, reached: true, lastTtl: 3, lastAddress: DST },
    ]);
    expect(f).toMatchObject({ code: 'SIP_FILTERED', ttl: 2, severity: 'error' });
    expect(f!.message).toBe(
      'SIP (UDP 5060) stops after hop 2 (10.0.2.1) while UDP to port 33434 and ICMP echo reach the target at hop 3: a firewall or SIP ALG at hop 2 or the next one drops SIP',
    );
    expect(sipFilteredFinding(j.s, 5060, [{ proto: 'udp', port: 33434, reached: false, lastTtl: 2, lastAddress: R2 }])).toBeNull();
  });
});
