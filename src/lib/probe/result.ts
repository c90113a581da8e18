/**
 * The `probe` result (DESIGN.md "The JSON contract", schemas/probe.schema.json). Durations carry
 * their unit in the name; ratios are percentages 0–100; RTTs are rounded to the µs.
 */
import type { ResolutionStep } from '../net/resolve.js';
import type { Breach } from '../report/profiles.js';
import type { PingSummary } from './ping-stats.js';
import type { SipTransportName } from './target.js';

export type Severity = 'info' | 'warning' | 'error';

export interface Finding {
  severity: Severity;
  code: string;
  message: string;
  evidence?: string;
}

/** One request and its first answer. */
export interface ProbeSample {
  seq: number;
  /** Method of the request (OPTIONS, REGISTER, INVITE). */
  method: string;
  /** From the first send to the first response (any status, 1xx included), ms; null: none. */
  rttMs: number | null;
  /** Final status (or the first one when no final came); null: no answer. */
  status: number | null;
  reason: string | null;
  /** A retransmission (RFC 3261 timer A/E) was sent before the first response. */
  retransmitted: boolean;
  /** Why there is no answer: timeout, unreachable, closed… */
  error?: string;
}

export interface RegisterResult {
  /** Final status of the registration (200 on success, 401/403… on failure); null: no answer. */
  status: number | null;
  reason: string | null;
  /** RFC 6076 §4.1: first REGISTER → final 2xx, ms (null unless it succeeded). */
  rrdMs: number | null;
  /** Seconds the registrar granted (Contact expires= or Expires). */
  expires: number | null;
  auth: { scheme: string; algorithm: string; qop: string | null; challenges: number } | null;
  /** The binding was removed afterwards (Expires: 0) — false with --keep. */
  unregistered: boolean;
  unregisterStatus: number | null;
}

export interface MediaDirection {
  packets: number;
  lossPct: number | null;
  jitterMs: number | null;
  mos: number | null;
  /**
   * Where the numbers come from: `measured` (our receiver), `rtcp` (the far end's receiver
   * reports about our stream), `echo` (no RTCP, the peer echoes our stream: the round trip is
   * an upper bound for the send leg), `none`.
   */
  source: 'measured' | 'rtcp' | 'echo' | 'none';
}

export interface CallResult {
  uri: string;
  /** Final INVITE status (200, 486, 408…); 487 after our CANCEL; null: no answer. */
  status: number | null;
  reason: string | null;
  /** RFC 6076 §4.2: INVITE → first 18x, ms. */
  srdMs: number | null;
  /** INVITE → 200 OK, ms. */
  setupMs: number | null;
  /** RFC 6076 §4.5: 200 OK (answer) → BYE, ms. */
  sdtMs: number | null;
  /** RFC 6076 §4.4: BYE → its 2xx, ms. */
  sddMs: number | null;
  codec: string | null;
  endedBy: 'us' | 'peer' | 'cancel' | 'rejected' | 'timeout' | 'error';
  prack: boolean;
  rx: MediaDirection;
  tx: MediaDirection;
  rtcp: { sent: number; received: number };
  remoteMedia: { ip: string; port: number } | null;
}

export interface TlsResult {
  subject: string;
  issuer: string;
  daysToExpiry: number;
  validTo: string;
  verified: boolean;
  verifyError: string | null;
  protocol: string | null;
  servername: string | null;
}

export type TargetOutcome =
  | 'ok' // answered as expected
  | 'unexpected-status' // answered, not 2xx / --expect
  | 'auth-failed'
  | 'call-failed' // busy, no answer, rejected
  | 'no-answer' // every request timed out
  | 'unreachable' // ICMP unreachable, connection refused
  | 'tls-failed'
  | 'resolve-failed'
  | 'error'; // the probe could not start (e.g. --source-ip not an address of this host)

export interface TargetResult {
  target: string;
  uri: string;
  mode: 'options' | 'register' | 'call';
  transport: SipTransportName | null;
  resolved: { ip: string; port: number }[];
  dns: ResolutionStep[];
  local: { ip: string; port: number } | null;
  remote: { ip: string; port: number } | null;
  probes: ProbeSample[];
  summary: PingSummary;
  server: string | null;
  userAgent: string | null;
  allow: string[];
  register?: RegisterResult;
  call?: CallResult;
  tls?: TlsResult;
  findings: Finding[];
  breaches: Breach[];
  outcome: TargetOutcome;
}

export interface ProbeResult {
  targets: TargetResult[];
  profile: { name: string; source: string; values: Record<string, number> } | null;
}

/**
 * Outcomes where nothing could be judged (exit 4: no answer, unreachable, TLS, DNS, or a socket
 * that could not even be opened) as opposed to answers we judge (exit 5).
 */
export function isNetworkOutcome(o: TargetOutcome): boolean {
  return o === 'no-answer' || o === 'unreachable' || o === 'tls-failed' || o === 'resolve-failed' || o === 'error';
}
