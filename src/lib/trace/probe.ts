/**
 * What one trace probe came back with: the input of the hop statistics engine. Produced by the
 * probers in src/lib/net/trace/ (or by a replay in tests); plain numbers and strings only.
 */

export type TraceProto = 'sip' | 'udp' | 'icmp';

/**
 * Who answered a probe and how. ICMP errors name the RFC 792 / RFC 4443 message; `sip` is a SIP
 * response from the target, `udp-reply` any other UDP datagram from it, `echo-reply` an ICMP
 * echo reply.
 */
export type AnswerKind =
  | 'time-exceeded'
  | 'port-unreachable'
  | 'host-unreachable'
  | 'net-unreachable'
  | 'protocol-unreachable'
  | 'admin-prohibited'
  | 'frag-needed'
  | 'other-icmp'
  | 'echo-reply'
  | 'sip'
  | 'udp-reply';

export const ANSWER_KINDS: readonly AnswerKind[] = [
  'time-exceeded',
  'port-unreachable',
  'host-unreachable',
  'net-unreachable',
  'protocol-unreachable',
  'admin-prohibited',
  'frag-needed',
  'other-icmp',
  'echo-reply',
  'sip',
  'udp-reply',
];

/** Answers that come from the target itself and end the path. */
export function isDestinationKind(kind: AnswerKind): boolean {
  return kind === 'sip' || kind === 'udp-reply' || kind === 'echo-reply' || kind === 'port-unreachable';
}

/** Answers from a router that stop the path short of the target (traceroute's !H !N !P !X). */
export function isTerminalErrorKind(kind: AnswerKind): boolean {
  return kind === 'host-unreachable' || kind === 'net-unreachable' || kind === 'protocol-unreachable' || kind === 'admin-prohibited';
}

export interface SipAnswer {
  status: number;
  reason: string;
  server: string | null;
  userAgent: string | null;
}

export interface ProbeAnswer {
  kind: AnswerKind;
  /** responder address (canonical text form) */
  from: string;
  /** round-trip time, ms (kernel receive timestamp minus the send time) */
  rttMs: number;
  icmpType: number | null;
  icmpCode: number | null;
  sip: SipAnswer | null;
}

export interface ProbeResult {
  /** 0-based round number */
  round: number;
  ttl: number;
  /** when it was sent, ms since the trace started (monotonic) */
  sentAtMs: number;
  /** null: no answer within the timeout */
  answer: ProbeAnswer | null;
}
