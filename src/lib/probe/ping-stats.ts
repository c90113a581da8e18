/**
 * The ping-like summary of a series of probes: sent, answered, loss %, min/avg/max/mdev RTT
 * (mdev as ping computes it: √(mean(x²) − mean(x)²)) and jitter as the mean absolute difference
 * of consecutive RTTs (of the answered probes, in order).
 */
export interface RttSummary {
  min: number;
  avg: number;
  max: number;
  mdev: number;
}

export interface PingSummary {
  sent: number;
  answered: number;
  /** Percent 0–100. */
  lossPct: number;
  /** null when nothing answered. */
  rttMs: RttSummary | null;
  /** null with fewer than two answers. */
  jitterMs: number | null;
}

/** Rounded to the µs: the probes' resolution is far finer than 0.01 ms, the display's. */
export function roundMs(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function summarizeRtts(sent: number, rttsMs: readonly (number | null)[]): PingSummary {
  const answeredRtts = rttsMs.filter((r): r is number => r !== null);
  const answered = answeredRtts.length;
  const lossPct = sent === 0 ? 0 : roundMs(((sent - answered) / sent) * 100);
  if (answered === 0) return { sent, answered, lossPct, rttMs: null, jitterMs: null };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  for (const r of answeredRtts) {
    if (r < min) min = r;
    if (r > max) max = r;
    sum += r;
    sumSq += r * r;
  }
  const avg = sum / answered;
  const mdev = Math.sqrt(Math.max(0, sumSq / answered - avg * avg));
  let jitterMs: number | null = null;
  if (answered >= 2) {
    let d = 0;
    for (let i = 1; i < answered; i++) d += Math.abs((answeredRtts[i] as number) - (answeredRtts[i - 1] as number));
    jitterMs = roundMs(d / (answered - 1));
  }
  return { sent, answered, lossPct, rttMs: { min: roundMs(min), avg: roundMs(avg), max: roundMs(max), mdev: roundMs(mdev) }, jitterMs };
}
