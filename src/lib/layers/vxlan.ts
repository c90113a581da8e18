/**
 * VXLAN header (RFC 7348 §5), 8 bytes after a UDP header to port 4789; the payload is an
 * Ethernet frame.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|R|R|R|I|R|R|R|            Reserved                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Since the port alone does not prove VXLAN, `isVxlan` also wants the flags byte to be exactly
 * I (0x08) and the reserved bytes zero, which RTP (version 2: first byte 0x80..0xbf) never is.
 */
import { ok, type Decoded } from '../result.js';
import { u32 } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

/** IANA-assigned UDP port for VXLAN. */
export const VXLAN_UDP_PORT = 4789;
export const VXLAN_HEADER_LENGTH = 8;

export interface VxlanHeader {
  /** VXLAN network identifier (24 bits). */
  vni: number;
}

/** True when `buf[off..end)` starts with a well-formed VXLAN header (I flag only, reserved 0). */
export function isVxlan(buf: Uint8Array, off: number, end: number): boolean {
  return end - off >= VXLAN_HEADER_LENGTH && buf[off] === 0x08 && buf[off + 1] === 0 && buf[off + 2] === 0 && buf[off + 3] === 0 && buf[off + 7] === 0;
}

export function parseVxlan(buf: Uint8Array, off: number, end: number, out: VxlanHeader, fault: LayerFault): number {
  const have = end - off;
  if (have < VXLAN_HEADER_LENGTH) return truncated(fault, 'vxlan', off, VXLAN_HEADER_LENGTH, Math.max(0, have));
  out.vni = u32(buf, off + 4) >>> 8;
  return off + VXLAN_HEADER_LENGTH;
}

export function decodeVxlan(buf: Uint8Array, offset = 0, end = buf.length): Decoded<VxlanHeader, LayerErrorCode> {
  const out: VxlanHeader = { vni: 0 };
  const f = newFault();
  const e = parseVxlan(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
