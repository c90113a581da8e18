/**
 * IPv6 fixed header (RFC 8200 §3).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                    Source Address (128 bits)                  +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                 Destination Address (128 bits)                +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Payload Length counts everything after these 40 bytes (extension headers included). The
 * whole packet must be captured (else TRUNCATED with need = 40 + payload length). A payload
 * length of 0 with more bytes captured (jumbogram, or segmentation offload on the sender) uses
 * the captured length. Extension headers are decoded by `ipv6-extension.ts`/`ipv6-fragment.ts`.
 */
import { ok, type Decoded } from '../result.js';
import { u16, u32 } from './bytes.js';
import { faultResult, newFault, setFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const IPV6_HEADER_LENGTH = 40;

export interface Ipv6Header {
  trafficClass: number;
  /** 20-bit flow label. */
  flowLabel: number;
  /** Payload Length field, in bytes. */
  payloadLength: number;
  /** Bytes of payload this packet carries after the fixed header (see the note above). */
  effectivePayloadLength: number;
  nextHeader: number;
  hopLimit: number;
  /** Absolute offset in the buffer of the 16 source address bytes. */
  srcOffset: number;
  /** Absolute offset in the buffer of the 16 destination address bytes. */
  dstOffset: number;
}

export function newIpv6Header(): Ipv6Header {
  return { trafficClass: 0, flowLabel: 0, payloadLength: 0, effectivePayloadLength: 0, nextHeader: 0, hopLimit: 0, srcOffset: 0, dstOffset: 0 };
}

/** Returns the offset after the fixed header (payload ends at that + effectivePayloadLength). */
export function parseIpv6(buf: Uint8Array, off: number, end: number, out: Ipv6Header, fault: LayerFault): number {
  const have = end - off;
  if (have < 1) return truncated(fault, 'ipv6', off, IPV6_HEADER_LENGTH, Math.max(0, have));
  if (buf[off]! >>> 4 !== 6) return setFault(fault, 'BAD_VERSION', 'ipv6', off);
  if (have < IPV6_HEADER_LENGTH) return truncated(fault, 'ipv6', off, IPV6_HEADER_LENGTH, have);
  const w0 = u32(buf, off);
  const plen = u16(buf, off + 4);
  let eff = plen;
  if (plen === 0) eff = have - IPV6_HEADER_LENGTH;
  else if (have < IPV6_HEADER_LENGTH + plen) return truncated(fault, 'ipv6', off, IPV6_HEADER_LENGTH + plen, have);
  out.trafficClass = (w0 >>> 20) & 0xff;
  out.flowLabel = w0 & 0xfffff;
  out.payloadLength = plen;
  out.effectivePayloadLength = eff;
  out.nextHeader = buf[off + 6]!;
  out.hopLimit = buf[off + 7]!;
  out.srcOffset = off + 8;
  out.dstOffset = off + 24;
  return off + IPV6_HEADER_LENGTH;
}

export function decodeIpv6(buf: Uint8Array, offset = 0, end = buf.length): Decoded<Ipv6Header, LayerErrorCode> {
  const out = newIpv6Header();
  const f = newFault();
  const e = parseIpv6(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
