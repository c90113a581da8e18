/**
 * Judgements over a trace snapshot: which losses are real, which are ICMP rate limiting, and
 * the findings an engineer acts on. Pure functions of the snapshot and the options.
 *
 * Loss vs rate limiting. Routers generate ICMP errors on their slow path and limit them: a
 * Linux router answers a burst of 6 and then about one per second per source (IPv4
 * icmp_ratelimit 1000 ms; IPv6 scales the interval by the route's prefix length). So a hop may
 * drop answers while forwarding every probe. Loss at a hop is real only when it persists: every
 * later hop, and the target, lose at least half as much. Loss that does not persist is
 * "rate-limited?". End-to-end loss is judged from the target's own answers (SIP responses, echo
 * replies), never from UDP port unreachables, which the target rate-limits too.
 */
import type { AnswerKind, TraceProto } from './probe.js';
import type { HopOutcome, HopStats, TraceSnapshot } from './hop-stats.js';
import { round3 } from './hop-stats.js';

export type HopStatus = 'ok' | 'loss' | 'rate-limited?' | 'no-reply' | 'blocked' | 'unreachable';

export type Severity = 'info' | 'warning' | 'error';

export interface TraceFinding {
  severity: Severity;
  code:
    | 'LOSS_FROM_HOP'
    | 'RATE_LIMITED'
    | 'LATENCY_STEP'
    | 'DETOUR'
    | 'BLOCKED'
    | 'UNREACHABLE'
    | 'TARGET_SILENT'
    | 'NO_SIP_SERVER'
    | 'SIP_FILTERED'
    | 'SIP_ERROR_STATUS';
  message: string;
  /** the hop the finding is about */
  ttl?: number;
  evidence?: string;
}

export interface JudgeOptions {
  /** a hop adding more than this over the previous one is a finding (ms) */
  stepMs: number;
  /** RTT falling by more than this, then rising again by as much, is a detour (ms) */
  detourMs: number;
}

export const DEFAULT_JUDGE_OPTIONS: JudgeOptions = { stepMs: 30, detourMs: 5 };

export interface EndToEnd {
  reached: boolean;
  ttl: number | null;
  /** what answered at the target */
  answeredBy: AnswerKind | null;
  sent: number;
  received: number;
  /** loss at the target; null when it cannot be judged (UDP port unreachables, never reached) */
  lossPct: number | null;
  rttMs: { best: number | null; avg: number | null; worst: number | null; stdev: number | null; jitter: number | null };
}

/** Kinds the target answers without rate limiting, so their loss is real loss. */
function lossIsJudgeable(kind: AnswerKind | null): boolean {
  return kind === 'sip' || kind === 'echo-reply' || kind === 'udp-reply';
}

/**
 * The rate limiter's signature in one hop's outcomes: a burst of answers first (≥ 3), then
 * losses with answers coming at most ~5 per second while probes came faster.
 */
export function looksRateLimited(outcomes: readonly HopOutcome[]): boolean {
  const firstLoss = outcomes.findIndex((o) => o.rttMs === null);
  if (firstLoss < 3) return false;
  const tail = outcomes.slice(firstLoss);
  const first = tail[0];
  const last = tail[tail.length - 1];
  if (!first || !last) return false;
  const spanS = Math.max(0.001, (last.sentAtMs - first.sentAtMs) / 1000);
  const answered = tail.filter((o) => o.rttMs !== null).length;
  const probeRate = tail.length / spanS;
  const answerRate = answered / spanS;
  return answerRate <= 5 && probeRate > answerRate * 1.5;
}

export function hopStatuses(s: TraceSnapshot): Map<number, HopStatus> {
  const out = new Map<number, HopStatus>();
  const hops = s.hops.filter((h) => h.sent > 0);
  hops.forEach((h, i) => {
    const later = hops.slice(i + 1);
    if (h.answeredBy === 'admin-prohibited') return out.set(h.ttl, 'blocked');
    if (h.answeredBy === 'host-unreachable' || h.answeredBy === 'net-unreachable' || h.answeredBy === 'protocol-unreachable') {
      return out.set(h.ttl, 'unreachable');
    }
    if (h.received === 0) return out.set(h.ttl, 'no-reply');
    if (h.lossPct === 0) return out.set(h.ttl, 'ok');
    if (later.length === 0) {
      if (h.isDestination) return out.set(h.ttl, lossIsJudgeable(h.answeredBy) ? 'loss' : 'rate-limited?');
      return out.set(h.ttl, looksRateLimited(h.outcomes) ? 'rate-limited?' : 'loss');
    }
    const persists = later.every((l) => l.lossPct >= h.lossPct / 2);
    return out.set(h.ttl, persists ? 'loss' : 'rate-limited?');
  });
  return out;
}

