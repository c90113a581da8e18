/**
 * Ethernet II / IPv4 / UDP frame encoder for the capture generator, with correct IPv4 header
 * and UDP checksums (RFC 791 §3.1, RFC 768, RFC 1071 one's-complement sum).
 *
 *   0                   14                  34          42
 *   | dst mac | src mac | type 0x0800 | IPv4 (20, no options) | UDP (8) | payload
 *
 *   IPv4: 45 tos totlen | id | flags+frag 4000 (DF) | ttl 64, proto 17 | checksum | src | dst
 *   UDP:  sport | dport | length | checksum (over the pseudo-header src, dst, 0, 17, length)
 */

export const ETHERNET_LENGTH = 14;
export const IPV4_LENGTH = 20;
export const UDP_LENGTH = 8;
/** Offset of the UDP payload in a frame. */
export const UDP_PAYLOAD_OFFSET = ETHERNET_LENGTH + IPV4_LENGTH + UDP_LENGTH;

export const ETHERTYPE_IPV4 = 0x0800;
export const IP_PROTOCOL_UDP = 17;
export const IP_TTL = 64;
/** Don't Fragment, offset 0. */
export const IP_FLAGS_DF = 0x4000;
/** DSCP CS3 (0x18 << 2): what most phones mark SIP with. */
export const TOS_SIP = 0x60;
/** DSCP EF (46 << 2): voice media. */
export const TOS_RTP = 0xb8;

/** One end of the simulated network: a phone or the PBX. */
export interface GenHost {
  ip: string;
  ipBytes: Uint8Array;
  /** One's-complement-free sum of the two 16-bit words of the address (for checksums). */
  ipWordSum: number;
  mac: Uint8Array;
  /** SIP port. */
  sipPort: number;
  /** SIP user part (extension number, or "asterisk" for the PBX). */
  user: string;
  /** User-Agent / Server header value. */
  userAgent: string;
  /** Digest password (phones only). */
  password: string;
  isPbx: boolean;
}

export function makeHost(init: Omit<GenHost, 'ipBytes' | 'ipWordSum'>): GenHost {
  const ipBytes = Uint8Array.from(init.ip.split('.').map(Number));
  return { ...init, ipBytes, ipWordSum: wordSum(ipBytes, 0, 4) };
}

/** Sum of the big-endian 16-bit words of buf[start, end) (odd length: padded with a zero byte). */
export function wordSum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

/** Fold carries into 16 bits. */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** One's-complement checksum from a raw word sum. */
export function checksumOf(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** UDP transmits a computed 0 as 0xffff (RFC 768: 0 means "no checksum"). */
export function udpChecksumOf(sum: number): number {
  return checksumOf(sum) || 0xffff;
}

/**
 * Write the Ethernet, IPv4 and UDP headers for a payload of `payloadLength` bytes into
 * `frame[0, 42)`. The UDP checksum field is left 0: the caller fills it (see
 * `encodeUdpFrame`, or the incremental sum of the RTP source).
 */
export function writeUdpHeaders(
  frame: Uint8Array,
  src: GenHost,
  dst: GenHost,
  srcPort: number,
  dstPort: number,
  payloadLength: number,
  tos: number,
  ipId: number,
): void {
  frame.set(dst.mac, 0);
  frame.set(src.mac, 6);
  frame[12] = ETHERTYPE_IPV4 >> 8;
  frame[13] = ETHERTYPE_IPV4 & 0xff;
  const ip = ETHERNET_LENGTH;
  const totalLength = IPV4_LENGTH + UDP_LENGTH + payloadLength;
  frame[ip] = 0x45;
  frame[ip + 1] = tos;
  put16(frame, ip + 2, totalLength);
  put16(frame, ip + 4, ipId);
  put16(frame, ip + 6, IP_FLAGS_DF);
  frame[ip + 8] = IP_TTL;
  frame[ip + 9] = IP_PROTOCOL_UDP;
  put16(frame, ip + 10, 0);
  frame.set(src.ipBytes, ip + 12);
  frame.set(dst.ipBytes, ip + 16);
  put16(frame, ip + 10, checksumOf(wordSum(frame, ip, ip + IPV4_LENGTH)));
  const udp = ip + IPV4_LENGTH;
  put16(frame, udp, srcPort);
  put16(frame, udp + 2, dstPort);
  put16(frame, udp + 4, UDP_LENGTH + payloadLength);
  put16(frame, udp + 6, 0);
}

/** Sum of the UDP pseudo-header (RFC 768) plus the UDP header with a zero checksum. */
export function udpHeaderSum(src: GenHost, dst: GenHost, srcPort: number, dstPort: number, payloadLength: number): number {
  const udpLength = UDP_LENGTH + payloadLength;
  return src.ipWordSum + dst.ipWordSum + IP_PROTOCOL_UDP + udpLength + srcPort + dstPort + udpLength;
}

/** A complete frame carrying `payload`, both checksums right. */
export function encodeUdpFrame(
  src: GenHost,
  dst: GenHost,
  srcPort: number,
  dstPort: number,
  payload: Uint8Array,
  tos: number,
  ipId: number,
): Uint8Array {
  const frame = new Uint8Array(UDP_PAYLOAD_OFFSET + payload.length);
  writeUdpHeaders(frame, src, dst, srcPort, dstPort, payload.length, tos, ipId);
  frame.set(payload, UDP_PAYLOAD_OFFSET);
  const sum = udpHeaderSum(src, dst, srcPort, dstPort, payload.length) + wordSum(payload, 0, payload.length);
  put16(frame, UDP_PAYLOAD_OFFSET - 2, udpChecksumOf(sum));
  return frame;
}

export function put16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 8) & 0xff;
  buf[off + 1] = v & 0xff;
}

export function put32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 24) & 0xff;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}
