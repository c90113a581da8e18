/**
 * The generator's unit of output: a time-ordered stream of frames (one SIP exchange, one RTP
 * direction). Sources are merged in time order by `SourceHeap`; each produces its frames lazily
 * so only the frames "in flight" at the current simulated time exist in memory.
 */

/** Receives one frame; `tUs` is microseconds since the capture start. */
export type FrameSink = (tUs: number, frame: Uint8Array) => void;

export interface FrameSource {
  /** Time of the current frame, microseconds since the capture start. */
  tUs: number;
  /** Creation order; breaks ties between frames with the same time (deterministic output). */
  uid: number;
  /** Hand the current frame to `sink` (the frame may be a reused buffer: copy it there). */
  emit(sink: FrameSink): void;
  /** Move to the next frame; false when there is none. Times never decrease. */
  advance(): boolean;
}

/** Frames prepared in advance (the SIP messages of one call or exchange). */
export class FrameListSource implements FrameSource {
  tUs: number;
  uid = 0;
  private index = 0;

  constructor(private readonly frames: { tUs: number; frame: Uint8Array }[]) {
    const first = frames[0];
    if (first === undefined) throw new Error('FrameListSource: no frames');
    this.tUs = first.tUs;
  }

  emit(sink: FrameSink): void {
    const f = this.frames[this.index]!;
    sink(f.tUs, f.frame);
  }

  advance(): boolean {
    const next = this.frames[++this.index];
    if (next === undefined) return false;
    if (next.tUs < this.tUs) throw new Error('FrameListSource: frames out of time order');
    this.tUs = next.tUs;
    return true;
  }
}

/** Binary min-heap of sources ordered by (tUs, uid). */
export class SourceHeap {
  private readonly items: FrameSource[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The source with the earliest current frame. */
  peek(): FrameSource | undefined {
    return this.items[0];
  }

  push(s: FrameSource): void {
    const items = this.items;
    let i = items.length;
    items.push(s);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!before(s, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = s;
  }

  /** Remove the top. */
  pop(): void {
    const items = this.items;
    const last = items.pop();
    if (last === undefined || items.length === 0) return;
    items[0] = last;
    this.siftDownTop();
  }

  /** Restore order after the top source advanced (its tUs grew). */
  siftDownTop(): void {
    const items = this.items;
    const n = items.length;
    const s = items[0];
    if (s === undefined) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      const r = l + 1;
      if (r < n && before(items[r]!, items[l]!)) c = r;
      const child = items[c]!;
      if (!before(child, s)) break;
      items[i] = child;
      i = c;
    }
    items[i] = s;
  }
}

function before(a: FrameSource, b: FrameSource): boolean {
  return a.tUs < b.tUs || (a.tUs === b.tUs && a.uid < b.uid);
}
