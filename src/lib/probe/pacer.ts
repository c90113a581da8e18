/**
 * Drift-free pacing for RTP: tick k is due at `startNs + k × periodNs`, an absolute deadline,
 * so a late wake-up delays one packet but never the ones after it (setInterval would
 * accumulate every delay). Time is injected: the real clock uses hrtime and setTimeout; tests
 * drive a fake one.
 */
export interface PacerClock {
  nowNs(): bigint;
  /** Resolves at (or just after) `deadlineNs`, or early when `signal` aborts. */
  sleepUntil(deadlineNs: bigint, signal?: AbortSignal): Promise<void>;
}

export const realClock: PacerClock = {
  nowNs: () => process.hrtime.bigint(),
  sleepUntil(deadlineNs, signal) {
    return new Promise((resolve) => {
      const waitMs = Number(deadlineNs - process.hrtime.bigint()) / 1e6;
      if (waitMs <= 0 || signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // setTimeout fires ~1 ms late on average: aim a little early, then yield until due
      const timer = setTimeout(function again() {
        const left = Number(deadlineNs - process.hrtime.bigint()) / 1e6;
        if (left > 0.3) {
          setTimeout(again, 0);
          return;
        }
        done();
      }, Math.max(0, waitMs - 1));
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

export interface PaceOptions {
  startNs: bigint;
  periodNs: bigint;
  /** Number of ticks (bounded: pacing always ends). */
  count: number;
  clock: PacerClock;
  signal?: AbortSignal;
  /** Called once per tick with the tick index and how late it runs, ns. */
  onTick(k: number, lateNs: bigint): void;
}

export interface PaceSummary {
  ticks: number;
  /** Largest lateness of a tick, ns. */
  maxLateNs: bigint;
  /** Sum of lateness, ns (mean = total / ticks). */
  totalLateNs: bigint;
}

export async function pace(opts: PaceOptions): Promise<PaceSummary> {
  let maxLateNs = 0n;
  let totalLateNs = 0n;
  let ticks = 0;
  for (let k = 0; k < opts.count; k++) {
    if (opts.signal?.aborted) break;
    const due = opts.startNs + BigInt(k) * opts.periodNs;
    if (opts.clock.nowNs() < due) await opts.clock.sleepUntil(due, opts.signal);
    if (opts.signal?.aborted) break;
    const late = opts.clock.nowNs() - due;
    const lateNs = late > 0n ? late : 0n;
    if (lateNs > maxLateNs) maxLateNs = lateNs;
    totalLateNs += lateNs;
    opts.onTick(k, lateNs);
    ticks++;
  }
  return { ticks, maxLateNs, totalLateNs };
}
