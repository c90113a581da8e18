/**
 * IEEE 802.1Q VLAN tag (TPID 0x8100) and IEEE 802.1ad service tag (TPID 0x88a8, or the
 * pre-standard 0x9100). The TPID itself sits where the EtherType would be; this structure is
 * the 4 bytes after it.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | PCP |D|       VLAN ID         |  inner EtherType / next TPID  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * QinQ stacks tags: the inner EtherType may itself be a TPID.
 */
import { ok, type Decoded } from '../result.js';
import { u16 } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const VLAN_TAG_LENGTH = 4;

export interface VlanTag {
  /** Priority code point (0..7). */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
  /** VLAN identifier (0..4095). */
  vid: number;
  /** EtherType of what follows the tag (possibly another TPID). */
  etherType: number;
}

export function newVlanTag(): VlanTag {
  return { pcp: 0, dei: false, vid: 0, etherType: 0 };
}

export function parseVlanTag(buf: Uint8Array, off: number, end: number, out: VlanTag, fault: LayerFault): number {
  if (end - off < VLAN_TAG_LENGTH) return truncated(fault, 'vlan', off, VLAN_TAG_LENGTH, Math.max(0, end - off));
  const tci = u16(buf, off);
  out.pcp = tci >>> 13;
  out.dei = (tci & 0x1000) !== 0;
  out.vid = tci & 0x0fff;
  out.etherType = u16(buf, off + 2);
  return off + VLAN_TAG_LENGTH;
}

export function decodeVlanTag(buf: Uint8Array, offset = 0, end = buf.length): Decoded<VlanTag, LayerErrorCode> {
  const out = newVlanTag();
  const f = newFault();
  const e = parseVlanTag(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
