/**
 * A hash table from four int32 keys to a value, for the per-packet stream lookup of the media
 * tracker: (source address key, destination address key, ports, SSRC) → stream.
 *
 * Nested Maps keyed by address strings cost four hash lookups and as many cache misses per
 * RTP packet (measured: ~120 ns of every packet on the large bench capture). Here the keys sit
 * side by side in one Int32Array: open addressing, linear probing, load factor ≤ 1/2,
 * backward-shift deletion (no tombstones, so a long live capture never degrades).
 */
const KEY_INTS = 4;
const MIN_CAPACITY = 64;
const M1 = 0x9e3779b1;
const M2 = 0x85ebca6b;

export class StreamTable<T> {
  private keys: Int32Array;
  private vals: (T | undefined)[];
  private mask: number;
  private count = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.keys = new Int32Array(cap * KEY_INTS);
    this.vals = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  get(a: number, b: number, c: number, d: number): T | undefined {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = slotOf(a, b, c, d, mask); ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined) return undefined;
      const k = i * KEY_INTS;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) return v;
    }
  }

  /** Insert or replace. Keys are int32: pass `x | 0` for values that may exceed 2^31. */
  set(a: number, b: number, c: number, d: number, value: T): void {
    if (2 * (this.count + 1) > this.vals.length) this.grow();
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = slotOf(a, b, c, d, mask); ; i = (i + 1) & mask) {
      const k = i * KEY_INTS;
      if (vals[i] === undefined) {
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        keys[k + 3] = d;
        vals[i] = value;
        this.count++;
        return;
      }
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) {
        vals[i] = value;
        return;
      }
    }
  }

  delete(a: number, b: number, c: number, d: number): boolean {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = slotOf(a, b, c, d, mask);
    for (; ; i = (i + 1) & mask) {
      if (vals[i] === undefined) return false;
      const k = i * KEY_INTS;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) break;
    }
    // Backward shift: pull later entries of the probe run into the hole when their home slot
    // does not lie (cyclically) after the hole.
    let hole = i;
    for (let j = (hole + 1) & mask; vals[j] !== undefined; j = (j + 1) & mask) {
      const k = j * KEY_INTS;
      const home = slotOf(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, mask);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys.copyWithin(hole * KEY_INTS, k, k + KEY_INTS);
        vals[hole] = vals[j];
        hole = j;
      }
    }
    vals[hole] = undefined;
    this.count--;
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldVals.length * 2;
    this.keys = new Int32Array(cap * KEY_INTS);
    this.vals = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i];
      if (v === undefined) continue;
      const k = i * KEY_INTS;
      this.set(oldKeys[k]!, oldKeys[k + 1]!, oldKeys[k + 2]!, oldKeys[k + 3]!, v);
    }
  }
}

function slotOf(a: number, b: number, c: number, d: number, mask: number): number {
  let h = Math.imul(a, M1);
  h = Math.imul(h ^ (h >>> 15) ^ b, M2);
  h = Math.imul(h ^ (h >>> 13) ^ c, M1);
  h = Math.imul(h ^ (h >>> 16) ^ d, M2);
  h ^= h >>> 15;
  return h & mask;
}
