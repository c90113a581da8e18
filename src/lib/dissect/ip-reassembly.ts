/**
 * IP fragment reassembly for IPv4 (RFC 791 §3.2, with RFC 815's hole-filling idea) and IPv6
 * (RFC 8200 §4.5), bounded for hostile or lossy captures.
 *
 * Datagrams are keyed by the caller (IPv4: source, destination, protocol, identification;
 * IPv6: source, destination, identification). Fragments may arrive in any order and may
 * overlap: a byte already received is kept (first copy wins), so a retransmitted or overlapping
 * fragment never rewrites data. Bounds: at most `maxDatagrams` pending (the oldest is evicted),
 * `maxDatagramBytes` per datagram (FRAGMENT_TOO_LARGE), and `timeoutSec` of capture time from
 * the first fragment (then counted as expired).
 */
import type { LayerErrorCode } from '../layers/errors.js';

export interface FragmentReassemblyOptions {
  /** Pending datagrams kept at most; the oldest is evicted beyond this (default 1024). */
  maxDatagrams: number;
  /** Largest reassembled payload, in bytes (default 65,536). */
  maxDatagramBytes: number;
  /** Capture time from the first fragment after which a datagram is dropped (default 30 s). */
  timeoutSec: number;
}

export const DEFAULT_FRAGMENT_OPTIONS: FragmentReassemblyOptions = {
  maxDatagrams: 1024,
  maxDatagramBytes: 65_536,
  timeoutSec: 30,
};

export interface FragmentStats {
  /** Fragments received (IPv4 and IPv6). */
  received: number;
  /** Datagrams completed from fragments. */
  reassembled: number;
  /** Datagrams dropped incomplete after the timeout. */
  expired: number;
  /** Datagrams dropped incomplete to stay within maxDatagrams. */
  evicted: number;
  /** Datagrams dropped for inconsistent or oversized fragments. */
  dropped: number;
  /** Datagrams still incomplete at flush(). */
  incomplete: number;
  /** Datagrams pending now. */
  pending: number;
}

export function newFragmentStats(): FragmentStats {
  return { received: 0, reassembled: 0, expired: 0, evicted: 0, dropped: 0, incomplete: 0, pending: 0 };
}

interface PendingDatagram {
  /** Capture time of the first fragment, in seconds. */
  firstSec: number;
  data: Uint8Array;
  /** Received byte ranges, sorted and merged: [start0, end0, start1, end1, ...]. */
  ranges: number[];
  /** Payload length, known once the last fragment (MF = 0) arrived; else -1. */
  totalLength: number;
  /** IPv6: Next Header of the fragmentable part, from the offset-0 fragment; else -1. */
  nextHeader: number;
}

/** Result of FragmentReassembler.add. */
export const FRAGMENT_PENDING = 0;
export const FRAGMENT_COMPLETE = 1;
export const FRAGMENT_ERROR = -1;

export class FragmentReassembler {
  private readonly pending = new Map<string, PendingDatagram>();
  readonly options: FragmentReassemblyOptions;
  /** After FRAGMENT_COMPLETE: the reassembled payload (a view, valid until the next add). */
  payload: Uint8Array = new Uint8Array(0);
  /** After FRAGMENT_COMPLETE: the Next Header given with the offset-0 fragment. */
  nextHeader = -1;
  /** After FRAGMENT_ERROR: why the datagram was dropped. */
  errorCode: LayerErrorCode = 'BAD_FRAGMENT';

  constructor(
    readonly stats: FragmentStats,
    options: Partial<FragmentReassemblyOptions> = {},
  ) {
    this.options = { ...DEFAULT_FRAGMENT_OPTIONS, ...options };
  }

