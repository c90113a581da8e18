/**
 * The RTCP common header — RFC 3550 §6.4.1 — shared by every packet type.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|  count  |      PT       |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * `length` is the packet's size in 32-bit words minus one, header included. With P set, the
 * packet's last octet counts the padding octets, itself included.
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTCP_LAYER, type RtcpErrorCode } from './errors.js';

export const RTCP_VERSION = 2;
export const RTCP_HEADER_LENGTH = 4;

/** RTCP packet types (IANA "RTP Control Protocol (RTCP) Control Packet Types"). */
export const RTCP_PT = Object.freeze({
  SR: 200, // RFC 3550
  RR: 201, // RFC 3550
  SDES: 202, // RFC 3550
  BYE: 203, // RFC 3550
  APP: 204, // RFC 3550
  RTPFB: 205, // RFC 4585
  PSFB: 206, // RFC 4585
  XR: 207, // RFC 3611
} as const);

/** Where one RTCP packet sits in its buffer, from its common header. */
export interface RtcpFrame {
  count: number;
  packetType: number;
  padding: boolean;
  /** Padding octets at the end (0 without P). */
  paddingBytes: number;
  /** First byte after the common header. */
  bodyStart: number;
  /** First byte of the padding (or `end`). */
  bodyEnd: number;
  /** First byte after the packet: offset + 4 × (length + 1). */
  end: number;
}

/**
 * Reads and checks the common header at `offset` and that the whole packet is in `buf`.
 * `expectedType` makes another packet type a WRONG_TYPE error.
 */
export function decodeRtcpFrame(buf: Uint8Array, offset: number, expectedType?: number): Decoded<RtcpFrame, RtcpErrorCode> {
  const have = buf.length - offset;
  if (have < RTCP_HEADER_LENGTH) return fail('TRUNCATED', RTCP_LAYER, offset, RTCP_HEADER_LENGTH, Math.max(0, have));
  const b0 = buf[offset]!;
  if (b0 >> 6 !== RTCP_VERSION) return fail('BAD_VERSION', RTCP_LAYER, offset);
  const packetType = buf[offset + 1]!;
  if (expectedType !== undefined && packetType !== expectedType) return fail('WRONG_TYPE', RTCP_LAYER, offset + 1);
  const bytes = 4 * (((buf[offset + 2]! << 8) | buf[offset + 3]!) + 1);
  if (have < bytes) return fail('TRUNCATED', RTCP_LAYER, offset, bytes, have);
  const end = offset + bytes;
  const padding = (b0 & 0x20) !== 0;
  let paddingBytes = 0;
  if (padding) {
    paddingBytes = buf[end - 1]!;
    if (paddingBytes === 0 || paddingBytes > bytes - RTCP_HEADER_LENGTH) return fail('BAD_PADDING', RTCP_LAYER, end - 1);
  }
  return ok(
    { count: b0 & 0x1f, packetType, padding, paddingBytes, bodyStart: offset + RTCP_HEADER_LENGTH, bodyEnd: end - paddingBytes, end },
    end,
  );
}

/** Writes a common header for a packet of `bytes` bytes (a multiple of 4) at `at`. */
export function writeRtcpHeader(out: Uint8Array, at: number, count: number, packetType: number, bytes: number, padding = false): void {
  out[at] = (RTCP_VERSION << 6) | (padding ? 0x20 : 0) | (count & 0x1f);
  out[at + 1] = packetType;
  const words = bytes / 4 - 1;
  out[at + 2] = words >> 8;
  out[at + 3] = words & 0xff;
}

export function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

export function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 24) & 0xff;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/** The middle 32 bits of a 64-bit NTP timestamp: what LSR carries (RFC 3550 §6.4.1). */
export function ntpMiddle32(ntpSec: number, ntpFrac: number): number {
  return (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
}

/** Round `n` up to a multiple of 4. */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}
