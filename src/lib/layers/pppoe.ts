/**
 * PPPoE session-stage header (RFC 2516 §4, §6), EtherType 0x8864, with the PPP protocol field
 * that follows it (2 bytes; PPPoE forbids address/control bytes and protocol compression is
 * not used in practice).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  VER  | TYPE  |      CODE     |          SESSION_ID           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            LENGTH             |        PPP protocol           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * LENGTH counts the PPPoE payload (PPP protocol field included), in bytes.
 */
import { ok, type Decoded } from '../result.js';
import { u16 } from './bytes.js';
import { faultResult, newFault, setFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const PPPOE_SESSION_HEADER_LENGTH = 8;

export interface PppoeSessionHeader {
  /** Must be 0 in the session stage. */
  code: number;
  sessionId: number;
  /** PPPoE payload length in bytes, PPP protocol field included. */
  length: number;
  /** PPP protocol (0x0021 IPv4, 0x0057 IPv6). */
  pppProtocol: number;
}

export function newPppoeSessionHeader(): PppoeSessionHeader {
  return { code: 0, sessionId: 0, length: 0, pppProtocol: 0 };
}

export function parsePppoeSession(buf: Uint8Array, off: number, end: number, out: PppoeSessionHeader, fault: LayerFault): number {
  const have = end - off;
  if (have < 1) return truncated(fault, 'pppoe', off, PPPOE_SESSION_HEADER_LENGTH, Math.max(0, have));
  if (buf[off] !== 0x11) return setFault(fault, 'BAD_PPPOE', 'pppoe', off);
  if (have < PPPOE_SESSION_HEADER_LENGTH) return truncated(fault, 'pppoe', off, PPPOE_SESSION_HEADER_LENGTH, have);
  out.code = buf[off + 1]!;
  out.sessionId = u16(buf, off + 2);
  out.length = u16(buf, off + 4);
  out.pppProtocol = u16(buf, off + 6);
  return off + PPPOE_SESSION_HEADER_LENGTH;
}

export function decodePppoeSession(buf: Uint8Array, offset = 0, end = buf.length): Decoded<PppoeSessionHeader, LayerErrorCode> {
  const out = newPppoeSessionHeader();
  const f = newFault();
  const e = parsePppoeSession(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
