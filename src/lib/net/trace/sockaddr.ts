/**
 * struct sockaddr_in / sockaddr_in6 (ip(7), ipv6(7)), as the kernel reads and writes them.
 *
 *   sockaddr_in (16 bytes)              sockaddr_in6 (28 bytes)
 *   0  u16 sin_family (host order)      0  u16 sin6_family (host order)
 *   2  u16 sin_port   (network order)   2  u16 sin6_port   (network order)
 *   4  4 B sin_addr                     4  u32 sin6_flowinfo
 *   8  8 B zero                         8  16 B sin6_addr
 *                                       24 u32 sin6_scope_id
 *
 * The family field is in host byte order: little-endian on every platform trace's FFI path runs.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6, Layout } from './linux-constants.js';
import { truncated, type Decoded } from './errors.js';

export interface SocketAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

export function sockaddrLength(family: 4 | 6): number {
  return family === 4 ? Layout.sockaddrIn.size : Layout.sockaddrIn6.size;
}

export function encodeSockaddr(a: SocketAddress): Uint8Array {
  const buf = new Uint8Array(sockaddrLength(a.family));
  const dv = new DataView(buf.buffer);
  dv.setUint16(0, a.family === 4 ? AF_INET : AF_INET6, true);
  dv.setUint16(2, a.port, false);
  if (a.family === 4) buf.set(ipv4Bytes(a.address), 4);
  else buf.set(ipv6Bytes(a.address), 8);
  return buf;
}

export function decodeSockaddr(buf: Uint8Array, offset: number): Decoded<SocketAddress> {
  if (buf.length - offset < 2) return truncated('sockaddr', offset, 2, Math.max(0, buf.length - offset));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const fam = dv.getUint16(offset, true);
  if (fam === AF_INET) {
    const need = Layout.sockaddrIn.size;
    if (buf.length - offset < 8) return truncated('sockaddr', offset, need, buf.length - offset);
    return {
      ok: true,
      value: { family: 4, port: dv.getUint16(offset + 2, false), address: formatIPv4(buf, offset + 4) },
      end: offset + need,
    };
  }
  if (fam === AF_INET6) {
    const need = Layout.sockaddrIn6.size;
    if (buf.length - offset < 24) return truncated('sockaddr', offset, need, buf.length - offset);
    return {
      ok: true,
      value: { family: 6, port: dv.getUint16(offset + 2, false), address: formatIPv6(buf, offset + 8) },
      end: offset + need,
    };
  }
  return { ok: false, error: { code: 'BAD_FAMILY', layer: 'sockaddr', offset } };
}

export function ipv4Bytes(addr: string): Uint8Array {
  if (!isIPv4(addr)) throw new TypeError(`not an IPv4 address: ${addr}`);
  return Uint8Array.from(addr.split('.').map((p) => Number(p)));
}

export function ipv6Bytes(addr: string): Uint8Array {
  if (!isIPv6(addr)) throw new TypeError(`not an IPv6 address: ${addr}`);
  let text = addr;
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  const out = new Uint8Array(16);
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Bytes(tail);
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::', 2) : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

export function formatIPv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** RFC 5952 text form: lower case, longest run of ≥ 2 zero groups as "::", IPv4-mapped kept dotted. */
export function formatIPv6(buf: Uint8Array, offset: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((buf[offset + 2 * i] ?? 0) << 8) | (buf[offset + 2 * i + 1] ?? 0));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIPv4(buf, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((v) => v.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of an address (so comparisons do not trip over "::" forms or case). */
export function canonicalAddress(addr: string): string {
  if (isIPv4(addr)) return addr;
  if (isIPv6(addr)) return formatIPv6(ipv6Bytes(addr), 0);
  return addr;
}
