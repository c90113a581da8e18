/**
 * Per-direction TCP stream reassembly for SIP framing (RFC 9293 sequence space, RFC 3261
 * §18.3 framing by Content-Length, RFC 5626 §3.5.1 CRLF keepalives).
 *
 * Each direction of a connection is a flow keyed by the caller (source address and port,
 * destination address and port). A flow tracks the next expected sequence number (32-bit,
 * compared modulo 2^32), appends in-order data, holds out-of-order segments (bounded), trims
 * retransmitted or overlapping bytes, and cuts complete SIP messages out of its buffer.
 *
 * Flow states:
 * - HUNTING: no sequence number yet (no SYN seen, or lost sync): a data segment that starts
 *   with a SIP start line (after any CRLF keepalive bytes) synchronises the flow; after
 *   `maxHuntSegments` segments that do not, the flow is IGNORED.
 * - STREAM: in sync. The first bytes decide: a SIP start line makes it SIP; anything else
 *   (TLS, HTTP, …) marks it IGNORED. Later garbage between messages is SIP_STREAM_DESYNC and
 *   the flow goes back to HUNTING.
 * - IGNORED: not SIP; segments cost one map lookup until a SYN restarts the flow.
 * - CLOSED: after FIN or RST; late retransmissions are dropped, a SYN restarts the flow.
 *
 * Gaps: a segment past a gap is held when it continues a message (reordering within a message
 * is repaired when the gap fills), but when it starts a new SIP message the stream jumps to it
 * at once, dropping the partial message before the gap (tshark 4 behaves the same: it shows
 * the message in its own frame and ignores the late retransmission). A gap behind held
 * segments that the capture never fills is given up after `maxHeldSegments` held segments or
 * `gapTimeoutSec` of capture time: the held segments are replayed as a mid-stream pickup.
 */
import { classifySipStart, sipMessageLength } from '../sip/framing.js';
import { TCP_FLAG } from '../layers/tcp.js';
import type { LayerErrorCode } from '../layers/errors.js';

export interface TcpReassemblyOptions {
  /** Flows tracked at most; the least recently used is evicted beyond this (default 10,000). */
  maxFlows: number;
  /** Bytes buffered per flow, in order and out of order (default 256 KiB). */
  maxFlowBytes: number;
  /** Out-of-order segments held per flow before the gap is given up (default 64). */
  maxHeldSegments: number;
  /**
   * Capture time a gap may stay open (segments held behind it) before it is given up as lost
   * in the capture, on the flow's next segment (default 10 s).
   */
  gapTimeoutSec: number;
  /** Data segments without a SIP start line before a flow picked up mid-stream is ignored (default 16). */
  maxHuntSegments: number;
  /** Capture time without a segment after which `expire` drops a flow (default 300 s). */
  idleSec: number;
}

export const DEFAULT_TCP_OPTIONS: TcpReassemblyOptions = {
  maxFlows: 10_000,
  maxFlowBytes: 256 * 1024,
  maxHeldSegments: 64,
  gapTimeoutSec: 10,
  maxHuntSegments: 16,
  idleSec: 300,
};

export interface TcpStreamStats {
  /** Flows created. */
  flows: number;
  /** Flows tracked now. */
  active: number;
  /** Flows evicted to stay within maxFlows. */
  evicted: number;
  /** Flows dropped by expire() after idleSec without a segment. */
  expired: number;
  /** FIN or RST seen. */
  closed: number;
  /** Flows found not to carry SIP (TLS, HTTP, …) and ignored. */
  ignored: number;
  /** SIP messages framed out of streams. */
  messages: number;
  /** Segments whose data was all seen before (retransmissions). */
  retransmissions: number;
  /** Segments that arrived ahead of a gap and were held. */
  outOfOrder: number;
  /** Runs of CR/LF between messages (RFC 5626 keepalives) skipped. */
  keepalives: number;
  /** Gaps given up on (held segments dropped, flow resynchronised). */
  gaps: number;
  /** Buffer overflows (TCP_BUFFER_OVERFLOW). */
  overflows: number;
  /** Buffered bytes discarded without forming a message (close, gap, eviction, expiry, flush). */
  incompleteBytes: number;
}

export function newTcpStreamStats(): TcpStreamStats {
  return {
    flows: 0,
    active: 0,
    evicted: 0,
    expired: 0,
    closed: 0,
    ignored: 0,
    messages: 0,
    retransmissions: 0,
    outOfOrder: 0,
    keepalives: 0,
    gaps: 0,
    overflows: 0,
    incompleteBytes: 0,
  };
}

export const FLOW_HUNTING = 0;
export const FLOW_STREAM = 1;
export const FLOW_IGNORED = 2;
export const FLOW_CLOSED = 3;

interface HeldSegment {
  seq: number;
  data: Uint8Array;
}

