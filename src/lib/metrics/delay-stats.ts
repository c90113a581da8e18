/**
 * A distribution of delays (ms) summarised as {count, min, avg, p50, p95, max}, the shape every
 * delay in the result uses (DESIGN.md "The JSON contract"). Memory is bounded: the first
 * `capacity` samples are kept exactly; beyond that a deterministic reservoir (Algorithm R with
 * a fixed-seed LCG) keeps percentiles representative while count/min/avg/max stay exact.
 */
export interface DelaySummary {
  count: number;
  min: number | null;
  avg: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export class DelayStats {
  private samples: Float64Array;
  private kept = 0;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private seed = 0x2545f491;

  constructor(private readonly capacity = 100_000) {
    this.samples = new Float64Array(Math.min(capacity, 64));
  }

  push(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.n++;
    this.sum += ms;
    if (ms < this.lo) this.lo = ms;
    if (ms > this.hi) this.hi = ms;
    this.keep(ms, this.n);
  }

  /**
   * Add another distribution: count, min, avg and max stay exact; its kept samples enter this
   * reservoir (percentiles are exact while neither side has sampled).
   */
  merge(o: DelayStats): void {
    if (o.n === 0) return;
    const before = this.n;
    this.sum += o.sum;
    if (o.lo < this.lo) this.lo = o.lo;
    if (o.hi > this.hi) this.hi = o.hi;
    // Each kept sample of `o` stands for o.n / o.kept of its samples.
    for (let i = 0; i < o.kept; i++) this.keep(o.samples[i]!, before + Math.round(((i + 1) * o.n) / o.kept));
    this.n = before + o.n;
  }

  /** Reservoir step (Algorithm R) for the `seen`-th sample of the distribution. */
  private keep(ms: number, seen: number): void {
    if (this.kept < this.capacity) {
      if (this.kept === this.samples.length) {
        const grown = new Float64Array(Math.min(this.capacity, this.samples.length * 2));
        grown.set(this.samples);
        this.samples = grown;
      }
      this.samples[this.kept++] = ms;
      return;
    }
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    const j = this.seed % seen;
    if (j < this.capacity) this.samples[j] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): DelaySummary {
    if (this.n === 0) return { count: 0, min: null, avg: null, p50: null, p95: null, max: null };
    const sorted = this.samples.slice(0, this.kept).sort();
    return {
      count: this.n,
      min: round3(this.lo),
      avg: round3(this.sum / this.n),
      p50: round3(percentile(sorted, 50)),
      p95: round3(percentile(sorted, 95)),
      max: round3(this.hi),
    };
  }
}

/** Nearest-rank percentile over sorted samples (p in 0..100). */
export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  const idx = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[idx] as number;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
