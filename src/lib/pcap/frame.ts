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
  /**
   * Captured bytes: `buf[off, off + capLen)`. Readers point `buf` at their read chunk and move
   * `off` (no view allocated per frame); valid only during the sink call.
   */
  buf: Uint8Array;
  off: number;
  capLen: number;
  /** The captured bytes as one view (a reader's reused frame builds it on each read). */
  readonly data: Uint8Array;
  /** Length of the packet on the wire, in bytes (≥ data.length when snapped). */
  origLen: number;
  /** 1-based frame number within its file, as tshark's frame.number. */
  index: number;
  /** 0-based index of the input file the frame came from. */
  fileIndex: number;
}

export type FrameSink = (frame: Frame) => void;

const EMPTY = new Uint8Array(0);

/**
 * The frame a reader reuses for every callback: fields are overwritten per frame and `data`
 * is made only when someone asks for it (the dissector reads `buf`/`off`/`capLen`).
 */
export class ReusedFrame implements Frame {
  tsSec = 0;
  tsNsec = 0;
  linkType = 0;
  buf: Uint8Array = EMPTY;
  off = 0;
  capLen = 0;
  origLen = 0;
  index = 0;
  fileIndex = 0;

  constructor(fileIndex = 0, linkType = 0) {
    this.fileIndex = fileIndex;
    this.linkType = linkType;
  }

  get data(): Uint8Array {
    return this.buf.subarray(this.off, this.off + this.capLen);
  }
}

/** A standalone frame over `data` (copies, tests, generated captures). */
export function makeFrame(fields: Omit<Frame, 'buf' | 'off' | 'capLen' | 'data'>, data: Uint8Array): Frame {
  return { ...fields, buf: data, off: 0, capLen: data.length, data };
}

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
