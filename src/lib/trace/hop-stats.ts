/**
 * Hop statistics of a trace: a pure state machine fed with probe results (`push`), read with
 * `snapshot()`. No clock, no I/O: every time it needs is in the results (STYLE.md rule 12).
 *
 * Per TTL it keeps each probe's outcome, and from them derives mtr's columns: sent, loss %,
 * last / best / avg / worst RTT, the sample standard deviation (n − 1, as mtr), and jitter as
 * the mean absolute difference between consecutive RTTs (mtr's "Javg"). The destination is the
 * lowest TTL the target answered at (a SIP response, an echo reply, a UDP reply or a port
 * unreachable from the target address); probes sent beyond it are not counted, as in mtr.
 */
import { isDestinationKind, isTerminalErrorKind, type AnswerKind, type ProbeResult, type SipAnswer, type TraceProto } from './probe.js';

export interface RttSummaryMs {
  lastMs: number | null;
  bestMs: number | null;
  avgMs: number | null;
  worstMs: number | null;
  stdevMs: number | null;
  jitterMs: number | null;
}

export interface HopOutcome {
  round: number;
  sentAtMs: number;
  rttMs: number | null;
}

export interface HopStats extends RttSummaryMs {
  ttl: number;
  /** the address that answered most often; null if nothing answered */
  address: string | null;
  /** every address that answered at this TTL (ECMP, route changes), most frequent first */
  addresses: { address: string; count: number }[];
  sent: number;
  received: number;
  lossPct: number;
  /** answers by kind (time-exceeded, port-unreachable, sip, echo-reply…) */
  answers: Partial<Record<AnswerKind, number>>;
  /** the most frequent kind of answer; null if nothing answered */
  answeredBy: AnswerKind | null;
  /** the last SIP response seen at this hop */
  sip: SipAnswer | null;
  isDestination: boolean;
  /** outcomes in send order (for the rate-limit judgement) */
  outcomes: HopOutcome[];
}

export interface TraceSnapshot {
  target: string;
  proto: TraceProto;
  /** rounds with at least one result */
  rounds: number;
  /** TTL the target answered at; null if it never did */
  destinationTtl: number | null;
  /** TTL a router answered "unreachable / prohibited" at (path ends there); null if none */
  terminalTtl: number | null;
  hops: HopStats[];
}

interface HopState {
  outcomes: HopOutcome[];
  byAddress: Map<string, number>;
  byKind: Map<AnswerKind, number>;
  sip: SipAnswer | null;
  destinationAnswers: number;
}

export class HopStatsEngine {
  private readonly hops = new Map<number, HopState>();
  private destinationTtl: number | null = null;
  private terminalTtl: number | null = null;
  private maxRound = -1;

  constructor(private readonly opts: { target: string; proto: TraceProto }) {}

  push(r: ProbeResult): void {
    let h = this.hops.get(r.ttl);
    if (!h) {
      h = { outcomes: [], byAddress: new Map(), byKind: new Map(), sip: null, destinationAnswers: 0 };
      this.hops.set(r.ttl, h);
    }
    this.maxRound = Math.max(this.maxRound, r.round);
    const a = r.answer;
    h.outcomes.push({ round: r.round, sentAtMs: r.sentAtMs, rttMs: a ? a.rttMs : null });
    if (!a) return;
    h.byAddress.set(a.from, (h.byAddress.get(a.from) ?? 0) + 1);
    h.byKind.set(a.kind, (h.byKind.get(a.kind) ?? 0) + 1);
    if (a.sip) h.sip = a.sip;
    const fromTarget = a.from === this.opts.target || a.kind === 'sip';
    if (isDestinationKind(a.kind) && fromTarget) {
      h.destinationAnswers++;
      this.destinationTtl = this.destinationTtl === null ? r.ttl : Math.min(this.destinationTtl, r.ttl);
    } else if (isTerminalErrorKind(a.kind)) {
      this.terminalTtl = this.terminalTtl === null ? r.ttl : Math.min(this.terminalTtl, r.ttl);
    }
  }

  snapshot(): TraceSnapshot {
    const ttls = [...this.hops.keys()].sort((x, y) => x - y);
    let last: number;
    if (this.destinationTtl !== null) last = this.destinationTtl;
    else if (this.terminalTtl !== null) last = this.terminalTtl;
    else {
      // target silent: every TTL up to the highest that answered, plus one silent row
      const answered = ttls.filter((t) => (this.hops.get(t)?.byKind.size ?? 0) > 0);
      const highest = answered.length > 0 ? Math.max(...answered) : 0;
      last = Math.min(highest + 1, ttls.length > 0 ? Math.max(...ttls) : 0);
    }
    const hops: HopStats[] = [];
    for (const ttl of ttls) {
      if (ttl > last) break;
      const h = this.hops.get(ttl)!;
      hops.push(hopStats(ttl, h, ttl === this.destinationTtl));
    }
    return {
      target: this.opts.target,
      proto: this.opts.proto,
      rounds: this.maxRound + 1,
      destinationTtl: this.destinationTtl,
      terminalTtl: this.terminalTtl,
      hops,
    };
  }
}

function hopStats(ttl: number, h: HopState, isDestination: boolean): HopStats {
  const outcomes = [...h.outcomes].sort((x, y) => x.sentAtMs - y.sentAtMs);
  const rtts = outcomes.flatMap((o) => (o.rttMs === null ? [] : [o.rttMs]));
  const sent = outcomes.length;
  const received = rtts.length;
  const addresses = [...h.byAddress.entries()].map(([address, count]) => ({ address, count })).sort((x, y) => y.count - x.count);
  const kinds = [...h.byKind.entries()].sort((x, y) => y[1] - x[1]);
  return {
    ttl,
    address: addresses[0]?.address ?? null,
    addresses,
    sent,
    received,
    lossPct: sent === 0 ? 0 : round3(((sent - received) / sent) * 100),
    ...rttSummary(rtts),
    answers: Object.fromEntries(h.byKind) as Partial<Record<AnswerKind, number>>,
    answeredBy: kinds[0]?.[0] ?? null,
    sip: h.sip,
    isDestination,
    outcomes,
  };
}

/** mtr's RTT columns over RTTs in send order. */
export function rttSummary(rtts: readonly number[]): RttSummaryMs {
  if (rtts.length === 0) return { lastMs: null, bestMs: null, avgMs: null, worstMs: null, stdevMs: null, jitterMs: null };
  let mean = 0;
  let m2 = 0;
  let best = Infinity;
  let worst = -Infinity;
  let jitterSum = 0;
  rtts.forEach((x, i) => {
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
    best = Math.min(best, x);
    worst = Math.max(worst, x);
    if (i > 0) jitterSum += Math.abs(x - rtts[i - 1]!);
  });
  const n = rtts.length;
  return {
    lastMs: round3(rtts[n - 1]!),
    bestMs: round3(best),
    avgMs: round3(mean),
    worstMs: round3(worst),
    stdevMs: n > 1 ? round3(Math.sqrt(m2 / (n - 1))) : 0,
    jitterMs: n > 1 ? round3(jitterSum / (n - 1)) : 0,
  };
}

/** Round to the µs (3 decimals of a ms), as every RTT in the JSON is. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
