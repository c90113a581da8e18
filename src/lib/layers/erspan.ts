/**
 * ERSPAN headers (Cisco Encapsulated Remote SPAN, draft-foschiano-erspan-03), carried in GRE:
 * protocol type 0x88be for types I and II, 0x22eb for type III. Type I has no ERSPAN header
 * (and no GRE sequence number): the mirrored Ethernet frame follows GRE directly.
 *
 * Type II (version 1), 8 bytes:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Ver  |          VLAN         | COS | En|T|    Session ID     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Reserved         |                  Index                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Type III (version 2), 12 bytes, then an 8-byte platform-specific subheader when O = 1:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Ver  |          VLAN         | COS |BSO|T|     Session ID    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Timestamp                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |             SGT               |P|    FT   |   Hw ID   |D|Gra|O|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The payload is the mirrored Ethernet frame.
 */
import { ok, type Decoded } from '../result.js';
import { u16 } from './bytes.js';
import { faultResult, newFault, setFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

/** GRE protocol types announcing ERSPAN. */
export const GRE_PROTOCOL_ERSPAN_2 = 0x88be;
export const GRE_PROTOCOL_ERSPAN_3 = 0x22eb;

export interface ErspanHeader {
  /** 1 (type II) or 2 (type III). */
  version: number;
  /** VLAN of the mirrored frame (0..4095). */
  vlan: number;
  /** Session ID (0..1023). */
  sessionId: number;
  /** Type III: a platform-specific subheader (8 bytes) follows. */
  hasSubheader: boolean;
}

export function newErspanHeader(): ErspanHeader {
  return { version: 0, vlan: 0, sessionId: 0, hasSubheader: false };
}

/** Type II or III header (the version nibble decides); returns the mirrored frame's offset. */
export function parseErspan(buf: Uint8Array, off: number, end: number, out: ErspanHeader, fault: LayerFault): number {
  const have = end - off;
  if (have < 1) return truncated(fault, 'erspan', off, 8, Math.max(0, have));
  const version = buf[off]! >>> 4;
  if (version !== 1 && version !== 2) return setFault(fault, 'BAD_GRE', 'erspan', off);
  const fixed = version === 1 ? 8 : 12;
  if (have < fixed) return truncated(fault, 'erspan', off, fixed, have);
  out.version = version;
  out.vlan = u16(buf, off) & 0x0fff;
  out.sessionId = u16(buf, off + 2) & 0x03ff;
  out.hasSubheader = version === 2 && (buf[off + 11]! & 1) === 1;
  const len = fixed + (out.hasSubheader ? 8 : 0);
  if (have < len) return truncated(fault, 'erspan', off, len, have);
  return off + len;
}

export function decodeErspan(buf: Uint8Array, offset = 0, end = buf.length): Decoded<ErspanHeader, LayerErrorCode> {
  const out = newErspanHeader();
  const f = newFault();
  const e = parseErspan(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
