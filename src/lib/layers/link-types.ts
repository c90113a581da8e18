/**
 * Link-layer header types, as stored in pcap and pcapng files.
 *
 * Values and names from the tcpdump.org "Link-Layer Header Types" registry
 * (https://www.tcpdump.org/linktypes.html), kept as published there without the `LINKTYPE_`
 * prefix. 12 and 14 are DLT values some BSDs write for raw IP; the registry lists them as
 * "LINKTYPE_RAW" equivalents that should not appear in files, but real files carry them.
 */
export const LINKTYPE = {
  /** BSD loopback: 4-byte protocol family in the capturing host's byte order. */
  NULL: 0,
  /** IEEE 802.3 Ethernet (10/100/1000 and up). */
  ETHERNET: 1,
  /** Raw IP (DLT_RAW on most BSDs). */
  RAW_BSD: 12,
  /** Raw IP (DLT_RAW on OpenBSD). */
  RAW_OPENBSD: 14,
  /** Raw IP; the version nibble says IPv4 or IPv6. */
  RAW: 101,
  /** OpenBSD loopback: 4-byte protocol family in network byte order. */
  LOOP: 108,
  /** Linux "cooked" capture, version 1 (16-byte header). */
  LINUX_SLL: 113,
  /** Raw IPv4. */
  IPV4: 228,
  /** Raw IPv6. */
  IPV6: 229,
  /** Linux "cooked" capture, version 2 (20-byte header). */
  LINUX_SLL2: 276,
} as const;

export type LinkType = (typeof LINKTYPE)[keyof typeof LINKTYPE];

const NAMES = new Map<number, string>([
  [LINKTYPE.NULL, 'NULL'],
  [LINKTYPE.ETHERNET, 'ETHERNET'],
  [LINKTYPE.RAW_BSD, 'RAW'],
  [LINKTYPE.RAW_OPENBSD, 'RAW'],
  [LINKTYPE.RAW, 'RAW'],
  [LINKTYPE.LOOP, 'LOOP'],
  [LINKTYPE.LINUX_SLL, 'LINUX_SLL'],
  [LINKTYPE.IPV4, 'IPV4'],
  [LINKTYPE.IPV6, 'IPV6'],
  [LINKTYPE.LINUX_SLL2, 'LINUX_SLL2'],
  // Known to the registry but not dissected here; named so reports read well.
  [6, 'IEEE802_5'],
  [9, 'PPP'],
  [50, 'PPP_HDLC'],
  [51, 'PPP_ETHER'],
  [105, 'IEEE802_11'],
  [127, 'IEEE802_11_RADIOTAP'],
  [147, 'USER0'],
  [192, 'PPI'],
  [252, 'WIRESHARK_UPPER_PDU'],
]);

/** Registry name of a link type ("ETHERNET", "LINUX_SLL2"), or "LINKTYPE_<n>" when unknown. */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `LINKTYPE_${linkType}`;
}

/** True when the dissector can decode frames of this link type. */
export function isSupportedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LINKTYPE.NULL:
    case LINKTYPE.ETHERNET:
    case LINKTYPE.RAW_BSD:
    case LINKTYPE.RAW_OPENBSD:
    case LINKTYPE.RAW:
    case LINKTYPE.LOOP:
    case LINKTYPE.LINUX_SLL:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
    case LINKTYPE.LINUX_SLL2:
      return true;
    default:
      return false;
  }
}
