/**
 * Textual IP addresses: dotted quad for IPv4, RFC 5952 canonical text for IPv6 (lowercase hex,
 * no leading zeros, the longest run of two or more zero groups compressed to "::", the first
 * such run on a tie, and "::ffff:a.b.c.d" for IPv4-mapped addresses, §5).
 *
 * `AddressTextCache` interns the strings in a bounded direct-mapped table keyed by the numeric
 * address, so that the dissector's hot path allocates nothing for an address it has seen.
 */
import { u16, u32 } from './bytes.js';

/** Dotted quad for an unsigned 32-bit address. */
export function ipv4Text(addr: number): string {
  return `${(addr >>> 24) & 0xff}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** RFC 5952 text of the 16 address bytes at `buf[off..off+16)`. */
export function ipv6Text(buf: Uint8Array, off: number): string {
  // IPv4-mapped ::ffff:a.b.c.d (80 zero bits, 16 one bits).
  if (u32(buf, off) === 0 && u32(buf, off + 4) === 0 && u16(buf, off + 8) === 0 && u16(buf, off + 10) === 0xffff) {
    return `::ffff:${ipv4Text(u32(buf, off + 12))}`;
  }
  // Longest run of zero groups (length ≥ 2), first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && u16(buf, off + g * 2) === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      const len = g - runStart;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += '::';
      g += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += u16(buf, off + g * 2).toString(16);
  }
  return s;
}

const HASH_MUL = 0x9e3779b1;

/**
 * A 32-bit key for the IPv6 address at `buf[off..off+16)`: equal addresses give equal keys
 * (different ones may collide, so a user of the key checks the address text on a hit).
 */
export function ipv6Key(buf: Uint8Array, off: number): number {
  const w0 = u32(buf, off) | 0;
  const w1 = u32(buf, off + 4) | 0;
  const w2 = u32(buf, off + 8) | 0;
  const w3 = u32(buf, off + 12) | 0;
  return Math.imul(w3 ^ Math.imul(w2 ^ Math.imul(w1 ^ Math.imul(w0, HASH_MUL), HASH_MUL), HASH_MUL), HASH_MUL);
}

/**
 * Bounded cache of address strings. Direct-mapped: a colliding address replaces the previous
 * one in its slot, so memory stays constant however many addresses a capture holds.
 */
export class AddressTextCache {
  private readonly shift: number;
  private readonly v4Keys: Int32Array;
  private readonly v4Text: (string | undefined)[];
  private readonly v6Keys: Int32Array;
  private readonly v6Text: (string | undefined)[];

  /** `slots`: table size for each family, rounded up to a power of two (default 4096). */
  constructor(slots = 4096) {
    let bits = 1;
    while (1 << bits < slots && bits < 20) bits++;
    const size = 1 << bits;
    this.shift = 32 - bits;
    this.v4Keys = new Int32Array(size);
    this.v4Text = new Array<string | undefined>(size).fill(undefined);
    this.v6Keys = new Int32Array(size * 4);
    this.v6Text = new Array<string | undefined>(size).fill(undefined);
  }

  /** Dotted quad of an unsigned 32-bit address. */
  v4(addr: number): string {
    const i = Math.imul(addr, HASH_MUL) >>> this.shift;
    const cached = this.v4Text[i];
    if (cached !== undefined && this.v4Keys[i] === (addr | 0)) return cached;
    const text = ipv4Text(addr >>> 0);
    this.v4Keys[i] = addr | 0;
    this.v4Text[i] = text;
    return text;
  }

  /** RFC 5952 text of the 16 address bytes at `buf[off..off+16)`. */
  v6(buf: Uint8Array, off: number): string {
    const w0 = u32(buf, off) | 0;
    const w1 = u32(buf, off + 4) | 0;
    const w2 = u32(buf, off + 8) | 0;
    const w3 = u32(buf, off + 12) | 0;
    const i = ipv6Key(buf, off) >>> this.shift;
    const k = i * 4;
    const keys = this.v6Keys;
    const cached = this.v6Text[i];
    if (cached !== undefined && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) return cached;
    const text = ipv6Text(buf, off);
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
    this.v6Text[i] = text;
    return text;
  }
}
