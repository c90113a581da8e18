/**
 * Per-stream RTP statistics: a pure state machine, time passed in (STYLE.md rule 12).
 *
 * Two sets of numbers come out of one pass:
 *
 * 1. The columns of `tshark -q -o rtp.heuristic_rtp:TRUE -z rtp,streams` (tshark 4.0), computed
 *    the way tshark computes them, so they can be checked against tshark to 0.01 ms:
 *    - packets; lost = expected − packets, signed (negative when packets are duplicated), where
 *      expected = last packet's sequence number + 65536 × wraps − first sequence number + 1
 *      ("last" is the last to arrive, not the highest); lost % = lost × 100 / expected.
 *    - delta: arrival time since the previous packet whose RTP timestamp was "in time
 *      sequence" (less than 2^31 ahead of the stream's first timestamp, modulo 2^32).
 *    - jitter: RFC 3550 A.8 in ms, J += (|D| − J) / 16, with D from the RTP timestamps
 *      converted with clockRate / 1000 in integer arithmetic, as tshark does (11025 Hz → 11).
 *      No jitter for clock rate 0: unknown payload types and RFC 4733 telephone-event.
 *    - min/max/mean of delta and jitter only over "regular" packets: not the first, no marker
 *      bit, not comfort noise (PT 13 or 19) nor the packet after one, timestamp in sequence.
 *      The means divide by the number of packets before this one (tshark's running mean), so
 *      they are not plain means when irregular packets occur. Minimums stay −1 when no
 *      regular packet contributed (tshark prints −1.000).
 *    - problems: some packet broke the sequence (a gap, also across the 65535 → 0 wrap; a
 *      duplicate; a late packet) or came with an RTP timestamp out of time sequence. Nothing else sets it in tshark 4.0: not payload-type changes, marker bits,
 *      comfort noise, clock drift or skew, nor an unknown clock rate.
 *    - payload-type changes only switch the clock rate used for the next jitter step (tshark
 *      flags the change internally but still counts the packet as regular); the first packet
 *      only sets the references (first sequence number and timestamp, arrival time).
 *    Checked, edge case by edge case, against tshark 4.0.17 on the synthetic streams of
 *    fixtures/derived/synthetic/ as well as on the real captures.
 * 2. What tshark does not give: RFC 3550 A.1 sequence validation (probation, 16-bit wrap,
 *    restarts after a large jump confirmed by two sequential packets), A.3 expected/lost and
 *    the interval fraction lost for receiver reports, duplicates and out-of-order packets
 *    told apart with a 1024-packet window, net loss (packets never received), the loss-run
 *    histogram and the burst ratio (ITU-T G.113 Appendix I), and RFC 4733 events.
 *
 * Where the two disagree on purpose (fixtures/derived/README.md lists the cases):
 * RFC 4733 sends the end of an event three times with one sequence number. tshark counts
 * 10 packets with 8 sequence numbers as lost −2 and raises its problem flag; here those are
 * `duplicates: 2`, `netLost: 0`, while `lost` stays −2 to match the tshark column.
 *
 * `push` allocates nothing except when a new RFC 4733 event starts (one record per event).
 */
import { PT_CN, PT_CN_OLD, STATIC_PAYLOAD_TYPES, isTelephoneEventName } from '../rtp/payload-types.js';
import { telephoneEventName } from '../rtp/telephone-event.js';

/** One RTP packet as numbers (STYLE.md rule 9: nothing here points into a reused buffer). */
export interface RtpPacketInfo {
  /** Sequence number, 0–65535. */
  seq: number;
  /** RTP timestamp, 0–2^32−1, in units of the payload's clock. */
  timestamp: number;
  ssrc: number;
  /** Payload type, 0–127. */
  pt: number;
  marker: boolean;
  /** Payload length in bytes (header and padding excluded). */
  payloadBytes: number;
  /** Capture time: whole seconds since the epoch and nanoseconds within the second. */
  arrivalSec: number;
  arrivalNsec: number;
  /**
   * The payload's first 32 bits, big-endian (`payloadHead32`), or −1: the RFC 4733 event word
   * for telephone-event payload types. Ignored for other payload types.
   */
  payloadHead32?: number;
}