export function endToEnd(s: TraceSnapshot): EndToEnd {
  const d = s.destinationTtl === null ? undefined : s.hops.find((h) => h.ttl === s.destinationTtl);
  if (!d) {
    const sent = s.hops.length > 0 ? Math.max(...s.hops.map((h) => h.sent)) : 0;
    return {
      reached: false,
      ttl: null,
      answeredBy: null,
      sent,
      received: 0,
      lossPct: sent > 0 ? 100 : null,
      rttMs: { best: null, avg: null, worst: null, stdev: null, jitter: null },
    };
  }
  return {
    reached: true,
    ttl: d.ttl,
    answeredBy: d.answeredBy,
    sent: d.sent,
    received: d.received,
    lossPct: lossIsJudgeable(d.answeredBy) ? d.lossPct : null,
    rttMs: { best: d.bestMs, avg: d.avgMs, worst: d.worstMs, stdev: d.stdevMs, jitter: d.jitterMs },
  };
}

const hopName = (h: HopStats) => `hop ${h.ttl} (${h.address ?? '???'})`;
const ms = (x: number) => `${round3(x)} ms`;

export function traceFindings(s: TraceSnapshot, statuses: Map<number, HopStatus>, o: JudgeOptions = DEFAULT_JUDGE_OPTIONS): TraceFinding[] {
  const findings: TraceFinding[] = [];
  const hops = s.hops.filter((h) => h.sent > 0);
  const e2e = endToEnd(s);

  // loss that starts at a hop and persists to the target
  const firstLoss = hops.find((h) => statuses.get(h.ttl) === 'loss');
  if (firstLoss && (e2e.reached || !firstLoss.isDestination)) {
    const atTarget = e2e.lossPct;
    const onlyTarget = firstLoss.isDestination;
    findings.push({
      severity: 'error',
      code: 'LOSS_FROM_HOP',
      ttl: firstLoss.ttl,
      message: onlyTarget
        ? `${atTarget ?? firstLoss.lossPct}% loss at the target ${hopName(firstLoss)} only: the last link or the target itself drops packets`
        : `loss starts at ${hopName(firstLoss)} (${firstLoss.lossPct}%) and persists to every later hop` +
          (atTarget !== null ? `: ${atTarget}% end to end` : ''),
      evidence: hops.filter((h) => h.ttl >= firstLoss.ttl).map((h) => `hop ${h.ttl} ${h.lossPct}%`).join(', '),
    });
  }

  // rate limiting told apart from loss
  const limited = hops.filter((h) => statuses.get(h.ttl) === 'rate-limited?');
  for (const h of limited) {
    findings.push({
      severity: 'info',
      code: 'RATE_LIMITED',
      ttl: h.ttl,
      message: h.isDestination
        ? `${hopName(h)} answered ${h.received}/${h.sent} probes with ${h.answeredBy ?? 'ICMP'}: ICMP errors are rate-limited, so this is not judged as loss`
        : `${hopName(h)} answered ${h.received}/${h.sent} probes but later hops lose less: ICMP rate limiting at the router, not loss`,
    });
  }

  for (const h of hops) {
    const st = statuses.get(h.ttl);
    if (st === 'blocked') {
      findings.push({ severity: 'warning', code: 'BLOCKED', ttl: h.ttl, message: `${hopName(h)} answers "administratively prohibited": a firewall rejects the probes there` });
    } else if (st === 'unreachable') {
      findings.push({ severity: 'error', code: 'UNREACHABLE', ttl: h.ttl, message: `${hopName(h)} answers ${h.answeredBy}: it has no route onwards` });
    }
  }

  // latency: a hop adding more than stepMs over the previous answering hop, for good
  const answering = hops.filter((h) => h.bestMs !== null);
  for (let i = 1; i < answering.length; i++) {
    const prev = answering[i - 1]!;
    const h = answering[i]!;
    const step = h.bestMs! - prev.bestMs!;
    if (step <= o.stepMs) continue;
    const after = answering.slice(i);
    const lasting = after.every((x) => x.bestMs! - prev.bestMs! > o.stepMs);
    if (!lasting) continue;
    findings.push({
      severity: 'warning',
      code: 'LATENCY_STEP',
      ttl: h.ttl,
      message: `${hopName(h)} adds ${ms(step)} over hop ${prev.ttl} (best ${ms(prev.bestMs!)} → ${ms(h.bestMs!)}), and the hops after it keep it`,
    });
  }

  // detour: RTT falls at a hop, then rises again later
  for (let i = 1; i < answering.length - 1; i++) {
    const prev = answering[i - 1]!;
    const h = answering[i]!;
    if (prev.avgMs! - h.avgMs! <= o.detourMs) continue;
    const rise = answering.slice(i + 1).find((x) => x.avgMs! - h.avgMs! > o.detourMs);
    if (!rise) continue;
    findings.push({
      severity: 'info',
      code: 'DETOUR',
      ttl: prev.ttl,
      message:
        `RTT falls from ${ms(prev.avgMs!)} at hop ${prev.ttl} to ${ms(h.avgMs!)} at hop ${h.ttl}, then rises to ${ms(rise.avgMs!)} at hop ${rise.ttl}: ` +
        `hop ${prev.ttl}'s answers take a longer way back (asymmetric routing) or it is slow to answer; judge latency by the hops after it`,
    });
  }

  if (!e2e.reached && s.terminalTtl === null) {
    const lastSeen = [...hops].reverse().find((h) => h.received > 0);
    findings.push({
      severity: 'error',
      code: 'TARGET_SILENT',
      ttl: lastSeen?.ttl,
      message: lastSeen
        ? `the target never answered; the last hop that did is ${hopName(lastSeen)}`
        : 'nothing answered: neither the target nor any router on the way',
    });
  }

  const dest = hops.find((h) => h.isDestination);
  if (s.proto === 'sip' && dest) {
    if (dest.answeredBy === 'port-unreachable') {
      findings.push({ severity: 'error', code: 'NO_SIP_SERVER', ttl: dest.ttl, message: `${hopName(dest)} is reached but nothing listens for SIP there (ICMP port unreachable)` });
    } else if (dest.sip && dest.sip.status >= 400) {
      findings.push({ severity: 'warning', code: 'SIP_ERROR_STATUS', ttl: dest.ttl, message: `the target answers OPTIONS with ${dest.sip.status} ${dest.sip.reason}` });
    }
  }
  return findings;
}

