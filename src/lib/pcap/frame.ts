/**
 * One captured frame as the readers hand it to the engine.
 *
 * The reader reuses one Frame object and its buffers between callbacks: `data` is valid only
 * during the sink call. Anything an engine keeps must be copied out as numbers or strings
 * (STYLE.md rule 9). Timestamps are split in whole seconds and nanoseconds so that both µs and
 * ns captures keep full precision in plain numbers (a bigint per packet costs too much on the
 * hot path; `frameTimeNs` gives the bigint when one is needed).
 */
export interface Frame {
  /** Capture time, whole seconds since the Unix epoch. */
  tsSec: number;
  /** Capture time, nanoseconds within the second (0..999,999,999). */
  tsNsec: number;
  /** LINKTYPE_* value (tcpdump.org link-layer header types registry). */
  linkType: number;
  /** Captured bytes (a view; valid only during the sink call). */
  data: Uint8Array;
  /** Length of the packet on the wire, in bytes (≥ data.length when snapped). */
  origLen: number;
  /** 1-based frame number within its file, as tshark's frame.number. */
  index: number;
  /** 0-based index of the input file the frame came from. */
  fileIndex: number;
}

export type FrameSink = (frame: Frame) => void;

export function frameTimeNs(f: Pick<Frame, 'tsSec' | 'tsNsec'>): bigint {
  return BigInt(f.tsSec) * 1_000_000_000n + BigInt(f.tsNsec);
}

/** Seconds since the epoch as a float (µs-exact for present-day dates). */
export function frameTimeSec(f: Pick<Frame, 'tsSec' | 'tsNsec'>): number {
  return f.tsSec + f.tsNsec / 1e9;
}

/** ISO 8601 with microseconds, UTC: "2011-07-28T12:54:46.556175Z". */
export function isoTime(tsSec: number, tsNsec: number): string {
  const base = new Date(tsSec * 1000).toISOString(); // ...:SS.000Z
  const us = Math.floor(tsNsec / 1000).toString().padStart(6, '0');
  return `${base.slice(0, 19)}.${us}Z`;
}
