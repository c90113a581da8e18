/**
 * "Seen in the last 32–64 s?" for SIP retransmission detection and for calls that just ended,
 * at a few bytes per entry: keys are 53-bit hashes (Hash53) kept in two generations of an
 * open-addressing set over a Float64Array. A Set<number> of the same hashes costs ~26 B per
 * entry (a heap number each plus the table); here it is 8 B per slot at load ≤ 1/2, no
 * allocation per entry, and nothing for the garbage collector to trace.
 *
 * RFC 3261 §17: retransmissions of a request or response stop within 64·T1 = 32 s (timers B,
 * F, H, J with T1 = 500 ms). Generations rotate every `windowSec` of capture time and two are
 * kept, so anything within the window is always found.
 */

/**
 * FNV-1a in two 32-bit lanes with different offset bases, 21 bits of the second above the 32 of
 * the first: 53 bits, exact as a double. Fed part by part, so no key string is ever built.
 * A false match needs two distinct keys to agree on 53 bits (≈ 10⁻¹⁰ per lookup with a
 * million keys in the window).
 */
export class Hash53 {
  private a = 0;
  private b = 0;

  start(): this {
    this.a = 0x811c9dc5;
    this.b = 0x050c5d1f;
    return this;
  }

  /** The string's UTF-16 code units, then a separator. */
  str(s: string): this {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193);
    }
    this.a = Math.imul(a ^ 0x1f, 0x01000193);
    this.b = Math.imul(b ^ 0x1f, 0x01000193);
    return this;
  }

  /** A non-negative integer below 2^53 (its low and high 32 bits), then a separator. */
  num(n: number): this {
    this.byte4(n >>> 0);
    this.byte4(Math.floor(n / 4294967296) >>> 0);
    this.a = Math.imul(this.a ^ 0x1e, 0x01000193);
    this.b = Math.imul(this.b ^ 0x1e, 0x01000193);
    return this;
  }

  value(): number {
    return (this.b & 0x1fffff) * 4294967296 + (this.a >>> 0);
  }

  private byte4(w: number): void {
    let a = this.a;
    let b = this.b;
    for (let k = 0; k < 32; k += 8) {
      const c = (w >>> k) & 0xff;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193);
    }
    this.a = a;
    this.b = b;
  }
}

/** Open-addressing set of 53-bit hashes: 0 marks an empty slot, so a hash of 0 is stored as 2^53. */
class HashSet53 {
  private slots: Float64Array;
  private mask: number;
  count = 0;

  constructor(capacity = 1024) {
    let cap = 1024;
    while (cap < capacity) cap *= 2;
    this.slots = new Float64Array(cap);
    this.mask = cap - 1;
  }

  has(h: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const v = slots[i]!;
      if (v === 0) return false;
      if (v === h) return true;
    }
  }

  /** Adds `h` (non-zero); false when it was there already. */
  add(h: number): boolean {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const v = slots[i]!;
      if (v === h) return false;
      if (v === 0) {
        slots[i] = h;
        this.count++;
        return true;
      }
    }
  }

  clear(): void {
    // Keep the table when it is a reasonable size for the next generation; shrink a huge one.
    if (this.slots.length > 4 * Math.max(1024, 2 * this.count)) {
      this.slots = new Float64Array(Math.max(1024, this.slots.length / 4));
      this.mask = this.slots.length - 1;
    } else {
      this.slots.fill(0);
    }
    this.count = 0;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.mask = this.slots.length - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.add(old[i]!);
  }
}

function slotOf(h: number, mask: number): number {
  // The low 32 bits (FNV lane a), mixed once more so that the low bits index well.
  let x = h | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x ^= x >>> 16;
  return x & mask;
}

/** A hash as stored: 0 marks an empty slot, so 0 goes to 2^53 (Hash53 values are below it). */
function stored(h: number): number {
  return h === 0 ? 2 ** 53 : h;
}

export class HashWindow {
  private now = new HashSet53();
  private prev = new HashSet53();
  private rotateAt = -1;

  constructor(private readonly windowSec = 32) {}

  /** Entries held (both generations). */
  get size(): number {
    return this.now.count + this.prev.count;
  }

  /** True if `h` was added within the window before; records it either way. */
  seenOrAdd(h: number, nowSec: number): boolean {
    this.tick(nowSec);
    const k = stored(h);
    if (this.prev.has(k)) return true;
    return !this.now.add(k);
  }

  has(h: number, nowSec: number): boolean {
    this.tick(nowSec);
    const k = stored(h);
    return this.now.has(k) || this.prev.has(k);
  }

  add(h: number, nowSec: number): void {
    this.tick(nowSec);
    this.now.add(stored(h));
  }

  private tick(nowSec: number): void {
    if (this.rotateAt < 0) this.rotateAt = nowSec + this.windowSec;
    if (nowSec < this.rotateAt) return;
    const spent = this.prev;
    spent.clear();
    this.prev = this.now;
    this.now = spent;
    // A gap longer than the window leaves nothing worth keeping.
    if (nowSec >= this.rotateAt + this.windowSec) this.prev.clear();
    this.rotateAt = nowSec + this.windowSec;
  }
}