export interface RtpPayloadMapping {
  /** rtpmap encoding name ("opus", "telephone-event", ...). */
  name: string;
  /** rtpmap clock rate, Hz. */
  clockRate: number;
}

export interface RtpStreamStatsOptions {
  /**
   * Clock rate in Hz for a dynamic payload type (96–127) that `payloads` does not map, e.g.
   * from SDP. Static payload types always use the RFC 3551 table, as tshark does. 0 or absent:
   * unknown, no jitter.
   */
  clockRate?: number;
  /** Dynamic payload types from SDP a=rtpmap. "telephone-event" gives RFC 4733 events, no jitter. */
  payloads?: Readonly<Record<number, RtpPayloadMapping>>;
  /** Most RFC 4733 events kept (default 1000); more are counted in `eventsDropped`. */
  maxEvents?: number;
  /**
   * RFC 3550 A.1 MIN_SEQUENTIAL: sequential packets needed before a new source is valid
   * (default 2). 1 validates on the first packet: for streams SDP announced, or that
   * RtpHeuristic already confirmed, where probation would only hide loss at the start.
   */
  minSequential?: number;
}

/** One RFC 4733 event (all packets sharing one RTP timestamp). */
export interface RtpEvent {
  /** Event code and its name ("0"–"9", "*", "#", "A"–"D", "flash", "event-N"). */
  event: number;
  digit: string;
  /** Capture time of the event's first packet. */
  startSec: number;
  startNsec: number;
  /** RTP timestamp of the event's start. */
  rtpTimestamp: number;
  /** Longest duration field seen, in ms (timestamp units / clock rate). */
  durationMs: number;
  /** True once a packet with the E bit arrived. */
  ended: boolean;
  /** Power level, −dBm0. */
  volume: number;
  /** Packets carrying the event (retransmitted end packets included). */
  packets: number;
}

/** Runs of consecutive lost packets, by length. */
export interface LossRunHistogram {
  '1': number;
  '2': number;
  '3-5': number;
  '6-10': number;
  '>10': number;
}

/** What RFC 3550 §6.4.1 puts in a reception report block about this stream (A.3, A.8). */
export interface ReceptionReport {
  ssrc: number;
  /** Fraction lost since the previous report, fixed point / 256 (0–255). */
  fractionLost: number;
  /** Cumulative lost (A.3 expected − received), clamped to signed 24 bits. */
  cumulativeLost: number;
  /** Cycles × 65536 + highest sequence number received, unsigned 32 bits. */
  extendedHighestSeq: number;
  /** Interarrival jitter, RTP timestamp units (A.8). */
  jitter: number;
}

export interface RtpStreamSnapshot {
  ssrc: number;
  /** Packets pushed (tshark "Pkts"). */
  packets: number;
  /** tshark: last sequence number + 65536 × wraps − first + 1. */
  expected: number;
  /** tshark "Lost": expected − packets, negative with duplicates. */
  lost: number;
  /** tshark "Lost" percentage: lost × 100 / expected (0 when expected is 0). */
  lostPct: number;
  minDeltaMs: number;
  meanDeltaMs: number;
  maxDeltaMs: number;
  minJitterMs: number;
  meanJitterMs: number;
  maxJitterMs: number;
  /** tshark "Problems?": a sequence error or an RTP timestamp out of time sequence. */
  problems: boolean;
  /** tshark's count of packets that broke the sequence (gap, duplicate, late). */
  sequenceErrors: number;
  /** Packets whose RTP timestamp was behind the stream's time sequence. */
  timestampErrors: number;
  /** Payload types seen, ascending (tshark lists their names in this order). */
  payloadTypes: number[];
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  /** Last arrival − first arrival. */
  durationMs: number;
  payloadBytes: number;
  /** Clock rate in Hz of the last packet that had one (0: none had, e.g. only telephone-event). */
  clockRate: number;

