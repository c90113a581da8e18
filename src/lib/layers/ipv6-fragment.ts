/**
 * IPv6 Fragment header (RFC 8200 §4.5), Next Header value 44, 8 bytes.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Identification                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Next Header names the first header of the fragmentable part (meaningful in the first
 * fragment). Reassembly is keyed by source, destination and Identification.
 */
import { ok, type Decoded } from '../result.js';
import { u16, u32 } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const IPV6_FRAGMENT_HEADER_LENGTH = 8;

export interface Ipv6Fragment {
  nextHeader: number;
  /** Offset of this fragment's data in the fragmentable part, in bytes (the field × 8). */
  fragmentOffset: number;
  moreFragments: boolean;
  identification: number;
}

export function newIpv6Fragment(): Ipv6Fragment {
  return { nextHeader: 0, fragmentOffset: 0, moreFragments: false, identification: 0 };
}

export function parseIpv6Fragment(buf: Uint8Array, off: number, end: number, out: Ipv6Fragment, fault: LayerFault): number {
  const have = end - off;
  if (have < IPV6_FRAGMENT_HEADER_LENGTH) return truncated(fault, 'ipv6', off, IPV6_FRAGMENT_HEADER_LENGTH, Math.max(0, have));
  out.nextHeader = buf[off]!;
  const fo = u16(buf, off + 2);
  out.fragmentOffset = fo & 0xfff8;
  out.moreFragments = (fo & 1) !== 0;
  out.identification = u32(buf, off + 4);
  return off + IPV6_FRAGMENT_HEADER_LENGTH;
}

export function decodeIpv6Fragment(buf: Uint8Array, offset = 0, end = buf.length): Decoded<Ipv6Fragment, LayerErrorCode> {
  const out = newIpv6Fragment();
  const f = newFault();
  const e = parseIpv6Fragment(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
