/**
 * IPv4 header (RFC 791 §3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |0|D|M|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Checks: version 4, IHL ≥ 5 (in 32-bit words), total length ≥ header length, and the whole
 * datagram captured (a shorter capture is TRUNCATED with need = total length). Bytes past the
 * total length (Ethernet padding) are not part of the datagram. A total length of 0 is what
 * captures of TCP segmentation offload show on the sending host: the captured length is used.
 * The checksum is not verified (offloaded checksums are routinely wrong in captures).
 */
import { ok, type Decoded } from '../result.js';
import { u16, u32 } from './bytes.js';
import { faultResult, newFault, setFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const IPV4_MIN_HEADER_LENGTH = 20;

export interface Ipv4Header {
  /** Header length in bytes (IHL × 4). */
  headerLength: number;
  /** Differentiated services code point (0..63). */
  dscp: number;
  /** Explicit congestion notification bits (0..3). */
  ecn: number;
  /** Total Length field, in bytes (header + payload; 0 under TSO). */
  totalLength: number;
  /** Payload bytes this datagram (or fragment) carries after the header. */
  payloadLength: number;
  identification: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes (the field × 8). */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  /** Source address as an unsigned 32-bit number. */
  src: number;
  /** Destination address as an unsigned 32-bit number. */
  dst: number;
}

export function newIpv4Header(): Ipv4Header {
  return {
    headerLength: 0,
    dscp: 0,
    ecn: 0,
    totalLength: 0,
    payloadLength: 0,
    identification: 0,
    dontFragment: false,
    moreFragments: false,
    fragmentOffset: 0,
    ttl: 0,
    protocol: 0,
    checksum: 0,
    src: 0,
    dst: 0,
  };
}

/** Returns the payload offset (payload ends at that + `out.payloadLength`), or -1. */
export function parseIpv4(buf: Uint8Array, off: number, end: number, out: Ipv4Header, fault: LayerFault): number {
  const have = end - off;
  if (have < 1) return truncated(fault, 'ipv4', off, IPV4_MIN_HEADER_LENGTH, Math.max(0, have));
  const b0 = buf[off]!;
  if (b0 >>> 4 !== 4) return setFault(fault, 'BAD_VERSION', 'ipv4', off);
  const hl = (b0 & 0x0f) * 4;
  if (have < IPV4_MIN_HEADER_LENGTH) return truncated(fault, 'ipv4', off, IPV4_MIN_HEADER_LENGTH, have);
  if (hl < IPV4_MIN_HEADER_LENGTH) return setFault(fault, 'BAD_HEADER_LENGTH', 'ipv4', off);
  if (have < hl) return truncated(fault, 'ipv4', off, hl, have);
  let total = u16(buf, off + 2);
  out.totalLength = total;
  if (total === 0) total = have;
  else if (total < hl) return setFault(fault, 'BAD_TOTAL_LENGTH', 'ipv4', off);
  else if (have < total) return truncated(fault, 'ipv4', off, total, have);
  out.headerLength = hl;
  out.payloadLength = total - hl;
  const tos = buf[off + 1]!;
  out.dscp = tos >>> 2;
  out.ecn = tos & 3;
  out.identification = u16(buf, off + 4);
  const ff = u16(buf, off + 6);
  out.dontFragment = (ff & 0x4000) !== 0;
  out.moreFragments = (ff & 0x2000) !== 0;
  out.fragmentOffset = (ff & 0x1fff) * 8;
  out.ttl = buf[off + 8]!;
  out.protocol = buf[off + 9]!;
  out.checksum = u16(buf, off + 10);
  out.src = u32(buf, off + 12);
  out.dst = u32(buf, off + 16);
  return off + hl;
}

export function decodeIpv4(buf: Uint8Array, offset = 0, end = buf.length): Decoded<Ipv4Header, LayerErrorCode> {
  const out = newIpv4Header();
  const f = newFault();
  const e = parseIpv4(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}

/** True when the header describes a fragment (more to come, or not the first piece). */
export function isIpv4Fragment(h: Ipv4Header): boolean {
  return h.moreFragments || h.fragmentOffset !== 0;
}