  /** RFC 3550 A.1: probation passed (two sequential packets). */
  valid: boolean;
  /** A.3 expected over all sequence segments (restarts included). */
  rfc3550Expected: number;
  /** A.1 valid packets, duplicates included. */
  rfc3550Received: number;
  /** A.3 cumulative lost (expected − received), negative with duplicates. */
  rfc3550Lost: number;
  /** Extended highest sequence number of the current segment (cycles × 65536 + seq). */
  extendedHighestSeq: number;
  /** A.8 interarrival jitter in RTP timestamp units, exact clock rate, every valid packet. */
  jitterTs: number;
  /** Packets whose sequence number had already been received (RFC 4733 end retransmissions). */
  duplicates: number;
  /** Packets that arrived after a higher sequence number (late, reordered), not duplicates. */
  outOfOrder: number;
  /** A.1 restarts: a jump of ≥ 3000 ahead or > 100 behind, confirmed by the next packet. */
  sequenceRestarts: number;
  /** Packets A.1 refused: failed probation or unconfirmed jumps. */
  discarded: number;
  /** Pushes with another SSRC than the first (handled as a new source: A.1 starts over). */
  ssrcChanges: number;
  /** Expected − distinct sequence numbers received: never negative, duplicates do not offset. */
  netLost: number;
  netLostPct: number;
  lossRuns: LossRunHistogram;
  lossRunCount: number;
  meanLossRunLength: number;
  /**
   * ITU-T G.113 Appendix I burst ratio: mean observed loss-run length ÷ mean run length
   * expected under random loss, 1 / (1 − p), with p = netLost / expected. 1 when nothing was lost.
   */
  burstRatio: number;
  events: RtpEvent[];
  eventsDropped: number;
}

// RFC 3550 A.1 constants.
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const MIN_SEQUENTIAL = 2;
const SEQ_MOD = 65536;
/** Reordering window for duplicate detection and loss runs (packets, a power of two). */
const WINDOW = 1024;
const WINDOW_MASK = WINDOW - 1;
/** Index of the payload-type set in `bits`, after the window. */
const SEEN_AT = WINDOW / 32;

export class RtpStreamStats {
  // Clock per payload type (0 = no jitter) and telephone-event flags: shared, read-only.
  private readonly clockByPt: Float64Array;
  private readonly eventPt: Uint8Array;

  private readonly maxEvents: number;
  private readonly minSequential: number;

  // tshark replica.
  private packets = 0;
  private ssrc = 0;
  private baseSec = 0;
  private baseNsec = 0;
  private lastSec = 0;
  private lastNsec = 0;
  private startSeq = 0;
  private stopSeq = 0;
  private lastInOrderSeq = 0;
  private seqCycles = 0;
  private under = false;
  private firstTimestamp = 0;
  private lastNominalMs = 0;
  private timeMs = 0;
  private prevPt = 0;
  private deltaMs = 0;
  private jitterMs = 0;
  private minDeltaMs = -1;
  private maxDeltaMs = 0;
  private meanDeltaMs = 0;
  private minJitterMs = -1;
  private maxJitterMs = 0;
  private meanJitterMs = 0;
  private sequenceErrors = 0;
  private timestampErrors = 0;
  private problems = false;
  private clockRate = 0;
  private payloadBytes = 0;
  /** Arrival of the packet being pushed, ms since the stream's first packet. */
  private nowMs = 0;

