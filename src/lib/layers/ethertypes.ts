/**
 * EtherType values the dissector dispatches on.
 *
 * From the IEEE Registration Authority EtherType registry, as mirrored by IANA "IEEE 802
 * Numbers" (https://www.iana.org/assignments/ieee-802-numbers/). Values ≤ 1500 (0x05dc) in the
 * Ethernet type/length field are an IEEE 802.3 length, not a type.
 */
export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  /** Transparent Ethernet Bridging: an Ethernet frame inside GRE (RFC 1701). */
  TRANSPARENT_ETHERNET: 0x6558,
  /** IEEE 802.1Q customer VLAN tag. */
  VLAN: 0x8100,
  IPV6: 0x86dd,
  /** PPP, as the GRE protocol type of PPTP (RFC 2637). */
  PPP: 0x880b,
  /** MPLS unicast (RFC 3032). */
  MPLS_UNICAST: 0x8847,
  /** MPLS multicast (RFC 5332). */
  MPLS_MULTICAST: 0x8848,
  PPPOE_DISCOVERY: 0x8863,
  /** PPPoE session stage (RFC 2516). */
  PPPOE_SESSION: 0x8864,
  /** IEEE 802.1ad service VLAN tag (QinQ outer tag). */
  QINQ: 0x88a8,
  /** Pre-standard QinQ outer tag used by some vendors. */
  QINQ_LEGACY: 0x9100,
} as const;

/** Largest value of the Ethernet type/length field that is a length (IEEE 802.3). */
export const ETHERNET_MAX_LENGTH_FIELD = 1500;

/** True for the tag protocol identifiers that introduce a 4-byte VLAN tag. */
export function isVlanTpid(etherType: number): boolean {
  return etherType === ETHERTYPE.VLAN || etherType === ETHERTYPE.QINQ || etherType === ETHERTYPE.QINQ_LEGACY;
}
