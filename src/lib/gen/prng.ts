/**
 * Seeded pseudo-random numbers for the capture generator: xoshiro128** (Blackman & Vigna,
 * 2018; 128-bit state, period 2^128 − 1), seeded through SplitMix32 from a 64-bit hash of a
 * string key. Every call, stream and exchange gets its own generator keyed by
 * `"<seed>/<kind>/<index>…"`, so changing one part of a scenario (another loss ratio, more
 * calls) leaves the draws of every other part unchanged, and the same key gives the same
 * numbers on every machine. No Math.random anywhere.
 */

/** 2^-32: turns a uint32 into [0, 1). */
const U32_TO_UNIT = 1 / 4294967296;

/** Two 32-bit FNV-1a lanes with different offset bases, each finished with a murmur3 fmix32. */
export function hashKey(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [fmix32(a ^ Math.imul(b, 0x9e3779b1)), fmix32(b)];
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A generator for `key` (any string; by convention `"<seed>/<what>/<index>"`). */
  constructor(key: string) {
    const [h0, h1] = hashKey(key);
    // SplitMix32 expands the 64-bit hash into the 128-bit state (never all zero).
    let x = (h0 ^ Math.imul(h1, 0x2545f491)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.s0 = next() ^ h1;
    this.s1 = next();
    this.s2 = next() ^ h0;
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
  }

  /** Next uint32. */
  u32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 = s2 ^ s0;
    this.s3 = s3 ^ s1;
    this.s1 = s1 ^ this.s2;
    this.s0 = s0 ^ this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.u32() * U32_TO_UNIT;
  }

  /** Uniform in [0, 1), 53 bits of resolution (for ranges wider than 2^32). */
  next53(): number {
    const hi = this.u32() >>> 5; // 27 bits
    const lo = this.u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform real in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi) (hi − lo ≤ 2^53). */
  int(lo: number, hi: number): number {
    const span = hi - lo;
    return lo + Math.floor((span > 4294967296 ? this.next53() : this.next()) * span);
  }

  /** Exponentially distributed with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.next53()) / rate;
  }

  /** `digits` lowercase hex digits. */
  hex(digits: number): string {
    let s = '';
    while (s.length < digits) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, digits);
  }

  /** An RFC 4122 version-4 UUID string. */
  uuid4(): string {
    const h = this.hex(32);
    const variant = (8 + (this.u32() & 3)).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Prng.pick: empty array');
    return item;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
