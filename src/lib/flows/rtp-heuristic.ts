/**
 * Finds RTP on UDP flows that no SIP/SDP exchange announced (tshark's `rtp.heuristic_rtp`),
 * and recognises RTCP datagrams.
 *
 * A packet is RTP-plausible when: neither port is a well-known non-RTP port (NON_RTP_PORTS),
 * the version is 2, the payload type is 0–34 (static) or 96–127 (dynamic) — never 72–76, which
 * collide with RTCP's 200–204 (RFC 5761 §4) — and the CSRC list, header extension and padding
 * fit in the datagram.
 *
 * A flow is confirmed as RTP when CONFIRM_PACKETS (3) plausible packets in a row carry the
 * same SSRC with the sequence number advancing by 1–100 (loss allowed, a repeated number is
 * neither progress nor a break) and the RTP timestamp not going back. Three, not two: a random
 * datagram passes the per-packet test about one time in eight, and two in a row with a
 * plausible SSRC/sequence relation are still met in the wild (game and VPN keep-alives with
 * constant headers and a counter); a third removes those, and holding packets costs nothing
 * since they are replayed. The price: streams of fewer than 3 packets are not reported, where
 * tshark (which judges each packet alone) would show them.
 *
 * Packets seen while a flow is pending are kept as numbers (at most `maxPendingPerFlow` per
 * flow, oldest dropped first) and handed back once the flow is confirmed, so that counts match
 * tshark's. Candidates are bounded (`maxCandidates`, oldest evicted), so are confirmed flows
 * (`maxConfirmed`; an evicted flow has to confirm again and loses the packets held meanwhile).
 */
import type { RtpPacketInfo } from '../metrics/rtp-stream-stats.js';

/**
 * Well-known UDP ports that carry something else than RTP (IANA "Service Name and Transport
 * Protocol Port Number Registry"). A datagram to or from one of them is never taken for RTP.
 */
export const NON_RTP_PORTS: Readonly<Record<number, string>> = Object.freeze({
  53: 'domain (DNS, RFC 1035)',
  67: 'bootps (DHCP server, RFC 2131)',
  68: 'bootpc (DHCP client, RFC 2131)',
  69: 'tftp (RFC 1350)',
  123: 'ntp (RFC 5905)',
  137: 'netbios-ns (RFC 1001)',
  138: 'netbios-dgm (RFC 1001)',
  139: 'netbios-ssn (RFC 1001)',
  161: 'snmp (RFC 3411)',
  162: 'snmptrap (RFC 3411)',
  389: 'ldap / CLDAP (RFC 4511)',
  500: 'isakmp (IKE, RFC 7296)',
  514: 'syslog (RFC 5426)',
  520: 'router (RIP, RFC 2453)',
  1900: 'ssdp (UPnP)',
  4500: 'ipsec-nat-t (RFC 3948)',
  5060: 'sip (RFC 3261)',
  5061: 'sips (RFC 3261)',
  5353: 'mdns (RFC 6762)',
  5355: 'llmnr (RFC 4795)',
});

/** Packets of one SSRC, in a row, needed to confirm a flow. */
export const CONFIRM_PACKETS = 3;
/** Largest sequence step still counted as "advancing" while confirming. */
const MAX_CONFIRM_STEP = 100;
/** Fields kept per held packet. */
const SLOT = 9;

export type RtpVerdict =
  /** Not RTP-plausible: ignore this datagram (the flow's state is unchanged). */
  | 'not-rtp'
  /** Plausible, held while the flow is a candidate. */
  | 'pending'
  /** This packet confirmed the flow: `takePending` returns it and those held before it. */
  | 'confirmed'
  /** The flow is confirmed: decode and count this packet. */
  | 'rtp';

export interface RtpHeuristicOptions {
  /** Candidate flows tracked at once (default 4096). */
  maxCandidates?: number;
  /** Packets held per candidate (default 32). */
  maxPendingPerFlow?: number;
  /** Confirmed flows remembered (default 65536). */
  maxConfirmed?: number;
}

interface Candidate {
  ssrc: number;
  lastSeq: number;
  lastTs: number;
  chain: number;
  held: Float64Array;
  start: number;
  size: number;
}

export interface RtpHeuristicCounters {
  candidates: number;
  confirmed: number;
  evictedCandidates: number;
  evictedConfirmed: number;
  droppedPending: number;
}

