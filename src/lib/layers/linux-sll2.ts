/**
 * Linux "cooked" capture header, version 2 (LINKTYPE_LINUX_SLL2 = 276), 20 bytes, network
 * order. Layout from the tcpdump.org registry page for LINKTYPE_LINUX_SLL2.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        protocol type          |       reserved (MBZ)          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       interface index                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         ARPHRD_ type          |  packet type  | address length|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           link-layer address (8 bytes, zero padded)           |
 *  +                                                               +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { ok, type Decoded } from '../result.js';
import { u16, u32 } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const LINUX_SLL2_HEADER_LENGTH = 20;

export interface LinuxSll2Header {
  /** Protocol type: an EtherType for IP. */
  protocol: number;
  /** Capturing interface's index (as `ip link` numbers them). */
  interfaceIndex: number;
  /** Linux ARPHRD_ device type. */
  arphrdType: number;
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packetType: number;
  /** Link-layer address length in bytes (the field holds at most 8). */
  addressLength: number;
  /** Absolute offset in the buffer of the link-layer address bytes. */
  addressOffset: number;
}

export function newLinuxSll2Header(): LinuxSll2Header {
  return { protocol: 0, interfaceIndex: 0, arphrdType: 0, packetType: 0, addressLength: 0, addressOffset: 0 };
}

export function parseLinuxSll2(buf: Uint8Array, off: number, end: number, out: LinuxSll2Header, fault: LayerFault): number {
  if (end - off < LINUX_SLL2_HEADER_LENGTH) return truncated(fault, 'sll2', off, LINUX_SLL2_HEADER_LENGTH, Math.max(0, end - off));
  out.protocol = u16(buf, off);
  out.interfaceIndex = u32(buf, off + 4);
  out.arphrdType = u16(buf, off + 8);
  out.packetType = buf[off + 10]!;
  out.addressLength = buf[off + 11]!;
  out.addressOffset = off + 12;
  return off + LINUX_SLL2_HEADER_LENGTH;
}

export function decodeLinuxSll2(buf: Uint8Array, offset = 0, end = buf.length): Decoded<LinuxSll2Header, LayerErrorCode> {
  const out = newLinuxSll2Header();
  const f = newFault();
  const e = parseLinuxSll2(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
