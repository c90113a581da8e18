/**
 * The generator's ground truth: everything it knows about the capture it wrote, as JSON beside
 * the pcap. SIP counts follow `tshark -z sip,stat` (requests by method, responses by status
 * code, every message once: the generator never retransmits); RTP counts follow
 * `tshark -z rtp,streams` (packets captured, and loss as inferred from sequence numbers).
 * Times are seconds since `captureStartEpochSec`.
 */
import type { RtpStreamTruth } from './rtp-source.js';
import type { CaptureScenario } from './scenario.js';

export type { RtpStreamTruth } from './rtp-source.js';

export type CallOutcome = 'answered' | 'busy' | 'unavailable' | 'timeout' | 'cancelled';

export interface CallTruth {
  index: number;
  callId: string;
  /** inbound: PBX → phone; outbound: phone → PBX. */
  direction: 'inbound' | 'outbound';
  /** From and To URIs of the INVITE. */
  caller: string;
  callee: string;
  /** "ip:port" of the INVITE's sender and receiver. */
  uac: string;
  uas: string;
  outcome: CallOutcome;
  /** Final response to the INVITE. */
  finalStatus: number;
  /** Who sent the BYE (answered calls only). */
  endedBy: 'caller' | 'callee' | null;
  tInviteSec: number;
  tAnswerSec: number | null;
  tEndSec: number;
  sipMessages: number;
  /** Ids of this call's RTP streams (see `streams`). */
  streams: string[];
}

export interface RegistrationTruth {
  index: number;
  /** The To URI of the REGISTER (the address of record). */
  aor: string;
  callId: string;
  tSec: number;
  /** REGISTER requests sent (2: one challenged, one authorised), 401s, 200s. */
  attempts: number;
  challenges: number;
  successes: number;
}

export interface CaptureTruth {
  generator: { name: string; version: string };
  scenario: CaptureScenario;
  captureStartEpochSec: number;
  packets: { total: number; sip: number; rtp: number; frameBytes: number; fileBytes: number };
  sip: {
    messages: number;
    /** Requests by method, sorted by name. */
    requests: Record<string, number>;
    /** Responses by status code, sorted numerically. */
    responses: Record<string, number>;
  };
  callsByOutcome: Record<string, number>;
  optionsPings: number;
  rtp: {
    streams: number;
    packetsSent: number;
    packetsDropped: number;
    packetsCaptured: number;
    lostBySeq: number;
  };
  calls: CallTruth[];
  registrations: RegistrationTruth[];
  streams: RtpStreamTruth[];
}

/** SIP messages counted the way `tshark -z sip,stat` counts them. */
export class SipCounts {
  messages = 0;
  private readonly requests = new Map<string, number>();
  private readonly responses = new Map<number, number>();

  /** Count one message from its start line. */
  add(text: string): void {
    this.messages++;
    const sp = text.indexOf(' ');
    const first = text.slice(0, sp);
    if (first === 'SIP/2.0') {
      const code = Number(text.slice(sp + 1, sp + 4));
      this.responses.set(code, (this.responses.get(code) ?? 0) + 1);
    } else {
      this.requests.set(first, (this.requests.get(first) ?? 0) + 1);
    }
  }

  toJSON(): CaptureTruth['sip'] {
    const requests: Record<string, number> = {};
    for (const m of [...this.requests.keys()].sort()) requests[m] = this.requests.get(m)!;
    const responses: Record<string, number> = {};
    for (const c of [...this.responses.keys()].sort((a, b) => a - b)) responses[String(c)] = this.responses.get(c)!;
    return { messages: this.messages, requests, responses };
  }
}