export class RtpHeuristic {
  private readonly candidates = new Map<string, Candidate>();
  private readonly confirmed = new Set<string>();
  private readonly ready = new Map<string, RtpPacketInfo[]>();
  private readonly maxCandidates: number;
  private readonly maxPending: number;
  private readonly maxConfirmed: number;
  private evictedCandidates = 0;
  private evictedConfirmed = 0;
  private droppedPending = 0;

  constructor(options: RtpHeuristicOptions = {}) {
    this.maxCandidates = options.maxCandidates ?? 4096;
    this.maxPending = Math.max(CONFIRM_PACKETS, options.maxPendingPerFlow ?? 32);
    this.maxConfirmed = options.maxConfirmed ?? 65536;
  }

  /**
   * Judges one UDP payload of the flow `flowKey` (any string naming the 5-tuple direction).
   * Keeps nothing that points into `payload`.
   */
  offer(flowKey: string, srcPort: number, dstPort: number, payload: Uint8Array, arrivalSec: number, arrivalNsec: number): RtpVerdict {
    const payloadBytes = rtpPayloadLength(payload, srcPort, dstPort);
    if (payloadBytes < 0) return 'not-rtp';
    if (this.confirmed.has(flowKey)) return 'rtp';

    const seq = (payload[2]! << 8) | payload[3]!;
    const ts = readU32(payload, 4);
    const ssrc = readU32(payload, 8);
    let c = this.candidates.get(flowKey);
    if (!c) {
      if (this.candidates.size >= this.maxCandidates) {
        const oldest = this.candidates.keys().next().value;
        if (oldest !== undefined) this.candidates.delete(oldest);
        this.evictedCandidates++;
      }
      c = { ssrc, lastSeq: seq, lastTs: ts, chain: 0, held: new Float64Array(this.maxPending * SLOT), start: 0, size: 0 };
      this.candidates.set(flowKey, c);
    }
    if (c.chain > 0 && c.ssrc === ssrc && seq === c.lastSeq) {
      // A repeated sequence number (RFC 4733 end retransmission): neither progress nor a break.
    } else if (c.chain > 0 && c.ssrc === ssrc && advances(c.lastSeq, seq) && ((ts - c.lastTs) >>> 0) < 0x80000000) {
      c.chain++;
    } else {
      c.chain = 1;
      c.ssrc = ssrc;
    }
    c.lastSeq = seq;
    c.lastTs = ts;
    const payloadAt = payload.length - paddingOf(payload) - payloadBytes;
    this.hold(c, seq, ts, ssrc, payload[1]!, payloadBytes, arrivalSec, arrivalNsec, payloadBytes >= 4 ? readU32(payload, payloadAt) : -1);
    if (c.chain < CONFIRM_PACKETS) return 'pending';

    this.candidates.delete(flowKey);
    if (this.confirmed.size >= this.maxConfirmed) {
      const oldest = this.confirmed.values().next().value;
      if (oldest !== undefined) this.confirmed.delete(oldest);
      this.evictedConfirmed++;
    }
    this.confirmed.add(flowKey);
    this.ready.set(flowKey, this.drain(c));
    return 'confirmed';
  }

  /** The packets of a flow that just confirmed, in arrival order (once; then empty). */
  takePending(flowKey: string): RtpPacketInfo[] {
    const list = this.ready.get(flowKey) ?? [];
    this.ready.delete(flowKey);
    return list;
  }

  isConfirmed(flowKey: string): boolean {
    return this.confirmed.has(flowKey);
  }

  /** Drops whatever is known about a flow (e.g. SIP/SDP claimed it after all). */
  forget(flowKey: string): void {
    this.candidates.delete(flowKey);
    this.confirmed.delete(flowKey);
    this.ready.delete(flowKey);
  }

  counters(): RtpHeuristicCounters {
    return {
      candidates: this.candidates.size,
      confirmed: this.confirmed.size,
      evictedCandidates: this.evictedCandidates,
      evictedConfirmed: this.evictedConfirmed,
      droppedPending: this.droppedPending,
    };
  }

  private hold(c: Candidate, seq: number, ts: number, ssrc: number, b1: number, payloadBytes: number, sec: number, nsec: number, head: number): void {
    if (c.size === this.maxPending) {
      c.start = (c.start + 1) % this.maxPending;
      c.size--;
      this.droppedPending++;
    }
    const at = ((c.start + c.size) % this.maxPending) * SLOT;
    const h = c.held;
    h[at] = seq;
    h[at + 1] = ts;
    h[at + 2] = ssrc;
    h[at + 3] = b1 & 0x7f;
    h[at + 4] = b1 & 0x80 ? 1 : 0;
    h[at + 5] = payloadBytes;
    h[at + 6] = sec;
    h[at + 7] = nsec;
    h[at + 8] = head;
    c.size++;
  }

