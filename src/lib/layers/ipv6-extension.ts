/**
 * IPv6 extension headers with a length field: Hop-by-Hop Options (0, RFC 8200 §4.3), Routing
 * (43, §4.4), Destination Options (60, §4.6), all sized in 8-octet units not counting the
 * first 8; and the Authentication Header (51, RFC 4302 §2), sized in 4-octet units minus 2.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |  type-specific data ...       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                                                               |
 *
 * The Fragment header (44) has its own file; No Next Header (59) ends the chain.
 */
import { ok, type Decoded } from '../result.js';
import { IPPROTO } from './ip-protocols.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export interface Ipv6Extension {
  /** This header's own type (0, 43, 60 or 51). */
  type: number;
  nextHeader: number;
  /** Whole header length in bytes. */
  length: number;
}

export function newIpv6Extension(): Ipv6Extension {
  return { type: 0, nextHeader: 0, length: 0 };
}

/** True for the extension header types this module walks (not 44, not 59). */
export function isIpv6LengthExtension(type: number): boolean {
  return type === IPPROTO.HOPOPTS || type === IPPROTO.ROUTING || type === IPPROTO.DSTOPTS || type === IPPROTO.AH;
}

export function parseIpv6Extension(buf: Uint8Array, off: number, end: number, type: number, out: Ipv6Extension, fault: LayerFault): number {
  const have = end - off;
  if (have < 2) return truncated(fault, 'ipv6', off, type === IPPROTO.AH ? 12 : 8, Math.max(0, have));
  const len = type === IPPROTO.AH ? (buf[off + 1]! + 2) * 4 : (buf[off + 1]! + 1) * 8;
  if (have < len) return truncated(fault, 'ipv6', off, len, have);
  out.type = type;
  out.nextHeader = buf[off]!;
  out.length = len;
  return off + len;
}

export function decodeIpv6Extension(buf: Uint8Array, type: number, offset = 0, end = buf.length): Decoded<Ipv6Extension, LayerErrorCode> {
  const out = newIpv6Extension();
  const f = newFault();
  const e = parseIpv6Extension(buf, offset, end, type, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