  // RFC 3550 A.1 / A.3 / A.8 and the window.
  private probation: number;
  private probeCount = 0;
  private probeDuplicates = 0;
  private maxSeq = 0;
  private cycles = 0;
  private baseExt = 0;
  private badSeq = SEQ_MOD + 1;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private segmentsExpected = 0;
  private segmentsReceived = 0;
  private segmentsUnique = 0;
  private unique = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private restarts = 0;
  private discarded = 0;
  private ssrcChanges = 0;
  /** Bits: the reordering window (WINDOW bits), then the payload types seen (128 bits). */
  private readonly bits = new Uint32Array(SEEN_AT + 4);
  /** Extended sequence numbers below this are finalised (counted as received or lost). */
  private finalizedUpTo = 0;
  private runLength = 0;
  private runs1 = 0;
  private runs2 = 0;
  private runs3to5 = 0;
  private runs6to10 = 0;
  private runsOver10 = 0;
  private runCount = 0;
  private runLostTotal = 0;
  private transitPrev = 0;
  private a8Started = false;
  private jitterTs = 0;

  // RFC 4733.
  private readonly events: RtpEvent[] = [];
  private eventsDropped = 0;
  private droppedEventTs = -1;
  private currentEvent: RtpEvent | null = null;
  private readonly eventClockRate: number;

  constructor(options: RtpStreamStatsOptions = {}) {
    this.maxEvents = options.maxEvents ?? 1000;
    this.minSequential = Math.max(1, Math.floor(options.minSequential ?? MIN_SEQUENTIAL));
    this.probation = this.minSequential;
    const t = payloadTables(options);
    this.clockByPt = t.clock;
    this.eventPt = t.event;
    this.eventClockRate = t.eventClock;
  }

  push(p: RtpPacketInfo): void {
    const pt = p.pt & 0x7f;
    this.bits[SEEN_AT + (pt >>> 5)]! |= 1 << (pt & 31);
    this.payloadBytes += p.payloadBytes;
    if (this.packets === 0) {
      this.ssrc = p.ssrc >>> 0;
      this.baseSec = p.arrivalSec;
      this.baseNsec = p.arrivalNsec;
    } else if (p.ssrc >>> 0 !== this.ssrc) {
      this.ssrcChanges++;
      this.ssrc = p.ssrc >>> 0;
      this.newSource();
    }
    this.lastSec = p.arrivalSec;
    this.lastNsec = p.arrivalNsec;
    // A field, not an argument: a double passed to a call that is not inlined is boxed.
    this.nowMs = (p.arrivalSec - this.baseSec) * 1000 + (p.arrivalNsec - this.baseNsec) / 1e6;
    this.pushTshark(p.seq & 0xffff, p.timestamp >>> 0, pt, p.marker);
    this.pushRfc3550(p.seq & 0xffff, p.timestamp >>> 0, pt);
    if (this.eventPt[pt] === 1 && p.payloadHead32 !== undefined && p.payloadHead32 >= 0) {
      this.pushEvent(p.payloadHead32, p.timestamp >>> 0, p.arrivalSec, p.arrivalNsec);
    }
  }

