/**
 * TCP header (RFC 9293 §3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *  |       |       |R|E|G|K|H|T|N|N|                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           [Options]                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The segment's data runs from the end of the header to the end of the IP payload. Options are
 * left undecoded (they sit between offset + 20 and the returned end).
 */
import { ok, type Decoded } from '../result.js';
import { u16, u32 } from './bytes.js';
import { faultResult, newFault, setFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const TCP_MIN_HEADER_LENGTH = 20;

/** Bits of `TcpHeader.flags`. */
export const TCP_FLAG = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  /** Sequence number (unsigned 32-bit). */
  seq: number;
  /** Acknowledgment number (unsigned 32-bit). */
  ack: number;
  /** Header length in bytes (data offset × 4). */
  headerLength: number;
  /** Control bits, see TCP_FLAG. */
  flags: number;
  /** Receive window, in bytes before scaling. */
  window: number;
  checksum: number;
  urgentPointer: number;
}

export function newTcpHeader(): TcpHeader {
  return { srcPort: 0, dstPort: 0, seq: 0, ack: 0, headerLength: 0, flags: 0, window: 0, checksum: 0, urgentPointer: 0 };
}

/** Returns the offset of the segment data, or -1. */
export function parseTcp(buf: Uint8Array, off: number, end: number, out: TcpHeader, fault: LayerFault): number {
  const have = end - off;
  if (have < TCP_MIN_HEADER_LENGTH) return truncated(fault, 'tcp', off, TCP_MIN_HEADER_LENGTH, Math.max(0, have));
  const hl = (buf[off + 12]! >>> 4) * 4;
  if (hl < TCP_MIN_HEADER_LENGTH) return setFault(fault, 'BAD_HEADER_LENGTH', 'tcp', off);
  if (have < hl) return truncated(fault, 'tcp', off, hl, have);
  out.srcPort = u16(buf, off);
  out.dstPort = u16(buf, off + 2);
  out.seq = u32(buf, off + 4);
  out.ack = u32(buf, off + 8);
  out.headerLength = hl;
  out.flags = buf[off + 13]!;
  out.window = u16(buf, off + 14);
  out.checksum = u16(buf, off + 16);
  out.urgentPointer = u16(buf, off + 18);
  return off + hl;
}

export function decodeTcp(buf: Uint8Array, offset = 0, end = buf.length): Decoded<TcpHeader, LayerErrorCode> {
  const out = newTcpHeader();
  const f = newFault();
  const e = parseTcp(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