/** One direction of a TCP connection. Addresses are kept as strings, never views. */
export interface TcpFlow {
  readonly key: string;
  src: string;
  dst: string;
  /** TransportPacket.srcKey / dstKey of the flow's addresses. */
  srcKey: number;
  dstKey: number;
  srcPort: number;
  dstPort: number;
  ipVersion: 4 | 6;
  tunnelled: boolean;
  state: number;
  /** A SIP message start has been seen in sync on this flow. */
  sip: boolean;
  /** Next expected sequence number (unsigned 32-bit), meaningful in STREAM and CLOSED. */
  nextSeq: number;
  /** In-order bytes not yet framed: buf[start..end). */
  buf: Uint8Array;
  start: number;
  end: number;
  held: HeldSegment[];
  heldBytes: number;
  /** Capture time the oldest held segment arrived, in seconds. */
  heldSinceSec: number;
  huntMisses: number;
  /** Capture time of the last segment, in seconds. */
  lastSec: number;
}

/** Where complete messages and stream errors go. `buf[start..end)` is valid only during the call. */
export interface TcpMessageSink {
  message(flow: TcpFlow, buf: Uint8Array, start: number, end: number): void;
  malformed(layer: string, code: LayerErrorCode): void;
}

/** True when `buf[off..end)` starts, after any CR/LF keepalive bytes, with a SIP start line. */
function startsWithSipLine(buf: Uint8Array, off: number, end: number): boolean {
  let i = off;
  while (i < end && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i < end && classifySipStart(buf, i, end) === 1;
}

/** Signed distance a − b in 32-bit sequence space. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

const EMPTY = new Uint8Array(0);

export class TcpReassembler {
  private readonly flows = new Map<string, TcpFlow>();
  readonly options: TcpReassemblyOptions;

  constructor(
    private readonly sink: TcpMessageSink,
    readonly stats: TcpStreamStats,
    options: Partial<TcpReassemblyOptions> = {},
  ) {
    this.options = { ...DEFAULT_TCP_OPTIONS, ...options };
  }

  /**
   * One TCP segment: `seq` and `flags` from its header, its data in `buf[off..end)`. The
   * address fields are used when the flow is created.
   */
  segment(
    key: string,
    src: string,
    dst: string,
    srcKey: number,
    dstKey: number,
    srcPort: number,
    dstPort: number,
    ipVersion: 4 | 6,
    tunnelled: boolean,
    seq: number,
    flags: number,
    buf: Uint8Array,
    off: number,
    end: number,
    nowSec: number,
  ): void {
    const flows = this.flows;
    let flow = flows.get(key);
    if (flow === undefined) {
      // Pure ACKs and FIN/RST of flows never seen carry nothing to frame: no state for them.
      if (end <= off && (flags & TCP_FLAG.SYN) === 0) return;
      if (flows.size >= this.options.maxFlows) {
        const lru = flows.values().next();
        if (!lru.done) {
          this.discard(lru.value);
          flows.delete(lru.value.key);
          this.stats.evicted++;
        }
      }
      flow = {
        key,
        src,
        dst,
        srcKey,
        dstKey,
        srcPort,
        dstPort,
        ipVersion,
        tunnelled,
        state: FLOW_HUNTING,
        sip: false,
        nextSeq: 0,
        buf: EMPTY,
        start: 0,
        end: 0,
        held: [],
        heldBytes: 0,
        heldSinceSec: 0,
        huntMisses: 0,
        lastSec: nowSec,
      };
      flows.set(key, flow);
      this.stats.flows++;
      this.stats.active = flows.size;
    } else if (flows.size > 1) {
      // Keep the map in least-recently-used order.
      flows.delete(key);
      flows.set(key, flow);
    }
    flow.lastSec = nowSec;
    flow.tunnelled = tunnelled;

    if ((flags & TCP_FLAG.SYN) !== 0) {
      this.discard(flow);
      flow.state = FLOW_STREAM;
      flow.sip = false;
      flow.huntMisses = 0;
      seq = (seq + 1) >>> 0; // the SYN occupies one sequence number; data (TFO) follows it
      flow.nextSeq = seq;
    }

    const state = flow.state;
    if (state === FLOW_IGNORED) return;
    if (end > off) {
      if (state === FLOW_STREAM) {
        if (flow.held.length > 0 && nowSec - flow.heldSinceSec >= this.options.gapTimeoutSec) {
          this.giveUpGap(flow, seq, buf, off, end);
        } else {
          this.insert(flow, seq, buf, off, end);
          if (flow.state === FLOW_STREAM) this.frameMessages(flow);
        }
      } else if (state === FLOW_CLOSED && seqDiff(seq, flow.nextSeq) < 0) {
        this.stats.retransmissions++;
        return;
      } else this.hunt(flow, seq, buf, off, end);
    }
    if ((flags & (TCP_FLAG.FIN | TCP_FLAG.RST)) !== 0 && flow.state !== FLOW_IGNORED && flow.state !== FLOW_CLOSED) {
      this.discard(flow);
      flow.state = FLOW_CLOSED;
      flow.nextSeq = (seq + (end - off) + ((flags & TCP_FLAG.FIN) !== 0 ? 1 : 0)) >>> 0;
      this.stats.closed++;
    }
  }

  /** Drop flows idle for `idleSec` or more at capture time `nowSec`. */
  expire(nowSec: number): void {
    if (this.flows.size === 0) return;
    const limit = nowSec - this.options.idleSec;
    for (const flow of this.flows.values()) {
      if (flow.lastSec > limit) break; // LRU order
      this.discard(flow);
      this.flows.delete(flow.key);
      this.stats.expired++;
    }
    this.stats.active = this.flows.size;
  }

  /** End of capture: nothing partial is emitted; buffered bytes are counted as incomplete. */
  flush(): void {
    for (const flow of this.flows.values()) this.discard(flow);
    this.flows.clear();
    this.stats.active = 0;
  }

  // ---- internals -------------------------------------------------------------------------

  /** A flow without sync: take it up if this segment starts (after CRLFs) with a SIP start line. */
  private hunt(flow: TcpFlow, seq: number, buf: Uint8Array, off: number, end: number): void {
    let i = off;
    while (i < end && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
    if (i === end) return; // keepalive only
    if (classifySipStart(buf, i, end) === 1) {
      flow.state = FLOW_STREAM;
      flow.sip = true;
      flow.huntMisses = 0;
      flow.nextSeq = (seq + (i - off)) >>> 0;
      this.insert(flow, flow.nextSeq, buf, i, end);
      if (flow.state === FLOW_STREAM) this.frameMessages(flow);
      return;
    }
    if (++flow.huntMisses >= this.options.maxHuntSegments) this.ignore(flow);
  }

  private insert(flow: TcpFlow, seq: number, buf: Uint8Array, off: number, end: number): void {
    const d = seqDiff(seq, flow.nextSeq);
    if (d > 0) {
      if (startsWithSipLine(buf, off, end)) this.jumpGap(flow, seq, buf, off, end);
      else this.hold(flow, seq, buf, off, end);
      return;
    }
    if (d < 0) {
      if (end - off <= -d) {
        this.stats.retransmissions++;
        return;
      }
      off -= d; // trim the part already received
    }
    if (!this.append(flow, buf, off, end)) return;
    if (flow.held.length > 0) this.drainHeld(flow);
  }

  private hold(flow: TcpFlow, seq: number, buf: Uint8Array, off: number, end: number): void {
    const len = end - off;
    for (const h of flow.held) {
      if (h.seq === seq && h.data.length >= len) {
        this.stats.retransmissions++;
        return;
      }
    }
    if (flow.held.length >= this.options.maxHeldSegments) {
      this.giveUpGap(flow, seq, buf, off, end);
      return;
    }
    if (flow.end - flow.start + flow.heldBytes + len > this.options.maxFlowBytes) {
      this.overflow(flow);
      return;
    }
    this.stats.outOfOrder++;
    if (flow.held.length === 0) flow.heldSinceSec = flow.lastSec;
    flow.held.push({ seq, data: buf.slice(off, end) });
    flow.heldBytes += len;
  }

  /**
   * The gap before the held segments is not going to be filled (the capture lost it): drop the
   * bytes before it, and replay the held segments and this one, in sequence order, as if the
   * flow had been picked up mid-stream at the first of them.
   */
  private giveUpGap(flow: TcpFlow, seq: number, buf: Uint8Array, off: number, end: number): void {
    this.stats.gaps++;
    const held = flow.held.sort((x, y) => seqDiff(x.seq, y.seq));
    this.stats.incompleteBytes += flow.end - flow.start;
    flow.buf = EMPTY;
    flow.start = 0;
    flow.end = 0;
    flow.held = [];
    flow.heldBytes = 0;
    flow.state = FLOW_HUNTING;
    flow.huntMisses = 0;
    for (const h of held) this.resume(flow, h.seq, h.data, 0, h.data.length);
    this.resume(flow, seq, buf, off, end);
  }

  /**
   * A segment past a gap starts a new SIP message: take the stream up there at once (what
   * tshark does too), dropping the partial message before the gap and whatever was held
   * before this segment. A late retransmission of the gap then counts as a retransmission.
   */
  private jumpGap(flow: TcpFlow, seq: number, buf: Uint8Array, off: number, end: number): void {
    this.stats.gaps++;
    let dropped = flow.end - flow.start;
    const kept: HeldSegment[] = [];
    for (const h of flow.held) {
      if (seqDiff(h.seq, seq) > 0) kept.push(h);
      else dropped += h.data.length;
    }
    this.stats.incompleteBytes += dropped;
    flow.start = 0;
    flow.end = 0;
    flow.held = kept;
    flow.heldBytes = kept.reduce((n, h) => n + h.data.length, 0);
    flow.nextSeq = seq;
    this.insert(flow, seq, buf, off, end);
  }

  private resume(flow: TcpFlow, seq: number, buf: Uint8Array, off: number, end: number): void {
    if (flow.state === FLOW_STREAM) {
      this.insert(flow, seq, buf, off, end);
      if (flow.state === FLOW_STREAM) this.frameMessages(flow);
    } else if (flow.state === FLOW_HUNTING) this.hunt(flow, seq, buf, off, end);
  }

  private drainHeld(flow: TcpFlow): void {
    const held = flow.held;
    for (let found = true; found && held.length > 0 && flow.state === FLOW_STREAM; ) {
      found = false;
      for (let i = 0; i < held.length; i++) {
        const h = held[i]!;
        const d = seqDiff(h.seq, flow.nextSeq);
        if (d > 0) continue;
        held.splice(i, 1);
        flow.heldBytes -= h.data.length;
        if (h.data.length > -d) this.append(flow, h.data, -d, h.data.length);
        else this.stats.retransmissions++;
        found = true;
        break;
      }
    }
  }

  /** Append in-order bytes; false (and the flow reset) when the buffer bound is exceeded. */
  private append(flow: TcpFlow, src: Uint8Array, off: number, end: number): boolean {
    const n = end - off;
    const buffered = flow.end - flow.start;
    if (buffered + n + flow.heldBytes > this.options.maxFlowBytes) {
      this.overflow(flow);
      return false;
    }
    if (flow.end + n > flow.buf.length) {
      if (buffered + n <= flow.buf.length && flow.start > 0) {
        flow.buf.copyWithin(0, flow.start, flow.end);
      } else {
        let cap = Math.max(4096, flow.buf.length);
        while (cap < buffered + n) cap *= 2;
        const grown = new Uint8Array(Math.min(cap, this.options.maxFlowBytes));
        grown.set(flow.buf.subarray(flow.start, flow.end));
        flow.buf = grown;
      }
      flow.start = 0;
      flow.end = buffered;
    }
    flow.buf.set(src.subarray(off, end), flow.end);
    flow.end += n;
    flow.nextSeq = (flow.nextSeq + n) >>> 0;
    return true;
  }

  private frameMessages(flow: TcpFlow): void {
    const stats = this.stats;
    while (flow.state === FLOW_STREAM) {
      const b = flow.buf;
      const e = flow.end;
      let s = flow.start;
      if (s < e && (b[s] === 0x0d || b[s] === 0x0a)) {
        while (s < e && (b[s] === 0x0d || b[s] === 0x0a)) s++;
        stats.keepalives++;
        flow.start = s;
      }
      if (s >= e) {
        flow.start = 0;
        flow.end = 0;
        return;
      }
      const v = classifySipStart(b, s, e);
      if (v === 0) return;
      if (v < 0) {
        if (!flow.sip) this.ignore(flow);
        else this.desync(flow, 'tcp', 'SIP_STREAM_DESYNC');
        return;
      }
      flow.sip = true;
      const n = sipMessageLength(b, s, e);
      if (n === 0) return;
      if (n < 0) {
        this.desync(flow, 'sip', 'BAD_CONTENT_LENGTH');
        return;
      }
      flow.start = s + n;
      stats.messages++;
      this.sink.message(flow, b, s, s + n);
    }
  }

  private desync(flow: TcpFlow, layer: string, code: LayerErrorCode): void {
    this.sink.malformed(layer, code);
    this.discard(flow);
    flow.state = FLOW_HUNTING;
    flow.huntMisses = 0;
  }

  private overflow(flow: TcpFlow): void {
    this.stats.overflows++;
    this.sink.malformed('tcp', 'TCP_BUFFER_OVERFLOW');
    this.discard(flow);
    flow.state = FLOW_HUNTING;
    flow.huntMisses = 0;
  }

  private ignore(flow: TcpFlow): void {
    this.discard(flow);
    flow.state = FLOW_IGNORED;
    this.stats.ignored++;
  }

  /** Forget buffered and held data, counting it as incomplete. */
  private discard(flow: TcpFlow): void {
    const bytes = flow.end - flow.start + flow.heldBytes;
    if (bytes > 0) this.stats.incompleteBytes += bytes;
    flow.buf = EMPTY;
    flow.start = 0;
    flow.end = 0;
    flow.held = [];
    flow.heldBytes = 0;
  }
}