  /**
   * Add the fragment whose data is `buf[off..end)` at byte `offset` of the datagram's payload.
   * `nextHeader` is what the offset-0 fragment says comes first (IPv4: the protocol).
   */
  add(key: string, offset: number, more: boolean, buf: Uint8Array, off: number, end: number, nowSec: number, nextHeader: number): number {
    const stats = this.stats;
    stats.received++;
    const len = end - off;
    if (len <= 0 && more) return FRAGMENT_PENDING;
    const fragEnd = offset + len;
    let d = this.pending.get(key);
    if (fragEnd > this.options.maxDatagramBytes) {
      if (d) this.drop(key);
      stats.dropped++;
      this.errorCode = 'FRAGMENT_TOO_LARGE';
      return FRAGMENT_ERROR;
    }
    if (!d) {
      if (this.pending.size >= this.options.maxDatagrams) {
        const oldest = this.pending.keys().next();
        if (!oldest.done) {
          this.drop(oldest.value);
          stats.evicted++;
        }
      }
      d = { firstSec: nowSec, data: new Uint8Array(Math.max(fragEnd, more ? 2048 : 0)), ranges: [], totalLength: -1, nextHeader: -1 };
      this.pending.set(key, d);
      stats.pending = this.pending.size;
    }
    const covered = d.ranges.length > 0 ? d.ranges[d.ranges.length - 1]! : 0;
    if ((d.totalLength >= 0 && fragEnd > d.totalLength) || (!more && ((d.totalLength >= 0 && d.totalLength !== fragEnd) || covered > fragEnd))) {
      this.drop(key);
      stats.dropped++;
      this.errorCode = 'BAD_FRAGMENT';
      return FRAGMENT_ERROR;
    }
    if (!more) d.totalLength = fragEnd;
    if (offset === 0) d.nextHeader = nextHeader;
    if (d.data.length < fragEnd) {
      const grown = new Uint8Array(Math.min(this.options.maxDatagramBytes, Math.max(fragEnd, d.data.length * 2)));
      grown.set(d.data);
      d.data = grown;
    }
    // Copy only the bytes not yet received, then merge [offset, fragEnd) into the ranges.
    const r = d.ranges;
    let cur = offset;
    for (let i = 0; i < r.length && cur < fragEnd; i += 2) {
      const rs = r[i]!;
      const re = r[i + 1]!;
      if (re <= cur) continue;
      if (rs >= fragEnd) break;
      if (rs > cur) d.data.set(buf.subarray(off + (cur - offset), off + (rs - offset)), cur);
      cur = re;
    }
    if (cur < fragEnd) d.data.set(buf.subarray(off + (cur - offset), end), cur);
    mergeRange(r, offset, fragEnd);
    if (d.totalLength >= 0 && r.length === 2 && r[0] === 0 && r[1] === d.totalLength) {
      this.pending.delete(key);
      stats.pending = this.pending.size;
      stats.reassembled++;
      this.payload = d.data.subarray(0, d.totalLength);
      this.nextHeader = d.nextHeader;
      return FRAGMENT_COMPLETE;
    }
    return FRAGMENT_PENDING;
  }

  /** Drop datagrams whose first fragment is `timeoutSec` or more older than `nowSec`. */
  expire(nowSec: number): void {
    if (this.pending.size === 0) return;
    const limit = nowSec - this.options.timeoutSec;
    for (const [key, d] of this.pending) {
      if (d.firstSec > limit) break; // insertion order is arrival order
      this.pending.delete(key);
      this.stats.expired++;
    }
    this.stats.pending = this.pending.size;
  }

  /** End of capture: count what is still incomplete and forget it. */
  flush(): void {
    this.stats.incomplete += this.pending.size;
    this.pending.clear();
    this.stats.pending = 0;
  }

  private drop(key: string): void {
    this.pending.delete(key);
    this.stats.pending = this.pending.size;
  }
}

/** Insert [s, e) into sorted, merged ranges (adjacent ranges merge). */
function mergeRange(r: number[], s: number, e: number): void {
  if (s >= e) return;
  let i = 0;
  while (i < r.length && r[i + 1]! < s) i += 2;
  let ns = s;
  let ne = e;
  let j = i;
  while (j < r.length && r[j]! <= ne) {
    ns = Math.min(ns, r[j]!);
    ne = Math.max(ne, r[j + 1]!);
    j += 2;
  }
  r.splice(i, j - i, ns, ne);
}