/** How far a control probe (UDP to another port, ICMP echo) got when SIP did not reach the target. */
export interface ControlPath {
  proto: TraceProto;
  port: number | null;
  reached: boolean;
  /** highest TTL that answered */
  lastTtl: number | null;
  lastAddress: string | null;
}

/**
 * SIP stops at some hop while other probes pass: the hop after the last one SIP got an answer
 * from filters UDP 5060 (a firewall) or SIP (an ALG eating what it cannot parse).
 */
export function sipFilteredFinding(sip: TraceSnapshot, port: number, controls: readonly ControlPath[]): TraceFinding | null {
  if (sip.destinationTtl !== null || sip.terminalTtl !== null) return null;
  const passed = controls.filter((c) => c.reached);
  if (passed.length === 0) return null;
  const last = [...sip.hops].reverse().find((h) => h.received > 0);
  const others = passed.map((c) => (c.proto === 'icmp' ? 'ICMP echo' : `UDP to port ${c.port}`)).join(' and ');
  const where = last ? `after hop ${last.ttl} (${last.address ?? '???'})` : 'before the first hop';
  return {
    severity: 'error',
    code: 'SIP_FILTERED',
    ttl: last?.ttl,
    message:
      `SIP (UDP ${port}) stops ${where} while ${others} reach the target at hop ${passed[0]!.lastTtl}: ` +
      `a firewall or SIP ALG ${last ? `at hop ${last.ttl} or the next one ` : ''}drops SIP`,
    evidence: controls.map((c) => `${c.proto}${c.port ? `:${c.port}` : ''} ${c.reached ? 'reached' : 'stopped'} at hop ${c.lastTtl ?? '-'}`).join('; '),
  };
}
