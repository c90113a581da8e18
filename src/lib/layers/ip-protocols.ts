/**
 * IP protocol numbers (IPv4 Protocol field, IPv6 Next Header) the dissector knows.
 *
 * From the IANA "Assigned Internet Protocol Numbers" registry
 * (https://www.iana.org/assignments/protocol-numbers/).
 */
export const IPPROTO = {
  /** IPv6 Hop-by-Hop Options (RFC 8200 §4.3). */
  HOPOPTS: 0,
  ICMP: 1,
  /** IPv4 encapsulated in IP (RFC 2003). */
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  /** IPv6 encapsulated in IP (RFC 2473, RFC 4213). */
  IPV6: 41,
  /** IPv6 Routing header (RFC 8200 §4.4). */
  ROUTING: 43,
  /** IPv6 Fragment header (RFC 8200 §4.5). */
  FRAGMENT: 44,
  GRE: 47,
  /** Encapsulating Security Payload: opaque. */
  ESP: 50,
  /** Authentication Header (RFC 4302). */
  AH: 51,
  ICMPV6: 58,
  /** IPv6 No Next Header (RFC 8200 §4.7). */
  NONE: 59,
  /** IPv6 Destination Options (RFC 8200 §4.6). */
  DSTOPTS: 60,
} as const;
