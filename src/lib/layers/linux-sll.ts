/**
 * Linux "cooked" capture header, version 1 (LINKTYPE_LINUX_SLL = 113), 16 bytes, network order.
 * Layout from the tcpdump.org registry page for LINKTYPE_LINUX_SLL.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          packet type          |       ARPHRD_ type            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   link-layer address length   |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |          link-layer address (8 bytes, zero padded)            |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |        protocol type          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The protocol type is an EtherType, except for a few ARPHRD types (e.g. 824 netlink) and the
 * values 0x0001 (Novell 802.3), 0x0004 (802.2 LLC) that are not IP.
 */
import { ok, type Decoded } from '../result.js';
import { u16 } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const LINUX_SLL_HEADER_LENGTH = 16;

/** ARPHRD_NETLINK: the payload is a netlink message, never IP. */
export const ARPHRD_NETLINK = 824;

export interface LinuxSllHeader {
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packetType: number;
  /** Linux ARPHRD_ device type (1 Ethernet, 772 loopback, 776 SIT, 778 IP GRE, 65534 none). */
  arphrdType: number;
  /** Link-layer address length in bytes (the field holds at most 8). */
  addressLength: number;
  /** Absolute offset in the buffer of the link-layer address bytes. */
  addressOffset: number;
  /** Protocol type: an EtherType for IP. */
  protocol: number;
}

export function newLinuxSllHeader(): LinuxSllHeader {
  return { packetType: 0, arphrdType: 0, addressLength: 0, addressOffset: 0, protocol: 0 };
}

export function parseLinuxSll(buf: Uint8Array, off: number, end: number, out: LinuxSllHeader, fault: LayerFault): number {
  if (end - off < LINUX_SLL_HEADER_LENGTH) return truncated(fault, 'sll', off, LINUX_SLL_HEADER_LENGTH, Math.max(0, end - off));
  out.packetType = u16(buf, off);
  out.arphrdType = u16(buf, off + 2);
  out.addressLength = u16(buf, off + 4);
  out.addressOffset = off + 6;
  out.protocol = u16(buf, off + 14);
  return off + LINUX_SLL_HEADER_LENGTH;
}

export function decodeLinuxSll(buf: Uint8Array, offset = 0, end = buf.length): Decoded<LinuxSllHeader, LayerErrorCode> {
  const out = newLinuxSllHeader();
  const f = newFault();
  const e = parseLinuxSll(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