  /** tshark 4.0's per-stream analysis (ui/tap-rtp-analysis.c), restated. */
  private pushTshark(seq: number, ts: number, pt: number, marker: boolean): void {
    const nowMs = this.nowMs;
    if (this.packets === 0) {
      this.startSeq = seq;
      this.stopSeq = seq;
      this.lastInOrderSeq = seq;
      this.firstTimestamp = ts;
      this.timeMs = nowMs;
      this.lastNominalMs = 0;
      this.prevPt = pt;
      this.packets = 1;
      return;
    }
    // In time sequence: the timestamp is less than 2^31 ahead of the first one, modulo 2^32.
    const sinceFirst = (ts - this.firstTimestamp) >>> 0;
    const inTime = sinceFirst < 0x80000000;
    let wrongSeq = false;
    if (!inTime) this.timestampErrors++;

    // Wraps of the 16-bit sequence, for tshark's expected count.
    if (inTime && seq < this.startSeq && !this.under) {
      this.seqCycles++;
      this.under = true;
    } else if (inTime && seq === 0 && this.stopSeq === 65535 && !this.under) {
      this.seqCycles++;
      this.under = true;
    } else if (inTime && seq > this.startSeq && this.under) {
      this.under = false;
    }

    // Sequence errors: gaps, duplicates, late packets.
    const last = this.lastInOrderSeq;
    if (inTime && last + 1 === seq) {
      this.lastInOrderSeq = seq;
    } else if (inTime && last === 65535 && seq === 0) {
      this.lastInOrderSeq = seq;
    } else if (inTime && (last + 1 < seq || last - seq > 0xff00)) {
      this.lastInOrderSeq = seq;
      wrongSeq = true;
    } else if (last + 1 > seq) {
      wrongSeq = true;
    }
    if (wrongSeq) this.sequenceErrors++;

    const isCn = pt === PT_CN || pt === PT_CN_OLD;
    const followsCn = this.prevPt === PT_CN || this.prevPt === PT_CN_OLD;
    this.prevPt = pt;
    const clock = this.clockByPt[pt]!;

    if (inTime) {
      if (clock !== 0) {
        this.clockRate = clock;
        // tshark divides by clock_rate / 1000 in unsigned integer arithmetic.
        const perMs = clock >= 1000 ? Math.floor(clock / 1000) : clock / 1000;
        const nominalMs = sinceFirst / perMs;
        const expectedMs = this.timeMs + (nominalMs - this.lastNominalMs);
        const diff = Math.abs(nowMs - expectedMs);
        this.jitterMs = (15 * this.jitterMs + diff) / 16;
        this.deltaMs = nowMs - this.timeMs;
        this.lastNominalMs = nominalMs;
      } else {
        this.deltaMs = nowMs - this.timeMs;
      }
    }

    if (!marker && !isCn && inTime && !followsCn) {
      const d = this.deltaMs;
      if (d > this.maxDeltaMs) this.maxDeltaMs = d;
      if (this.minDeltaMs === -1 || d < this.minDeltaMs) this.minDeltaMs = d;
      const n = this.packets;
      this.meanDeltaMs = (this.meanDeltaMs * (n - 1) + d) / n;
      if (clock !== 0) {
        const j = this.jitterMs;
        if (j > this.maxJitterMs) this.maxJitterMs = j;
        this.meanJitterMs = (this.meanJitterMs * (n - 1) + j) / n;
        if (this.minJitterMs === -1 || j < this.minJitterMs) this.minJitterMs = j;
      }
    }
    if (wrongSeq || !inTime) this.problems = true;
    if (inTime) this.timeMs = nowMs;
    this.stopSeq = seq;
    this.packets++;
  }

  /** A new SSRC on this object: A.1 starts over with probation (tshark would open a new stream). */
  private newSource(): void {
    if (this.probation > 0) this.discarded += this.probeCount + this.probeDuplicates;
    this.closeSegment();
    this.probation = this.minSequential;
    this.probeCount = 0;
    this.probeDuplicates = 0;
    this.a8Started = false;
  }

  /** Folds the current A.1 segment into the totals and empties the window. */
  private closeSegment(): void {
    if (this.probation === 0) {
      this.finalizeTo(this.cycles + this.maxSeq + 1);
      this.closeRun();
      this.segmentsExpected += this.cycles + this.maxSeq - this.baseExt + 1;
      this.segmentsReceived += this.received;
      this.segmentsUnique += this.unique;
    }
    this.bits.fill(0, 0, SEEN_AT);
    this.received = 0;
    this.unique = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
  }