  private drain(c: Candidate): RtpPacketInfo[] {
    const out: RtpPacketInfo[] = [];
    for (let i = 0; i < c.size; i++) {
      const at = ((c.start + i) % this.maxPending) * SLOT;
      const h = c.held;
      out.push({
        seq: h[at]!,
        timestamp: h[at + 1]!,
        ssrc: h[at + 2]!,
        pt: h[at + 3]!,
        marker: h[at + 4] === 1,
        payloadBytes: h[at + 5]!,
        arrivalSec: h[at + 6]!,
        arrivalNsec: h[at + 7]!,
        payloadHead32: h[at + 8]!,
      });
    }
    return out;
  }
}

function advances(last: number, seq: number): boolean {
  const step = (seq - last) & 0xffff;
  return step >= 1 && step <= MAX_CONFIRM_STEP;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function paddingOf(b: Uint8Array): number {
  return b[0]! & 0x20 ? b[b.length - 1]! : 0;
}

/** RTP payload types a heuristic accepts: static 0–34 and dynamic 96–127 (so never 72–76). */
export function isPlausibleRtpPayloadType(pt: number): boolean {
  return (pt >= 0 && pt <= 34) || (pt >= 96 && pt <= 127);
}

/** NON_RTP_PORTS as a 64 Ki table: an indexed load instead of a dictionary lookup per packet. */
const NON_RTP_PORT_TABLE = (() => {
  const t = new Uint8Array(65536);
  for (const port of Object.keys(NON_RTP_PORTS)) t[Number(port)] = 1;
  return t;
})();

/** A well-known non-RTP port (NON_RTP_PORTS); 0 stands for "no port to check". */
export function isNonRtpPort(port: number): boolean {
  return NON_RTP_PORT_TABLE[port & 0xffff] === 1;
}

/**
 * The payload length of `b` if it passes the per-packet RTP test (ports, version, payload
 * type, header and padding fit), else −1. Allocates nothing.
 */
export function rtpPayloadLength(b: Uint8Array, srcPort: number, dstPort: number): number {
  return rtpPayloadLengthAt(b, 0, b.length, srcPort, dstPort);
}

/** rtpPayloadLength of the datagram `b[off, end)`. */
export function rtpPayloadLengthAt(b: Uint8Array, off: number, end: number, srcPort: number, dstPort: number): number {
  if (isNonRtpPort(srcPort) || isNonRtpPort(dstPort)) return -1;
  const len = end - off;
  if (len < 12) return -1;
  const b0 = b[off]!;
  if (b0 >> 6 !== 2) return -1;
  if (!isPlausibleRtpPayloadType(b[off + 1]! & 0x7f)) return -1;
  let header = 12 + 4 * (b0 & 0x0f);
  if (b0 & 0x10) {
    if (len < header + 4) return -1;
    header += 4 + 4 * ((b[off + header + 2]! << 8) | b[off + header + 3]!);
  }
  if (len < header) return -1;
  if ((b0 & 0x20) === 0) return len - header;
  const padding = b[end - 1]!;
  if (padding === 0 || padding > len - header) return -1;
  return len - header - padding;
}

/**
 * RTCP recogniser: every packet of the compound is version 2 with a packet type 200–207
 * (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR), and the length fields add up to the datagram
 * exactly. SRTCP (an auth tag and index after the packets) does not pass.
 */
export function isRtcpDatagram(b: Uint8Array, srcPort = 0, dstPort = 0): boolean {
  return isRtcpDatagramAt(b, 0, b.length, srcPort, dstPort);
}

/** isRtcpDatagram of the datagram `b[off, end)`. */
export function isRtcpDatagramAt(b: Uint8Array, off: number, end: number, srcPort: number, dstPort: number): boolean {
  if (isNonRtpPort(srcPort) || isNonRtpPort(dstPort)) return false;
  if (end - off < 8) return false;
  let at = off;
  while (at < end) {
    if (at + 4 > end) return false;
    if (b[at]! >> 6 !== 2) return false;
    const pt = b[at + 1]!;
    if (pt < 200 || pt > 207) return false;
    at += 4 * (((b[at + 2]! << 8) | b[at + 3]!) + 1);
  }
  return at === end;
}
