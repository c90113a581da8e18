/**
 * RFC 6076 metrics against what the scenario did: captures the project made with its own lab
 * (sipp through kamailio on loopback, fixtures/lab-made/), each with a sidecar stating the calls,
 * their outcomes and timings as sipp and the packet timestamps of the UAC leg give them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalyze } from '../../src/lib/tasks/analyze.js';
import { FIXTURES } from '../helpers/truth.js';

interface ScenarioEvent {
  kind: string;
  callId: string;
  srdMs?: number;
  sddMs?: number;
  sessionDurationMs?: number;
  finalResponseMs?: number;
  expectedFinal: number;
  rrdMs?: number;
  user?: string;
}

interface Scenario {
  calls: { attempted: number; answered: number; expectedFinalCodes: Record<string, number> };
  registrations: { attempted: number; succeeded: number; failed: number };
  sipStat: { messages: number; resent: number; methods: Record<string, number>; statusCodes: Record<string, number> };
  rtp: { streams: number };
  metricsUacLeg: { SER: number | null; SEER: number | null; ISA: number | null; SCR: number | null; ASR: number | null };
  events: ScenarioEvent[];
}

const dir = join(FIXTURES, 'lab-made');
const captures = readdirSync(dir).filter((f) => f.endsWith('.pcap'));

describe.each(captures)('lab-made/%s', (name) => {
  const scenario = JSON.parse(readFileSync(join(dir, `${name}.scenario.json`), 'utf8')) as Scenario;
  const run = () => runAnalyze({ files: [join(dir, name)], rtpHeuristic: true });

  it('counts SIP as tshark did when the capture was made', async () => {
    const { result } = await run();
    expect(result.sip.messages).toBe(scenario.sipStat.messages);
    expect(result.sip.retransmissions).toBe(scenario.sipStat.resent);
    expect(result.sip.methods).toEqual(scenario.sipStat.methods);
    expect(result.sip.statusCodes).toEqual(scenario.sipStat.statusCodes);
  });

  it('has one call per INVITE dialog with the final status the scenario expected', async () => {
    const { result } = await run();
    expect(result.calls.length).toBe(scenario.calls.attempted);
    const finals: Record<string, number> = {};
    for (const c of result.calls) finals[String(c.finalStatus)] = (finals[String(c.finalStatus)] ?? 0) + 1;
    expect(finals).toEqual(scenario.calls.expectedFinalCodes);
    expect(result.rfc6076.answered).toBe(scenario.calls.answered);
    for (const e of scenario.events.filter((x) => !x.kind.startsWith('register'))) {
      const c = result.calls.find((x) => x.callId === e.callId);
      expect(c, e.callId).toBeDefined();
      expect(c?.finalStatus).toBe(e.expectedFinal);
      const endedBy = { answered: 'caller-bye', cancelled: 'cancel', busy: 'error', noanswer: 'error' }[e.kind];
      if (endedBy) expect(c?.endedBy).toBe(endedBy);
    }
  });

  it('gives the SER, SEER, ISA, SCR and ASR of the scenario', async () => {
    const { result } = await run();
    const m = result.rfc6076;
    const want = scenario.metricsUacLeg;
    for (const [ours, theirs] of [
      [m.serPct, want.SER],
      [m.seerPct, want.SEER],
      [m.isaPct, want.ISA],
      [m.scrPct, want.SCR],
      [m.asrPct, want.ASR],
    ] as const) {
      if (theirs === null) expect(ours).toBeNull();
      else expect(ours).toBeCloseTo(theirs, 1);
    }
  });

  it('times SRD, setup, SDD and session duration on the caller leg to the microsecond', async () => {
    const { result } = await run();
    for (const e of scenario.events) {
      const c = result.calls.find((x) => x.callId === e.callId);
      if (!c) continue;
      if (e.srdMs !== undefined) expect(c.srdMs, `${e.callId} SRD`).toBeCloseTo(e.srdMs, 2);
      if (e.sddMs !== undefined) expect(c.sddMs, `${e.callId} SDD`).toBeCloseTo(e.sddMs, 2);
      if (e.sessionDurationMs !== undefined) expect(c.durationMs, `${e.callId} SDT`).toBeCloseTo(e.sessionDurationMs, 2);
      if (e.kind === 'answered' && e.finalResponseMs !== undefined) expect(c.setupMs).toBeCloseTo(e.finalResponseMs, 2);
    }
  });

  it('counts registrations, their failures, IRA and RRD', async () => {
    const { result } = await run();
    const regs = result.registrations;
    const sum = (f: (r: (typeof regs)[number]) => number) => regs.reduce((a, r) => a + f(r), 0);
    expect(sum((r) => r.attempts)).toBe(scenario.registrations.attempted);
    expect(sum((r) => r.successes)).toBe(scenario.registrations.succeeded);
    expect(sum((r) => Object.values(r.failures).reduce((a, b) => a + b, 0))).toBe(scenario.registrations.failed);
    if (scenario.registrations.attempted > 0) {
      expect(result.rfc6076.iraPct).toBeCloseTo((scenario.registrations.failed / scenario.registrations.attempted) * 100, 3);
    }
    for (const e of scenario.events.filter((x) => x.kind === 'register-ok')) {
      const r = regs.find((x) => x.aor.includes(`${e.user}@`));
      expect(r?.rrdMs.avg).toBeCloseTo(e.rrdMs ?? NaN, 2);
    }
  });

  it('finds every RTP stream and scores clean loopback calls above MOS 4.2', async () => {
    const { result } = await run();
    expect(result.rtp.streams.length).toBe(scenario.rtp.streams);
    for (const c of result.calls.filter((x) => x.finalStatus === 200)) {
      expect(c.streams.length).toBeGreaterThanOrEqual(2);
      expect(c.mos).toBeGreaterThan(4.2);
    }
    expect(result.findings.filter((f) => f.code === 'NO_MEDIA' || f.code === 'ONE_WAY_AUDIO')).toEqual([]);
  });
});