  /**
   * Starts a segment whose first `count` packets are the sequential run ending at `seq`, plus
   * `dups` copies of them received meanwhile. A.1 itself starts counting at the packet that ends
   * probation; counting the run from its first packet keeps every packet in expected/received.
   */
  private initSegment(seq: number, count: number, dups = 0): void {
    const first = seq - (count - 1);
    // Keep extended numbers positive: a run that crossed the wrap starts in cycle 0.
    this.cycles = first < 0 ? SEQ_MOD : 0;
    this.maxSeq = seq;
    this.baseExt = first < 0 ? first + SEQ_MOD : first;
    this.badSeq = SEQ_MOD + 1;
    this.finalizedUpTo = this.baseExt;
    this.runLength = 0;
    this.received = count + dups;
    this.unique = count;
    this.duplicates += dups;
    for (let i = 0; i < count; i++) this.mark(this.baseExt + i);
  }

  private pushRfc3550(seq: number, ts: number, pt: number): void {
    if (this.probation > 0) {
      if (this.probeCount > 0 && seq === this.maxSeq) {
        // A copy of the last probation packet: neither advances nor breaks the run.
        this.probeDuplicates++;
        return;
      }
      if (this.probeCount > 0 && seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probeCount++;
        this.probation--;
      } else {
        this.discarded += this.probeCount + this.probeDuplicates;
        this.probeCount = 1;
        this.probeDuplicates = 0;
        this.probation = this.minSequential - 1;
      }
      this.maxSeq = seq;
      if (this.probation === 0) {
        this.initSegment(seq, this.probeCount, this.probeDuplicates);
        this.probeDuplicates = 0;
        this.updateA8(ts, pt);
      }
      return;
    }
    const udelta = (seq - this.maxSeq) & 0xffff;
    let ext: number;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += SEQ_MOD;
      this.maxSeq = seq;
      ext = this.cycles + seq;
    } else if (udelta <= SEQ_MOD - MAX_MISORDER) {
      if (seq === this.badSeq) {
        // Two sequential packets after a large jump: the sender restarted its sequence.
        this.restarts++;
        this.discarded--;
        this.closeSegment();
        this.initSegment(seq, 2);
        this.updateA8(ts, pt);
        return;
      }
      this.badSeq = (seq + 1) & 0xffff;
      this.discarded++;
      return;
    } else {
      ext = this.cycles + seq - (seq > this.maxSeq ? SEQ_MOD : 0);
    }
    this.received++;
    const highest = this.cycles + this.maxSeq;
    // Free the window slots the new highest number reuses before looking at them.
    if (highest - WINDOW + 1 > this.finalizedUpTo) this.finalizeTo(highest - WINDOW + 1);
    if (ext < this.finalizedUpTo) {
      // Behind the window (cannot happen while MAX_MISORDER < WINDOW): too late to tell.
      this.outOfOrder++;
    } else if (this.isMarked(ext)) {
      this.duplicates++;
    } else {
      this.unique++;
      if (ext < highest) this.outOfOrder++;
      this.mark(ext);
    }
    this.updateA8(ts, pt);
  }

  /** RFC 3550 A.8 in timestamp units with the exact clock rate (for receiver reports). */
  private updateA8(ts: number, pt: number): void {
    const clock = this.clockByPt[pt]!;
    if (clock === 0) return;
    const arrivalTs = (this.nowMs * clock) / 1000;
    // Transit modulo 2^32 keeps the difference meaningful across timestamp wraps.
    const transit = arrivalTs - ts;
    if (this.a8Started) {
      let d = transit - this.transitPrev;
      d -= Math.round(d / 4294967296) * 4294967296;
      // A timestamp discontinuity (over 10 s off the arrival clock) is not jitter: A.8 would
      // add |D| / 16 and take minutes to forget it; restart from this packet instead.
      if (Math.abs(d) <= clock * 10) this.jitterTs += (Math.abs(d) - this.jitterTs) / 16;
    }
    this.transitPrev = transit;
    this.a8Started = true;
  }

  private mark(ext: number): void {
    const i = ext & WINDOW_MASK;
    this.bits[i >>> 5]! |= 1 << (i & 31);
  }

  private isMarked(ext: number): boolean {
    const i = ext & WINDOW_MASK;
    return (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Finalises extended sequence numbers below `to`: received ones end a loss run, others extend it. */
  private finalizeTo(to: number): void {
    for (let ext = this.finalizedUpTo; ext < to; ext++) {
      const i = ext & WINDOW_MASK;
      const word = i >>> 5;
      const bit = 1 << (i & 31);
      if ((this.bits[word]! & bit) !== 0) {
        this.bits[word]! &= ~bit;
        if (this.runLength > 0) this.closeRun();
      } else {
        this.runLength++;
      }
    }
    if (to > this.finalizedUpTo) this.finalizedUpTo = to;
  }

  private closeRun(): void {
    const n = this.runLength;
    if (n === 0) return;
    if (n === 1) this.runs1++;
    else if (n === 2) this.runs2++;
    else if (n <= 5) this.runs3to5++;
    else if (n <= 10) this.runs6to10++;
    else this.runsOver10++;
    this.runCount++;
    this.runLostTotal += n;
    this.runLength = 0;
  }

  private pushEvent(word: number, ts: number, sec: number, nsec: number): void {
    const code = (word >>> 24) & 0xff;
    const end = (word & 0x800000) !== 0;
    const volume = (word >>> 16) & 0x3f;
    const durationMs = ((word & 0xffff) / this.eventClockRate) * 1000;
    const cur = this.currentEvent;
    if (cur && cur.rtpTimestamp === ts && cur.event === code) {
      cur.packets++;
      if (durationMs > cur.durationMs) cur.durationMs = durationMs;
      if (end) cur.ended = true;
      return;
    }
    if (this.events.length >= this.maxEvents) {
      // Count each dropped event once, not each of its packets.
      if (this.droppedEventTs !== ts) this.eventsDropped++;
      this.droppedEventTs = ts;
      this.currentEvent = null;
      return;
    }
    const e: RtpEvent = {
      event: code,
      digit: telephoneEventName(code),
      startSec: sec,
      startNsec: nsec,
      rtpTimestamp: ts,
      durationMs,
      ended: end,
      volume,
      packets: 1,
    };
    this.events.push(e);
    this.currentEvent = e;
  }

  /**
   * The report block fields about this stream (RFC 3550 §6.4.1, A.3) for the interval since
   * the previous call: advances the interval, so call it once per report sent.
   */
  takeReceptionReport(): ReceptionReport {
    const expected = this.probation === 0 ? this.cycles + this.maxSeq - this.baseExt + 1 : 0;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const lost = this.segmentsExpected + expected - (this.segmentsReceived + this.received);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, lost)),
      extendedHighestSeq: (this.cycles + this.maxSeq) >>> 0,
      jitter: Math.floor(this.jitterTs) >>> 0,
    };
  }

  snapshot(): RtpStreamSnapshot {
    const expected = this.stopSeq + this.seqCycles * SEQ_MOD - this.startSeq + (this.packets > 0 ? 1 : 0);
    const lost = expected - this.packets;
    const payloadTypes: number[] = [];
    for (let pt = 0; pt < 128; pt++) if ((this.bits[SEEN_AT + (pt >>> 5)]! & (1 << (pt & 31))) !== 0) payloadTypes.push(pt);

    // A.1/A.3 over closed segments plus the open one; loss runs with the open window's tail.
    const valid = this.probation === 0;
    const segExpected = valid ? this.cycles + this.maxSeq - this.baseExt + 1 : 0;
    const rfcExpected = this.segmentsExpected + segExpected;
    const rfcReceived = this.segmentsReceived + (valid ? this.received : 0);
    const uniqueTotal = this.segmentsUnique + (valid ? this.unique : 0);
    const runs = [this.runs1, this.runs2, this.runs3to5, this.runs6to10, this.runsOver10];
    let runCount = this.runCount;
    let runLost = this.runLostTotal;
    if (valid) {
      let len = this.runLength;
      const highest = this.cycles + this.maxSeq;
      for (let ext = this.finalizedUpTo; ext <= highest; ext++) {
        if (this.isMarked(ext)) {
          if (len > 0) {
            runs[bucketOf(len)]!++;
            runCount++;
            runLost += len;
            len = 0;
          }
        } else {
          len++;
        }
      }
    }
    const netLost = Math.max(0, rfcExpected - uniqueTotal);
    const p = rfcExpected > 0 ? netLost / rfcExpected : 0;
    const meanRun = runCount > 0 ? runLost / runCount : 0;
    const burstRatio = runCount > 0 && p < 1 ? meanRun * (1 - p) : 1;
    return {
      ssrc: this.ssrc,
      packets: this.packets,
      expected,
      lost,
      lostPct: expected !== 0 ? (lost * 100) / expected : 0,
      minDeltaMs: this.minDeltaMs,
      meanDeltaMs: this.meanDeltaMs,
      maxDeltaMs: this.maxDeltaMs,
      minJitterMs: this.minJitterMs,
      meanJitterMs: this.meanJitterMs,
      maxJitterMs: this.maxJitterMs,
      problems: this.problems,
      sequenceErrors: this.sequenceErrors,
      timestampErrors: this.timestampErrors,
      payloadTypes,
      firstSec: this.baseSec,
      firstNsec: this.baseNsec,
      lastSec: this.lastSec,
      lastNsec: this.lastNsec,
      durationMs: (this.lastSec - this.baseSec) * 1000 + (this.lastNsec - this.baseNsec) / 1e6,
      payloadBytes: this.payloadBytes,
      clockRate: this.clockRate,
      valid,
      rfc3550Expected: rfcExpected,
      rfc3550Received: rfcReceived,
      rfc3550Lost: rfcExpected - rfcReceived,
      extendedHighestSeq: valid ? this.cycles + this.maxSeq : 0,
      jitterTs: this.jitterTs,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      sequenceRestarts: this.restarts,
      discarded: this.discarded + (valid ? 0 : this.probeCount + this.probeDuplicates),
      ssrcChanges: this.ssrcChanges,
      netLost,
      netLostPct: p * 100,
      lossRuns: { '1': runs[0]!, '2': runs[1]!, '3-5': runs[2]!, '6-10': runs[3]!, '>10': runs[4]! },
      lossRunCount: runCount,
      meanLossRunLength: meanRun,
      burstRatio,
      events: this.events.map((e) => ({ ...e })),
      eventsDropped: this.eventsDropped,
    };
  }
}

