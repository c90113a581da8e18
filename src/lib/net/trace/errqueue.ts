/**
 * Ancillary data of a recvmsg() on a trace socket (cmsg(3), ip(7) IP_RECVERR, ipv6(7)
 * IPV6_RECVERR, socket(7) SO_TIMESTAMPNS).
 *
 * cmsghdr (LP64), repeated, each aligned to 8 bytes:
 *   0  size_t cmsg_len    header + data, unpadded
 *   8  int    cmsg_level  SOL_SOCKET | SOL_IP | SOL_IPV6
 *   12 int    cmsg_type
 *   16 data
 *
 * SCM_TIMESTAMPNS data: struct timespec { i64 tv_sec; i64 tv_nsec } — the kernel's receive
 * time of the datagram or ICMP error (CLOCK_REALTIME).
 *
 * IP_RECVERR / IPV6_RECVERR data: struct sock_extended_err, then SO_EE_OFFENDER, the
 * sockaddr of the node that sent the ICMP error (the router for time exceeded):
 *   0  u32 ee_errno   e.g. EHOSTUNREACH (time exceeded), ECONNREFUSED (port unreachable)
 *   4  u8  ee_origin  SO_EE_ORIGIN_ICMP (2) or SO_EE_ORIGIN_ICMP6 (3)
 *   5  u8  ee_type    ICMP type
 *   6  u8  ee_code    ICMP code
 *   7  u8  ee_pad
 *   8  u32 ee_info    e.g. the MTU for "fragmentation needed"
 *   12 u32 ee_data
 *   16 sockaddr_in / sockaddr_in6 offender
 */
import { IPPROTO_IP, IPPROTO_IPV6, IP_RECVERR, IPV6_RECVERR, Layout, SCM_TIMESTAMPNS, SOL_SOCKET } from './linux-constants.js';
import { truncated, type Decoded } from './errors.js';
import { decodeSockaddr, type SocketAddress } from './sockaddr.js';

export interface ExtendedError {
  /** errno the error maps to (EHOSTUNREACH, ECONNREFUSED, …) */
  errno: number;
  /** SO_EE_ORIGIN_* */
  origin: number;
  /** ICMP or ICMPv6 type and code of the error */
  type: number;
  code: number;
  info: number;
  data: number;
  /** Who sent the ICMP error; null when the kernel gave none (a local error). */
  offender: SocketAddress | null;
}

export interface ControlData {
  /** Kernel receive time, ns since the epoch (CLOCK_REALTIME); null without SO_TIMESTAMPNS. */
  timestampNs: bigint | null;
  extendedError: ExtendedError | null;
}

export function decodeSockExtendedErr(buf: Uint8Array, offset: number, length: number): Decoded<ExtendedError> {
  const L = Layout.sockExtendedErr;
  if (length < L.size) return truncated('sock_extended_err', offset, L.size, length);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offender: SocketAddress | null = null;
  if (length > L.size) {
    const sa = decodeSockaddr(buf.subarray(0, offset + length), offset + L.size);
    // AF_UNSPEC (0) means "no offender": keep null rather than failing the whole message
    if (sa.ok) offender = sa.value;
  }
  return {
    ok: true,
    value: {
      errno: dv.getUint32(offset + L.errno, true),
      origin: dv.getUint8(offset + L.origin),
      type: dv.getUint8(offset + L.type),
      code: dv.getUint8(offset + L.code),
      info: dv.getUint32(offset + L.info, true),
      data: dv.getUint32(offset + L.data, true),
      offender,
    },
    end: offset + length,
  };
}

/** Walk `length` bytes of control data at `offset` and pick out what trace uses. */
export function decodeControlMessages(buf: Uint8Array, offset: number, length: number): Decoded<ControlData> {
  const H = Layout.cmsghdr;
  const end = offset + length;
  if (end > buf.length) return truncated('cmsg', offset, length, buf.length - offset);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: ControlData = { timestampNs: null, extendedError: null };
  let p = offset;
  while (end - p >= H.size) {
    const len = Number(dv.getBigUint64(p + H.len, true));
    if (len < H.size || p + len > end) return { ok: false, error: { code: 'BAD_CMSG_LEN', layer: 'cmsg', offset: p, need: len, have: end - p } };
    const level = dv.getInt32(p + H.level, true);
    const type = dv.getInt32(p + H.type, true);
    const data = p + H.size;
    const dataLen = len - H.size;
    if (level === SOL_SOCKET && type === SCM_TIMESTAMPNS) {
      if (dataLen < Layout.timespec.size) return truncated('timespec', data, Layout.timespec.size, dataLen);
      out.timestampNs = dv.getBigInt64(data, true) * 1_000_000_000n + dv.getBigInt64(data + 8, true);
    } else if ((level === IPPROTO_IP && type === IP_RECVERR) || (level === IPPROTO_IPV6 && type === IPV6_RECVERR)) {
      const ee = decodeSockExtendedErr(buf, data, dataLen);
      if (!ee.ok) return ee;
      out.extendedError = ee.value;
    }
    p += Math.ceil(len / H.align) * H.align;
  }
  return { ok: true, value: out, end };
}
