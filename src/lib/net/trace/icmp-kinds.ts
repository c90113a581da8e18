/**
 * ICMP / ICMPv6 error (type, code) → the answer kind trace reports. IANA "ICMP Type Numbers"
 * and "ICMPv6 Parameters" registries; RFC 792, RFC 1812 §5.2.7.1 (codes 9, 10, 13:
 * administratively prohibited), RFC 4443 §3.
 */
import type { AnswerKind } from '../../trace/probe.js';

/** ICMPv4 destination unreachable (type 3) codes. */
const ICMP4_UNREACH: Readonly<Record<number, AnswerKind>> = {
  0: 'net-unreachable',
  1: 'host-unreachable',
  2: 'protocol-unreachable',
  3: 'port-unreachable',
  4: 'frag-needed',
  6: 'net-unreachable', // destination network unknown
  7: 'host-unreachable', // destination host unknown
  9: 'admin-prohibited', // network administratively prohibited
  10: 'admin-prohibited', // host administratively prohibited
  11: 'net-unreachable', // network unreachable for ToS
  12: 'host-unreachable', // host unreachable for ToS
  13: 'admin-prohibited', // communication administratively prohibited
};

/** ICMPv6 destination unreachable (type 1) codes. */
const ICMP6_UNREACH: Readonly<Record<number, AnswerKind>> = {
  0: 'net-unreachable', // no route to destination
  1: 'admin-prohibited',
  2: 'net-unreachable', // beyond scope of source address
  3: 'host-unreachable', // address unreachable
  4: 'port-unreachable',
  5: 'admin-prohibited', // source address failed ingress/egress policy
  6: 'admin-prohibited', // reject route to destination
};

export function classifyIcmpError(family: 4 | 6, type: number, code: number): AnswerKind {
  if (family === 4) {
    if (type === 11) return 'time-exceeded';
    if (type === 3) return ICMP4_UNREACH[code] ?? 'other-icmp';
    return 'other-icmp';
  }
  if (type === 3) return 'time-exceeded';
  if (type === 1) return ICMP6_UNREACH[code] ?? 'other-icmp';
  if (type === 2) return 'frag-needed'; // packet too big
  return 'other-icmp';
}