interface PayloadTables {
  clock: Float64Array;
  event: Uint8Array;
  eventClock: number;
}

/** Tables shared by the streams built with equal options (one per SDP answer, not per stream). */
const tableCache = new Map<string, PayloadTables>();

function payloadTables(options: RtpStreamStatsOptions): PayloadTables {
  const key = JSON.stringify([options.clockRate ?? 0, options.payloads ?? {}]);
  const cached = tableCache.get(key);
  if (cached) return cached;
  const clock = new Float64Array(128);
  const event = new Uint8Array(128);
  let eventClock = 8000;
  for (let pt = 0; pt < 128; pt++) {
    if (pt < 96) {
      clock[pt] = STATIC_PAYLOAD_TYPES[pt]?.clockRate ?? 0;
      continue;
    }
    const m = options.payloads?.[pt];
    if (m && isTelephoneEventName(m.name)) {
      event[pt] = 1;
      if (m.clockRate > 0) eventClock = m.clockRate;
    } else {
      clock[pt] = m ? m.clockRate : (options.clockRate ?? 0);
    }
  }
  const tables = { clock, event, eventClock };
  if (tableCache.size >= 256) tableCache.clear();
  tableCache.set(key, tables);
  return tables;
}

function bucketOf(n: number): number {
  return n === 1 ? 0 : n === 2 ? 1 : n <= 5 ? 2 : n <= 10 ? 3 : 4;
}
