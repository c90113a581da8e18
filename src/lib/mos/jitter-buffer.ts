/**
 * Jitter → effective loss and added delay: the receive jitter buffer model used to turn measured
 * interarrival jitter into the two things the E-model understands (packet loss and delay).
 *
 * Delay-variation model. A packet's transit time minus the stream's mean transit, X, is taken as
 * Laplacian (double exponential) with scale b: P(X > x) = ½·e^(−x/b) for x ≥ 0. The RFC 3550
 * interarrival jitter J estimates E|Xᵢ − Xᵢ₋₁|, the mean absolute difference of consecutive
 * transit times; for independent Laplacian Xᵢ that is 3b/2, hence
 *
 *   b = 2J / 3.
 *
 * Fixed buffer of B ms. Playout runs B/2 after the mean arrival, so the buffer absorbs B/2 of
 * lateness and B/2 of earliness; a packet whose delay variation exceeds B/2 either way misses its
 * playout slot (late) or overflows the buffer (early) and is discarded:
 *
 *   discard = P(|X| > B/2) = e^(−B / 2b) = e^(−3B / 4J),    added delay = B/2.
 *
 * Adaptive buffer. The playout delay tracks the jitter, d = clamp(3·J, 20 ms, 200 ms) (3× jitter,
 * at least one 20 ms packet, capped like common softphone and gateway buffers); it grows instead
 * of overflowing, so only late packets are lost:
 *
 *   discard = P(X > d) = ½·e^(−d / b) = ½·e^(−3d / 2J),    added delay = d.
 *
 * Uncapped that is ½·e^(−4.5) ≈ 0.56 % of packets whatever the jitter; the discard rate rises
 * only when the 200 ms cap bites. J = 0 means no discards for both kinds.
 *
 * Both discard rate and added delay are non-decreasing in J, and the fixed buffer's discard rate
 * falls as B grows.
 */

/** A jitter buffer: a preset name or a fixed buffer of `fixedMs` milliseconds. */
export type JitterBufferSpec = 'fixed50' | 'fixed200' | 'adaptive' | { fixedMs: number };

export interface JitterBufferOutcome {
  kind: 'fixed' | 'adaptive';
  /** "fixed50", "fixed200", "adaptive" or "fixed60" for a custom fixed size. */
  name: string;
  /** Buffer size, ms (fixed buffers); null for the adaptive buffer. */
  sizeMs: number | null;
  /** Delay the buffer adds to mouth-to-ear delay, ms. */
  delayMs: number;
  /** Packets discarded by the buffer, percent of the packets that arrived (0–100). */
  discardPct: number;
}

/** Adaptive buffer tuning: playout delay = clamp(factor · jitter, minMs, maxMs). */
export const ADAPTIVE_JITTER_BUFFER = Object.freeze({ factor: 3, minMs: 20, maxMs: 200 });

/** The buffer a stream is assumed to have when nothing else is known. */
export const DEFAULT_JITTER_BUFFER: JitterBufferSpec = 'adaptive';

/** Laplacian scale b (ms) of the delay variation whose RFC 3550 jitter is `jitterMs`: b = 2J/3. */
export function laplaceScaleMs(jitterMs: number): number {
  return (2 * jitterMs) / 3;
}

function fixed(name: string, sizeMs: number, jitterMs: number): JitterBufferOutcome {
  const discardPct = jitterMs > 0 ? 100 * Math.exp(-sizeMs / (2 * laplaceScaleMs(jitterMs))) : 0;
  return { kind: 'fixed', name, sizeMs, delayMs: sizeMs / 2, discardPct };
}

function adaptive(jitterMs: number): JitterBufferOutcome {
  const { factor, minMs, maxMs } = ADAPTIVE_JITTER_BUFFER;
  const delayMs = Math.min(maxMs, Math.max(minMs, factor * jitterMs));
  const discardPct = jitterMs > 0 ? 50 * Math.exp(-delayMs / laplaceScaleMs(jitterMs)) : 0;
  return { kind: 'adaptive', name: 'adaptive', sizeMs: null, delayMs, discardPct };
}

/** Discards and added delay of `spec` for a stream with mean RFC 3550 jitter `jitterMs`. */
export function jitterBufferOutcome(spec: JitterBufferSpec, jitterMs: number): JitterBufferOutcome {
  if (spec === 'adaptive') return adaptive(jitterMs);
  if (spec === 'fixed50') return fixed('fixed50', 50, jitterMs);
  if (spec === 'fixed200') return fixed('fixed200', 200, jitterMs);
  return fixed(`fixed${spec.fixedMs}`, spec.fixedMs, jitterMs);
}

/**
 * Parse a command-line jitter buffer: "adaptive", "fixed50", "fixed200", a size in ms ("60"),
 * or "fixedN". Returns undefined when the text is none of these (sizes must be ≥ 0).
 */
export function parseJitterBufferSpec(text: string): JitterBufferSpec | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'adaptive' || t === 'fixed50' || t === 'fixed200') return t;
  const m = /^(?:fixed)?(\d+(?:\.\d+)?)(?:ms)?$/.exec(t);
  if (!m?.[1]) return undefined;
  return { fixedMs: Number(m[1]) };
}

/**
 * Network loss and jitter-buffer discards combined, percent: discards apply to the packets that
 * arrived, so effective = loss + (100 − loss) · discard / 100.
 */
export function effectiveLossPct(networkLossPct: number, discardPct: number): number {
  return networkLossPct + ((100 - networkLossPct) * discardPct) / 100;
}
