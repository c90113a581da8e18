/**
 * Ethernet II / IEEE 802.3 MAC header (LINKTYPE_ETHERNET = 1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  destination MAC (48 bits)                    |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                     source MAC (48 bits)                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      EtherType / length       |  payload ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The FCS is normally not captured. Frames shorter than 64 bytes are padded on the wire, so the
 * payload may carry trailing padding: the IP layer trims it by its own length field.
 */
import { ok, type Decoded } from '../result.js';
import { u16, u48 } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const ETHERNET_HEADER_LENGTH = 14;

export interface EthernetHeader {
  /** Destination MAC as a 48-bit number. */
  dst: number;
  /** Source MAC as a 48-bit number. */
  src: number;
  /** EtherType (> 1500), or the 802.3 payload length (≤ 1500). */
  etherType: number;
}

export function newEthernetHeader(): EthernetHeader {
  return { dst: 0, src: 0, etherType: 0 };
}

/**
 * The EtherType alone, for a dissector that needs no MAC addresses (two 48-bit numbers per
 * frame are not free): returns it, or -1 with `fault` set. The payload starts at
 * `off + ETHERNET_HEADER_LENGTH`.
 */
export function parseEthernetType(buf: Uint8Array, off: number, end: number, fault: LayerFault): number {
  if (end - off < ETHERNET_HEADER_LENGTH) return truncated(fault, 'ethernet', off, ETHERNET_HEADER_LENGTH, Math.max(0, end - off));
  return u16(buf, off + 12);
}

/** Fill `out` from `buf[off..end)`; returns the payload offset, or -1 with `fault` set. */
export function parseEthernet(buf: Uint8Array, off: number, end: number, out: EthernetHeader, fault: LayerFault): number {
  const etherType = parseEthernetType(buf, off, end, fault);
  if (etherType < 0) return -1;
  out.dst = u48(buf, off);
  out.src = u48(buf, off + 6);
  out.etherType = etherType;
  return off + ETHERNET_HEADER_LENGTH;
}

export function decodeEthernet(buf: Uint8Array, offset = 0, end = buf.length): Decoded<EthernetHeader, LayerErrorCode> {
  const out = newEthernetHeader();
  const f = newFault();
  const e = parseEthernet(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}

/** "aa:bb:cc:dd:ee:ff" for a 48-bit MAC number. */
export function macText(mac: number): string {
  const h = mac.toString(16).padStart(12, '0');
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}:${h.slice(10, 12)}`;
}
