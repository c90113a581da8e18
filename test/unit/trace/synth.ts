/** Synthetic probe sequences for the hop statistics and judgement tests. */
import type { AnswerKind, ProbeResult, SipAnswer } from '../../../src/lib/trace/probe.js';

export const R1 = '10.0.1.1';
export const R2 = '10.0.2.1';
export const R3 = '10.0.3.1';
export const DST = '10.0.9.9';

export interface HopPlan {
  from: string;
  kind: AnswerKind;
  /** RTT per round; null = no answer */
  rtts: (number | null)[];
  sip?: SipAnswer;
}

/** One probe per hop per round, rounds `intervalMs` apart, TTL n sent n ms into the round. */
export function rounds(plan: HopPlan[], intervalMs = 1000): ProbeResult[] {
  const out: ProbeResult[] = [];
  const n = Math.max(...plan.map((p) => p.rtts.length));
  for (let round = 0; round < n; round++) {
    plan.forEach((p, i) => {
      const rtt = p.rtts[round];
      if (rtt === undefined) return;
      out.push({
        round,
        ttl: i + 1,
        sentAtMs: round * intervalMs + i,
        answer: rtt === null ? null : { kind: p.kind, from: p.from, rttMs: rtt, icmpType: null, icmpCode: null, sip: p.sip ?? null },
      });
    });
  }
  return out;
}

export const OK200: SipAnswer = { status: 200, reason: 'OK', server: 'test-server', userAgent: null };

/** n values of x */
export const times = <T>(n: number, x: T): T[] => Array<T>(n).fill(x);
