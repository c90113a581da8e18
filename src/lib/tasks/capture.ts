/**
 * `voipdiag capture`: a live interface → the same analysis engine as `analyze` (live mode:
 * finished calls summarised and dropped, idle streams expired), with progress, an NDJSON event
 * stream, optional pcap output and an optional Prometheus exporter. Never prints: progress and
 * events go to the callbacks the command passes in.
 */
import { AnalysisEngine, type EngineEvents } from '../engine/analysis-engine.js';
import type { AnalyzeResult, CallRow, Finding } from '../engine/analysis-result.js';
import { LiveCapture, DEFAULT_CAPTURE_FILTER, type CaptureCounters } from '../io/live-capture.js';
import { LibpcapCapture } from '../io/libpcap-capture.js';
import { usageError, type Warning } from '../errors.js';

export interface CaptureOptions {
  iface: string;
  filter?: string;
  durationMs?: number;
  count?: number;
  writePath?: string;
  snaplen: number;
  backend: 'tcpdump' | 'dumpcap' | 'libpcap';
  rtpHeuristic: boolean;
  /** Finished-call rows kept for the final report (default DEFAULT_LIVE_CALL_ROWS; an exporter needs few). */
  maxCallRows?: number;
  /** Ends the capture (Ctrl-C): the report covers what was captured so far. */
  signal?: AbortSignal;
  /** How long to keep reading after the deadline before stopping the capturer (ms). */
  drainMs?: number;
  events?: EngineEvents;
  /** Called about once a second with live counters. */
  onStatus?: (s: CaptureStatus) => void;
  /** The engine, once created (an exporter reads its gauges). */
  onEngine?: (engine: AnalysisEngine) => void;
}

export interface CaptureStatus {
  elapsedSec: number;
  frames: number;
  sipMessages: number;
  activeCalls: number;
  finishedCalls: number;
  streams: number;
  worstMos: number | null;
  dropped: number | null;
}

export interface CaptureRun {
  result: AnalyzeResult;
  warnings: Warning[];
  counters: CaptureCounters;
}

/** The NDJSON line for a finished call: a live CDR. */
export function cdrEvent(row: CallRow): Record<string, unknown> {
  return { type: 'call', ...row };
}

export function findingEvent(f: Finding): Record<string, unknown> {
  return { type: 'finding', ...f };
}

export async function runCapture(opts: CaptureOptions): Promise<CaptureRun> {
  if (opts.durationMs !== undefined && opts.durationMs <= 0) throw usageError('BAD_DURATION', '--duration must be positive');
  if (opts.count !== undefined && opts.count <= 0) throw usageError('BAD_COUNT', '--count must be positive');
  const engine = new AnalysisEngine({ rtpHeuristic: opts.rtpHeuristic, live: { maxCallRows: opts.maxCallRows }, events: opts.events });
  opts.onEngine?.(engine);
  const sourceOpts = { iface: opts.iface, filter: opts.filter ?? DEFAULT_CAPTURE_FILTER, snaplen: opts.snaplen, writePath: opts.writePath };
  const source = opts.backend === 'libpcap' ? new LibpcapCapture(sourceOpts) : new LiveCapture({ ...sourceOpts, backend: opts.backend });

  let seen = 0;
  let countReached: () => void = () => undefined;
  const countDone = new Promise<void>((r) => (countReached = r));
  const limit = opts.count ?? Infinity;
  await source.start((frame) => {
    if (seen >= limit) return;
    engine.push(frame);
    if (++seen >= limit) countReached();
  });

  const t0 = Date.now();
  let dropped: number | null = null;
  const status = setInterval(() => {
    void source.counters().then((c) => {
      dropped = c.droppedByKernel;
    });
    const p = engine.progress();
    opts.onStatus?.({ elapsedSec: (Date.now() - t0) / 1000, ...p, dropped });
  }, 1000);

  const waits: Promise<unknown>[] = [countDone];
  let deadline: NodeJS.Timeout | undefined;
  if (opts.durationMs !== undefined) waits.push(new Promise((r) => (deadline = setTimeout(r, opts.durationMs))));
  if (opts.signal) {
    const sig = opts.signal;
    waits.push(new Promise<void>((r) => (sig.aborted ? r() : sig.addEventListener('abort', () => r(), { once: true }))));
  }
  await Promise.race(waits);
  // a pending --duration timer would keep the process alive after Ctrl-C or --count until it fired
  clearTimeout(deadline);
  clearInterval(status);
  const stopped = await source.stop(seen >= limit ? 0 : (opts.drainMs ?? 1200));

  const counters = stopped.counters;
  const loopback = opts.iface === 'lo';
  // On loopback the kernel's counters see every packet twice (once out, once in).
  const received = counters.received === null ? null : loopback ? Math.round(counters.received / 2) : counters.received;
  const droppedByKernel = counters.droppedByKernel ?? 0;
  const warnings: Warning[] = [];
  if (stopped.parse.truncated !== null && stopped.parse.truncated !== undefined) {
    warnings.push({ code: 'TRUNCATED', message: 'the capture stream ended inside a frame; the partial frame was ignored' });
  }
  if (droppedByKernel > 0) {
    warnings.push({
      code: 'CAPTURE_DROPS',
      message: `the kernel dropped ${droppedByKernel} packets during the capture: RTP loss figures include capture loss`,
    });
  }
  const result = engine.finish({
    files: [{ path: `${opts.iface} (live, ${opts.backend})`, format: 'pcap', packets: stopped.parse.frames, bytes: source.bytes, truncated: stopped.parse.truncated !== null }],
    drops: { received, dropped: droppedByKernel, source: `${opts.backend} kernel counters${loopback ? ' (loopback: halved, each packet is counted twice)' : ''}` },
  });
  warnings.push(...engine.warnings());
  return { result, warnings, counters: { ...counters, received } };
}
