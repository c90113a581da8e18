/**
 * ICMP / ICMPv6 echo (RFC 792 "Echo or Echo Reply Message", RFC 4443 §4.1–4.2).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Identifier          |        Sequence Number        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Data ...
 *
 * Types: IPv4 request 8 / reply 0; IPv6 request 128 / reply 129. The IPv4 checksum is the
 * one's complement sum over the message (RFC 1071); for ICMPv6 and for Linux ping sockets the
 * kernel fills it in (and a ping socket also replaces the identifier with its own).
 */
import { truncated, type Decoded } from './errors.js';

export const ICMP_ECHO_HEADER_LENGTH = 8;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP6_ECHO_REQUEST = 128;
export const ICMP6_ECHO_REPLY = 129;

export interface IcmpEcho {
  type: number;
  code: number;
  identifier: number;
  sequence: number;
  /** view into the input buffer */
  data: Uint8Array;
}

export function icmpEchoLength(dataLength: number): number {
  return ICMP_ECHO_HEADER_LENGTH + dataLength;
}

/** RFC 1071 Internet checksum of `buf`. */
export function internetChecksum(buf: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (buf.length % 2 === 1) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function encodeIcmpEchoRequest(family: 4 | 6, identifier: number, sequence: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(icmpEchoLength(data.length));
  const dv = new DataView(out.buffer);
  out[0] = family === 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
  dv.setUint16(4, identifier & 0xffff, false);
  dv.setUint16(6, sequence & 0xffff, false);
  out.set(data, ICMP_ECHO_HEADER_LENGTH);
  if (family === 4) dv.setUint16(2, internetChecksum(out), false);
  return out;
}

/** Decode an echo request or reply (the ICMP header first: strip any IPv4 header before). */
export function decodeIcmpEcho(buf: Uint8Array, offset: number, family: 4 | 6): Decoded<IcmpEcho> {
  const have = buf.length - offset;
  if (have < ICMP_ECHO_HEADER_LENGTH) return truncated('icmp', offset, ICMP_ECHO_HEADER_LENGTH, Math.max(0, have));
  const type = buf[offset]!;
  const isEcho =
    family === 4 ? type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY : type === ICMP6_ECHO_REQUEST || type === ICMP6_ECHO_REPLY;
  if (!isEcho) return { ok: false, error: { code: 'NOT_ECHO', layer: 'icmp', offset } };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    ok: true,
    value: {
      type,
      code: buf[offset + 1]!,
      identifier: dv.getUint16(offset + 4, false),
      sequence: dv.getUint16(offset + 6, false),
      data: buf.subarray(offset + ICMP_ECHO_HEADER_LENGTH),
    },
    end: buf.length,
  };
}

/** Length of the IPv4 header at `offset` (IHL × 4), or 0 if it does not look like IPv4. */
export function ipv4HeaderLength(buf: Uint8Array, offset: number): number {
  const b = buf[offset];
  if (b === undefined || b >> 4 !== 4) return 0;
  return (b & 0x0f) * 4;
}
