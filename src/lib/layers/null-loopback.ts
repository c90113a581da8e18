/**
 * BSD loopback encapsulation: LINKTYPE_NULL (0), a 4-byte protocol family in the *capturing
 * host's* byte order, and LINKTYPE_LOOP (108), the same field in network byte order.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 protocol family (AF_ value)                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * For NULL the byte order is detected: AF_ values are small, so a value with any of the upper
 * 16 bits set was written in the other byte order (what libpcap and Wireshark also do).
 * AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD,
 * DragonFly) or 30 (macOS, iOS).
 */
import { ok, type Decoded } from '../result.js';
import { u32, u32le } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const NULL_HEADER_LENGTH = 4;

export const BSD_AF = {
  INET: 2,
  INET6_BSD: 24,
  INET6_FREEBSD: 28,
  INET6_DARWIN: 30,
} as const;

export interface NullHeader {
  /** Protocol family (AF_ value), in host terms. */
  family: number;
  /** 4 for AF_INET, 6 for the AF_INET6 values, 0 otherwise. */
  ipVersion: 0 | 4 | 6;
}

export function newNullHeader(): NullHeader {
  return { family: 0, ipVersion: 0 };
}

/** `networkOrder`: true for LINKTYPE_LOOP, false for LINKTYPE_NULL (byte order detected). */
export function parseNull(buf: Uint8Array, off: number, end: number, out: NullHeader, fault: LayerFault, networkOrder = false): number {
  if (end - off < NULL_HEADER_LENGTH) return truncated(fault, 'null', off, NULL_HEADER_LENGTH, Math.max(0, end - off));
  let family: number;
  if (networkOrder) family = u32(buf, off);
  else {
    family = u32le(buf, off);
    if ((family & 0xffff0000) !== 0) family = u32(buf, off);
  }
  out.family = family;
  out.ipVersion = familyIpVersion(family);
  return off + NULL_HEADER_LENGTH;
}

export function familyIpVersion(family: number): 0 | 4 | 6 {
  if (family === BSD_AF.INET) return 4;
  if (family === BSD_AF.INET6_BSD || family === BSD_AF.INET6_FREEBSD || family === BSD_AF.INET6_DARWIN) return 6;
  return 0;
}

export function decodeNull(buf: Uint8Array, offset = 0, end = buf.length, networkOrder = false): Decoded<NullHeader, LayerErrorCode> {
  const out = newNullHeader();
  const f = newFault();
  const e = parseNull(buf, offset, end, out, f, networkOrder);
  return e < 0 ? faultResult(f) : ok(out, e);
}
