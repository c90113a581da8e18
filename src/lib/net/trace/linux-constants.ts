/**
 * Linux socket-API numbers trace needs and Node does not export. Values from the Linux UAPI
 * headers (asm-generic/socket.h, linux/in.h, linux/in6.h, linux/errqueue.h, linux/icmp.h,
 * linux/icmpv6.h) as documented in socket(7), ip(7), ipv6(7) and icmp(7). They are the same on
 * x86-64 and arm64 (the asm-generic ABI); struct layouts below assume an LP64 C library.
 */

export const AF_INET = 2;
export const AF_INET6 = 10;

export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

export const IPPROTO_IP = 0; // also SOL_IP
export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41; // also SOL_IPV6
export const IPPROTO_ICMPV6 = 58;

export const SOL_SOCKET = 1;
/** SO_TIMESTAMPNS (= SO_TIMESTAMPNS_OLD on LP64): receive time as struct timespec in a cmsg. */
export const SO_TIMESTAMPNS = 35;
export const SCM_TIMESTAMPNS = SO_TIMESTAMPNS;

/** ip(7) */
export const IP_TTL = 2;
export const IP_RECVERR = 11;
/** ipv6(7) */
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_RECVERR = 25;

export const MSG_DONTWAIT = 0x40;
export const MSG_ERRQUEUE = 0x2000;

/** linux/errqueue.h: where an extended error came from. */
export const SO_EE_ORIGIN_NONE = 0;
export const SO_EE_ORIGIN_LOCAL = 1;
export const SO_EE_ORIGIN_ICMP = 2;
export const SO_EE_ORIGIN_ICMP6 = 3;

export const CLOCK_REALTIME = 0;

/** errno values (asm-generic/errno-base.h, errno.h). */
export const Errno = {
  EPERM: 1,
  EINTR: 4,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EINVAL: 22,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  EAFNOSUPPORT: 97,
  ENETUNREACH: 101,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
} as const;

/** LP64 struct sizes and offsets (msghdr, iovec, cmsghdr, timespec, sockaddr_in, sockaddr_in6). */
export const Layout = {
  msghdr: { size: 56, name: 0, namelen: 8, iov: 16, iovlen: 24, control: 32, controllen: 40, flags: 48 },
  iovec: { size: 16, base: 0, len: 8 },
  /** cmsg_len (size_t), cmsg_level (int), cmsg_type (int); data follows, aligned to 8. */
  cmsghdr: { size: 16, len: 0, level: 8, type: 12, align: 8 },
  timespec: { size: 16, sec: 0, nsec: 8 },
  sockaddrIn: { size: 16 },
  sockaddrIn6: { size: 28 },
  /** struct sock_extended_err: u32 ee_errno; u8 origin, type, code, pad; u32 info; u32 data. */
  sockExtendedErr: { size: 16, errno: 0, origin: 4, type: 5, code: 6, info: 8, data: 12 },
} as const;
