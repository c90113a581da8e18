/**
 * Not a test: measures RtpStreamStats.push throughput and whether it allocates.
 *
 *   npx tsc -p tsconfig.json --outDir /tmp/voipdiag-tp
 *   for c in 0 1 2; do node /tmp/voipdiag-tp/test/unit/metrics/rtp-stream-stats.throughput.js $c; done
 *
 * One mutable packet object is reused, so any garbage comes from push itself: the GC observer
 * counts collections during the timed loop (0 minor GCs = no allocation per push).
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { RtpStreamStats, type RtpPacketInfo } from '../../../src/lib/metrics/rtp-stream-stats.js';

// GC entries arrive asynchronously: keep their start times, count those inside the loop later.
const gcStarts: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcStarts.push(e.startTime);
}).observe({ entryTypes: ['gc'] });

function bench(label: string, streams: number, packets: number, lossEvery: number): void {
  const stats = Array.from({ length: streams }, () => new RtpStreamStats({ payloads: { 101: { name: 'telephone-event', clockRate: 8000 } } }));
  const p: RtpPacketInfo = { seq: 0, timestamp: 0, ssrc: 1, pt: 8, marker: false, payloadBytes: 160, arrivalSec: 1_700_000_000, arrivalNsec: 0 };
  // Packet fields precomputed so the loop measures push, not the generator.
  const N = 1 << 20;
  const seq = new Uint16Array(N);
  const ts = new Uint32Array(N);
  const sec = new Float64Array(N);
  const nsec = new Float64Array(N);
  const skip = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const k = Math.floor(i / streams);
    seq[i] = k & 0xffff;
    ts[i] = (k * 160) >>> 0;
    const ns = k * 20_000_000 + ((i * 7919) % 2_000_000);
    sec[i] = 1_700_000_000 + Math.floor(ns / 1e9);
    nsec[i] = ns % 1e9;
    skip[i] = lossEvery && k % lossEvery === 7 ? 1 : 0;
  }
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const j = i & (N - 1);
      if (skip[j] === 1) continue;
      p.seq = seq[j]!;
      p.timestamp = ts[j]!;
      p.arrivalSec = sec[j]! + 1000 * Math.floor(i / N); // keep time moving across laps
      p.arrivalNsec = nsec[j]!;
      stats[i % streams]!.push(p);
    }
  };
  run(200_000); // warm up
  const t0 = performance.now();
  run(packets);
  const t1 = performance.now();
  const ms = t1 - t0;
  setTimeout(() => {
    const gcs = gcStarts.filter((t) => t >= t0 && t <= t1).length;
    console.log(`${label}: ${(packets / (ms / 1000) / 1e6).toFixed(1)} M packets/s (${packets} pushes in ${ms.toFixed(0)} ms), GCs during the loop: ${gcs}`);
  }, 200);
}

// One case per process (argv[2]: 0, 1 or 2), so one case's type feedback does not slow another.
const cases: [string, number, number][] = [
  ['1 stream, no loss', 1, 0],
  ['1 stream, 1 % loss', 1, 100],
  ['1000 streams interleaved, 1 % loss', 1000, 100],
];
const [label, streams, lossEvery] = cases[Number(process.argv[2] ?? 0)]!;
bench(label, streams, 10_000_000, lossEvery);
