/**
 * The result shape shared by `analyze` and `capture` (DESIGN.md "The JSON contract"; schema in
 * schemas/analyze.schema.json). Times are ISO 8601 strings with µs; durations carry their unit
 * in the name; ratios are percentages 0–100. Add fields freely; rename none without bumping
 * SCHEMA_VERSION.
 */
import type { DelaySummary } from '../metrics/delay-stats.js';
import type { Rfc6076Result } from '../metrics/rfc6076.js';
import type { EndedBy } from '../flows/sip-calls.js';

export interface Address {
  ip: string;
  port: number;
}

export interface CaptureInfo {
  files: { path: string; format: string; packets: number; bytes: number; truncated: boolean }[];
  packets: number;
  bytes: number;
  start: string | null;
  end: string | null;
  durationSec: number;
  linkTypes: { linkType: number; name: string; packets: number }[];
  malformed: { layer: string; code: string; count: number }[];
  /** Frames the capture source itself dropped (pcapng ISB, tcpdump counters), when known. */
  drops?: { received: number | null; dropped: number; source: string };
}

export interface SipSummary {
  messages: number;
  retransmissions: number;
  /** Distinct Call-ID values over all SIP messages (null when not tracked, e.g. live capture). */
  callIds: number | null;
  methods: Record<string, number>;
  statusCodes: Record<string, number>;
  optionsRttMs: DelaySummary;
}

export interface CallMediaRow {
  side: 'caller' | 'callee';
  ip: string;
  rtpPort: number;
  rtcpPort: number;
  codecs: string[];
  direction: string;
}

export interface CallRow {
  callId: string;
  from: string;
  to: string;
  caller: Address;
  callee: Address;
  start: string;
  /** RFC 6076 §4.3 SRD (= PDD here): INVITE → first 18x, or → 2xx when no 18x came. */
  srdMs: number | null;
  /** INVITE → 2xx. */
  setupMs: number | null;
  /** 2xx → BYE (RFC 6076 §4.5 SDT); for open calls, 2xx → end of capture. */
  durationMs: number | null;
  /** BYE → its final response (RFC 6076 §4.4). */
  sddMs: number | null;
  finalStatus: number | null;
  finalReason: string | null;
  endedBy: EndedBy;
  userAgents: { caller: string | null; callee: string | null };
  authChallenges: number;
  reInvites: number;
  forks: number;
  media: CallMediaRow[];
  streams: string[];
  /** Worst direction's MOS (E-model), null without media. */
  mos: number | null;
}

export interface RegistrationRow {
  aor: string;
  attempts: number;
  challenges: number;
  successes: number;
  deregistrations: number;
  failures: Record<string, number>;
  rrdMs: DelaySummary;
  expiresSec: number | null;
}

export interface EndpointRow {
  userAgent: string;
  vendor: string;
  model: string | null;
  firmware: string | null;
  role: 'user-agent' | 'server';
  addresses: string[];
  messages: number;
}

export interface Finding {
  severity: 'info' | 'warning' | 'error';
  code: string;
  message: string;
  evidence: Record<string, unknown>;
}

export interface AnalyzeResult {
  capture: CaptureInfo;
  sip: SipSummary;
  calls: CallRow[];
  rfc6076: Rfc6076Result;
  registrations: RegistrationRow[];
  endpoints: EndpointRow[];
  rtp: { streams: RtpStreamRow[]; rtcp: RtcpRow[]; dtmf: DtmfRow[] };
  ladder?: LadderResult;
  findings: Finding[];
}

export interface LadderResult {
  callId: string;
  hosts: string[];
  entries: { time: string; relMs: number; deltaMs: number; src: string; dst: string; label: string; frame: number; retransmission: boolean }[];
}

export interface RtpStreamRow {
  id: string;
  ssrc: string;
  src: Address;
  dst: Address;
  callId: string | null;
  payload: string;
  payloadTypes: number[];
  start: string;
  end: string;
  startRelSec: number;
  endRelSec: number;
  packets: number;
  expected: number;
  lost: number;
  lostPct: number;
  minDeltaMs: number;
  meanDeltaMs: number;
  maxDeltaMs: number;
  minJitterMs: number;
  meanJitterMs: number;
  maxJitterMs: number;
  problems: boolean;
  duplicates: number;
  outOfOrder: number;
  sequenceRestarts: number;
  lossRuns: Record<string, number>;
  burstRatio: number;
  detectedBy: 'sdp' | 'heuristic';
  mos: number | null;
  mosInputs: Record<string, unknown> | null;
}

export interface RtcpRow {
  ssrc: string;
  src: Address;
  dst: Address;
  senderReports: number;
  receiverReports: number;
  reports: { aboutSsrc: string; fractionLostPct: number; cumulativeLost: number; jitterMs: number | null }[];
  rttMs: DelaySummary;
  xr: Record<string, unknown>[];
}

export interface DtmfRow {
  callId: string | null;
  streamId: string;
  digit: string;
  start: string;
  durationMs: number;
}
