/**
 * GRE header: version 0 (RFC 2784 with the RFC 2890 key and sequence extensions, and the RFC
 * 1701 routing field for old senders) and version 1, PPTP's enhanced GRE (RFC 2637 §4.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Checksum (optional)      |       Offset (optional)       |  present if C or R
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Key (optional)                        |  present if K
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Sequence Number (optional)                   |  present if S
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Acknowledgment Number (optional)                |  v1, present if A
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Routing (optional, RFC 1701)              |  present if R
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * In version 1 the Key holds payload length (high 16 bits) and call ID (low 16 bits). The
 * routing field is a list of SREs (address family 2, SRE offset 1, SRE length 1, then length
 * bytes) ending with an SRE of family 0 and length 0. The Protocol Type is an EtherType
 * (0x0800 IPv4, 0x86dd IPv6, 0x6558 transparent Ethernet, 0x880b PPP).
 */
import { ok, type Decoded } from '../result.js';
import { u16, u32 } from './bytes.js';
import { faultResult, newFault, setFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const GRE_MIN_HEADER_LENGTH = 4;

export const GRE_FLAG = {
  CHECKSUM: 0x8000,
  ROUTING: 0x4000,
  KEY: 0x2000,
  SEQUENCE: 0x1000,
  /** Version 1 only: acknowledgment number present. */
  ACK: 0x0080,
} as const;

export interface GreHeader {
  /** 0 (RFC 2784/2890) or 1 (PPTP). */
  version: number;
  /** The 16-bit flags-and-version word as sent. */
  flags: number;
  /** EtherType of the payload. */
  protocol: number;
  hasChecksum: boolean;
  hasKey: boolean;
  hasSequence: boolean;
  hasAck: boolean;
  hasRouting: boolean;
  /** Checksum field (0 when absent). */
  checksum: number;
  /** Key (v0) or payload length << 16 | call ID (v1); 0 when absent. */
  key: number;
  /** Sequence number; 0 when absent. */
  sequence: number;
  /** Acknowledgment number (v1); 0 when absent. */
  ack: number;
}

export function newGreHeader(): GreHeader {
  return {
    version: 0,
    flags: 0,
    protocol: 0,
    hasChecksum: false,
    hasKey: false,
    hasSequence: false,
    hasAck: false,
    hasRouting: false,
    checksum: 0,
    key: 0,
    sequence: 0,
    ack: 0,
  };
}

/** Returns the payload offset, or -1. */
export function parseGre(buf: Uint8Array, off: number, end: number, out: GreHeader, fault: LayerFault): number {
  const have = end - off;
  if (have < GRE_MIN_HEADER_LENGTH) return truncated(fault, 'gre', off, GRE_MIN_HEADER_LENGTH, Math.max(0, have));
  const flags = u16(buf, off);
  const version = flags & 7;
  if (version > 1) return setFault(fault, 'BAD_GRE', 'gre', off);
  out.version = version;
  out.flags = flags;
  out.protocol = u16(buf, off + 2);
  out.hasChecksum = (flags & GRE_FLAG.CHECKSUM) !== 0;
  out.hasRouting = version === 0 && (flags & GRE_FLAG.ROUTING) !== 0;
  out.hasKey = (flags & GRE_FLAG.KEY) !== 0;
  out.hasSequence = (flags & GRE_FLAG.SEQUENCE) !== 0;
  out.hasAck = version === 1 && (flags & GRE_FLAG.ACK) !== 0;
  let need = GRE_MIN_HEADER_LENGTH;
  if (out.hasChecksum || out.hasRouting) need += 4;
  if (out.hasKey) need += 4;
  if (out.hasSequence) need += 4;
  if (out.hasAck) need += 4;
  if (have < need) return truncated(fault, 'gre', off, need, have);
  let p = off + 4;
  out.checksum = 0;
  out.key = 0;
  out.sequence = 0;
  out.ack = 0;
  if (out.hasChecksum || out.hasRouting) {
    out.checksum = u16(buf, p);
    p += 4;
  }
  if (out.hasKey) {
    out.key = u32(buf, p);
    p += 4;
  }
  if (out.hasSequence) {
    out.sequence = u32(buf, p);
    p += 4;
  }
  if (out.hasAck) {
    out.ack = u32(buf, p);
    p += 4;
  }
  if (out.hasRouting) {
    // SRE list; each SRE is at least 4 bytes, so the walk is bounded by the buffer.
    for (;;) {
      if (end - p < 4) return truncated(fault, 'gre', off, p - off + 4, have);
      const family = u16(buf, p);
      const sreLength = buf[p + 3]!;
      p += 4;
      if (family === 0 && sreLength === 0) break;
      if (end - p < sreLength) return truncated(fault, 'gre', off, p - off + sreLength, have);
      p += sreLength;
    }
  }
  return p;
}

export function decodeGre(buf: Uint8Array, offset = 0, end = buf.length): Decoded<GreHeader, LayerErrorCode> {
  const out = newGreHeader();
  const f = newFault();
  const e = parseGre(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
