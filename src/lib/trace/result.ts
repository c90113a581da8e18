/**
 * The `trace` result (schemas/trace.schema.json). RTTs in ms rounded to the µs; loss in
 * percent 0–100; times ISO 8601.
 */
import type { Breach } from '../report/profiles.js';
import type { EndToEnd, ControlPath, HopStatus, TraceFinding } from './judge.js';
import type { AnswerKind, SipAnswer, TraceProto } from './probe.js';

/** How the probes were sent. */
export type TraceMethod = 'udp-recverr' | 'icmp-ping-socket' | 'icmp-raw-socket' | 'mtr' | 'traceroute';

export interface TraceHop {
  ttl: number;
  address: string | null;
  /** reverse DNS name (only with --resolve) */
  name: string | null;
  addresses: { address: string; count: number }[];
  sent: number;
  received: number;
  lossPct: number;
  lastMs: number | null;
  bestMs: number | null;
  avgMs: number | null;
  worstMs: number | null;
  stdevMs: number | null;
  jitterMs: number | null;
  answers: Partial<Record<AnswerKind, number>>;
  answeredBy: AnswerKind | null;
  status: HopStatus;
  isDestination: boolean;
  sip: SipAnswer | null;
}

export interface TraceResult {
  target: {
    input: string;
    host: string;
    address: string;
    family: 4 | 6;
    proto: TraceProto;
    /** UDP destination port (null for ICMP) */
    port: number | null;
  };
  method: {
    name: TraceMethod;
    /** true when the FFI path could not be used and an external tool traced the path */
    fallback: boolean;
    /** one plain sentence on how the path and the end were measured */
    note: string;
  };
  settings: { rounds: number; intervalMs: number; maxHops: number; timeoutMs: number; resolve: boolean };
  startedAt: string;
  durationMs: number;
  hops: TraceHop[];
  destination: EndToEnd & {
    address: string;
    /** the target answered the probe's own protocol: a SIP response (sip), an echo reply (icmp), anything (udp) */
    answered: boolean;
    sip: SipAnswer | null;
  };
  /** probes of other kinds sent when SIP did not reach the target */
  controls: ControlPath[];
  findings: TraceFinding[];
  thresholds: { profile: string | null; breaches: Breach[] };
}

/** One `--ndjson` line per completed round. */
export interface TraceRoundEvent {
  type: 'round';
  round: number;
  hops: Pick<TraceHop, 'ttl' | 'address' | 'sent' | 'received' | 'lossPct' | 'lastMs' | 'avgMs' | 'bestMs' | 'worstMs' | 'answeredBy' | 'status'>[];
}
