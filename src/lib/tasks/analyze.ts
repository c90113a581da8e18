/**
 * `voipdiag analyze`: capture files → frames → the analysis engine → one result.
 * Composes I/O (the capture reader) with the engine; never prints.
 */
import { usageError, type Warning } from '../errors.js';
import { readCaptures } from '../io/capture-files.js';
import { AnalysisEngine, type TimeBound } from '../engine/analysis-engine.js';
import type { AnalyzeResult } from '../engine/analysis-result.js';

export interface AnalyzeOptions {
  files: string[];
  ladderCallId?: string;
  callId?: string;
  since?: string;
  until?: string;
  rtpHeuristic: boolean;
  onProgress?: (p: { frames: number; bytesRead: number }) => void;
  signal?: AbortSignal;
}

export async function runAnalyze(opts: AnalyzeOptions): Promise<{ result: AnalyzeResult; warnings: Warning[] }> {
  if (opts.files.length === 0) throw usageError('NO_INPUT', 'no capture file given');
  const engine = new AnalysisEngine({
    rtpHeuristic: opts.rtpHeuristic,
    ladderCallId: opts.ladderCallId,
    callId: opts.callId,
    since: opts.since === undefined ? undefined : parseTimeBound(opts.since, '--since'),
    until: opts.until === undefined ? undefined : parseTimeBound(opts.until, '--until'),
  });
  const summary = await readCaptures(opts.files, (f) => engine.push(f), {
    signal: opts.signal,
    onProgress: opts.onProgress,
  });
  const result = engine.finish({ files: summary.files, drops: captureDrops(summary.files) });
  const warnings: Warning[] = [...summary.warnings, ...engine.warnings()];
  const dropped = result.capture.drops?.dropped ?? 0;
  if (dropped > 0) {
    warnings.push({
      code: 'CAPTURE_DROPS',
      message: `the capturing host recorded ${dropped} dropped packets (pcapng interface statistics): RTP loss figures include capture loss`,
    });
  }
  return { result, warnings };
}

/**
 * Drops the capturer itself recorded (pcapng Interface Statistics Blocks: isb_ifrecv,
 * isb_ifdrop + isb_osdrop), summed over files and interfaces; undefined when none said.
 */
export function captureDrops(files: readonly { interfaceDrops?: readonly { received: number | null; dropped: number | null; osDropped: number | null }[] }[]):
  | { received: number | null; dropped: number; source: string }
  | undefined {
  let any = false;
  let received: number | null = 0;
  let dropped = 0;
  for (const f of files) {
    for (const d of f.interfaceDrops ?? []) {
      if (d.dropped === null && d.osDropped === null && d.received === null) continue;
      any = true;
      dropped += (d.dropped ?? 0) + (d.osDropped ?? 0);
      received = d.received === null || received === null ? null : received + d.received;
    }
  }
  return any ? { received, dropped, source: 'pcapng interface statistics' } : undefined;
}

/** ISO 8601, epoch seconds, or +SECONDS relative to the first frame. */
export function parseTimeBound(s: string, flag: string): TimeBound {
  const t = s.trim();
  if (/^\+\d+(\.\d+)?s?$/.test(t)) return { relative: true, sec: Number.parseFloat(t.slice(1)) };
  if (/^\d+(\.\d+)?$/.test(t)) return { relative: false, sec: Number.parseFloat(t) };
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) {
    throw usageError('BAD_TIME', `${flag} ${s}: not a time (use ISO 8601 like 2024-05-01T10:00:00Z, epoch seconds, or +SECONDS)`);
  }
  return { relative: false, sec: ms / 1000 };
}
