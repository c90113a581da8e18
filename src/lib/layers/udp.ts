/**
 * UDP header (RFC 768).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Length             |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Length counts header and data, in bytes: < 8 is BAD_LENGTH, more than the IP payload holds is
 * TRUNCATED (need = length), less trims the payload. 0 (an RFC 2675 jumbogram) uses what the IP
 * layer carries. The checksum is not verified.
 */
import { ok, type Decoded } from '../result.js';
import { u16 } from './bytes.js';
import { faultResult, newFault, setFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const UDP_HEADER_LENGTH = 8;

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  /** Length field: header + data, in bytes. */
  length: number;
  checksum: number;
  /** Payload bytes after the header (what the length field and the IP payload allow). */
  payloadLength: number;
}

export function newUdpHeader(): UdpHeader {
  return { srcPort: 0, dstPort: 0, length: 0, checksum: 0, payloadLength: 0 };
}

/** Returns the payload offset (payload ends at that + `out.payloadLength`), or -1. */
export function parseUdp(buf: Uint8Array, off: number, end: number, out: UdpHeader, fault: LayerFault): number {
  const have = end - off;
  if (have < UDP_HEADER_LENGTH) return truncated(fault, 'udp', off, UDP_HEADER_LENGTH, Math.max(0, have));
  let len = u16(buf, off + 4);
  out.length = len;
  if (len === 0) len = have;
  else if (len < UDP_HEADER_LENGTH) return setFault(fault, 'BAD_LENGTH', 'udp', off);
  else if (len > have) return truncated(fault, 'udp', off, len, have);
  out.srcPort = u16(buf, off);
  out.dstPort = u16(buf, off + 2);
  out.checksum = u16(buf, off + 6);
  out.payloadLength = len - UDP_HEADER_LENGTH;
  return off + UDP_HEADER_LENGTH;
}

export function decodeUdp(buf: Uint8Array, offset = 0, end = buf.length): Decoded<UdpHeader, LayerErrorCode> {
  const out = newUdpHeader();
  const f = newFault();
  const e = parseUdp(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
