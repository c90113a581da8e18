/**
 * The OPTIONS pinger (RFC 3261 §11): `count` OPTIONS (or until aborted), one at a time, started
 * on an absolute schedule (`interval` apart, like ping), each timed from its first send to its
 * first response. Same Call-ID and From tag for the series, CSeq counting up, a new branch each.
 * A definitive transport failure (ICMP port unreachable, connection closed) ends the series at
 * once instead of waiting for every timeout.
 */
import type { TransportFailure } from '../net/sip-transport.js';
import type { SipMessage } from '../sip/message.js';
import { USER_AGENT, type ProbeIdentity } from './identity.js';
import { viaFindings } from './nat.js';
import type { PacerClock } from './pacer.js';
import type { Finding, ProbeSample } from './result.js';
import { elapsedMs, type SipAgent, type TransactionResult } from './sip-agent.js';
import { requestUri, type ProbeTarget } from './target.js';

export interface OptionsPingOptions {
  agent: SipAgent;
  target: ProbeTarget;
  identity: ProbeIdentity;
  /** Probes to send; null: until `signal` aborts. */
  count: number | null;
  intervalMs: number;
  timeoutMs: number;
  clock: PacerClock;
  signal?: AbortSignal;
  onProbe?(sample: ProbeSample): void;
  /** Keep at most this many samples (older ones are summarised, not kept): bounds --watch memory. */
  maxSamples?: number;
}

export interface ResponderInfo {
  server: string | null;
  userAgent: string | null;
  allow: string[];
}

export interface OptionsPingOutcome extends ResponderInfo {
  probes: ProbeSample[];
  /** Every RTT, also of samples no longer kept (for the summary). */
  rttsMs: (number | null)[];
  findings: Finding[];
  failure: TransportFailure | undefined;
}

export function sampleFrom(seq: number, method: string, r: TransactionResult): ProbeSample {
  const first = r.first;
  const rttMs = first ? elapsedMs(r.sentAtNs, first.atNs) : null;
  const answer = r.kind === 'final' ? r.final.message : first?.message;
  const s: ProbeSample = {
    seq,
    method,
    rttMs,
    status: answer?.statusCode ?? null,
    reason: answer?.reason ?? null,
    retransmitted: r.retransmissionsBeforeAnswer > 0 || (first === undefined && r.kind === 'timeout' && r.retransmissionsBeforeAnswer > 0),
  };
  if (r.kind === 'timeout' && !first) s.error = 'timeout';
  if (r.kind === 'transport') s.error = r.failure.code === 'UNREACHABLE' || r.failure.code === 'CONNECTION_REFUSED' ? 'unreachable' : r.failure.code.toLowerCase();
  return s;
}

export function responderInfo(msg: SipMessage | undefined): ResponderInfo {
  return { server: msg?.server ?? null, userAgent: msg?.userAgent ?? null, allow: msg?.allow ?? [] };
}

export function mergeFindings(into: Finding[], more: readonly Finding[]): void {
  for (const f of more) if (!into.some((g) => g.code === f.code)) into.push(f);
}

export function optionsRequest(target: ProbeTarget, id: ProbeIdentity, cseq: number) {
  const ruri = requestUri(target);
  return {
    method: 'OPTIONS',
    requestUri: ruri,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<${target.scheme}:${id.user}@${id.domain}>;tag=${id.fromTag}`],
      ['To', `<${ruri}>`],
      ['Call-ID', id.callId],
      ['CSeq', `${cseq} OPTIONS`],
      ['Contact', id.contact],
      ['Accept', 'application/sdp'],
      ['User-Agent', USER_AGENT],
    ] as [string, string][],
  };
}

export async function pingOptions(o: OptionsPingOptions): Promise<OptionsPingOutcome> {
  const out: OptionsPingOutcome = { probes: [], rttsMs: [], findings: [], failure: undefined, server: null, userAgent: null, allow: [] };
  const intervalNs = BigInt(Math.round(o.intervalMs * 1e6));
  const start = o.clock.nowNs();
  const maxSamples = o.maxSamples ?? 10_000;
  for (let i = 0; o.count === null || i < o.count; i++) {
    if (o.signal?.aborted) break;
    if (i > 0) {
      const due = start + BigInt(i) * intervalNs;
      if (o.clock.nowNs() < due) await o.clock.sleepUntil(due, o.signal);
      if (o.signal?.aborted) break;
    }
    const seq = i + 1;
    const r = await o.agent.request(optionsRequest(o.target, o.identity, seq), { timeoutMs: o.timeoutMs });
    const sample = sampleFrom(seq, 'OPTIONS', r);
    out.rttsMs.push(sample.rttMs);
    out.probes.push(sample);
    if (out.probes.length > maxSamples) out.probes.shift();
    const answer = r.kind === 'final' ? r.final.message : r.first?.message;
    if (answer) {
      if (out.server === null && out.userAgent === null) Object.assign(out, responderInfo(answer));
      const local = o.agent.transport.local;
      mergeFindings(out.findings, viaFindings({ host: local.ip, port: local.port, branch: r.branch }, local, answer));
    }
    o.onProbe?.(sample);
    if (r.kind === 'transport') {
      out.failure = r.failure;
      // a stream is gone for good; an ICMP unreachable is definitive for a counted run, while
      // --watch keeps trying (the server may come back)
      if (o.count !== null || o.agent.transport.reliable) break;
    }
  }
  return out;
}
