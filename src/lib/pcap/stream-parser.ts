/**
 * Streaming reader for classic pcap (µs and ns) and pcapng, fed arbitrary chunks.
 *
 * Memory is constant: complete records are decoded in place from the chunk they arrive in;
 * only a record split across two chunks is copied (just its partial tail, into one reused
 * buffer). One Frame object is reused for every callback, and its `data` is a view into the
 * chunk (or that tail buffer), valid only during the sink call (see frame.ts). That view is the
 * only per-frame allocation (Frame.data must be a Uint8Array); fields are read with one
 * DataView per chunk, the byte order chosen once per file / section.
 *
 * The parser never throws on any bytes. A format problem that makes the rest of the input
 * meaningless sets `fatal` and the parser stops consuming; running out of input inside a record
 * is reported by `end()` as `truncated`.
 *
 * Classic pcap (tcpdump.org pcap(5); draft-ietf-opsawg-pcap), all fields in the writer's byte
 * order, detected from the magic:
 *
 *   file header (24 bytes)                      record header (16 bytes), then incl_len bytes
 *    0 magic       a1b2c3d4 µs | a1b23c4d ns      0 ts_sec    seconds since the Unix epoch
 *    4 version     major u16, minor u16           4 ts_frac   µs or ns within the second
 *    8 thiszone    i32 (always 0; ignored)        8 incl_len  captured bytes that follow
 *   12 sigfigs     u32 (ignored)                 12 orig_len  bytes on the wire
 *   16 snaplen     u32
 *   20 linktype    u32: LINKTYPE_* in bits 0-15, FCS info in bits 26-31
 *
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each
 *
 *    0 block type u32 | 4 block total length u32 | body … | options … | total length u32 again
 *
 * in the byte order of its section; the Section Header Block (0x0a0d0d0a, a palindrome) carries
 * the byte-order magic 0x1a2b3c4d at offset 8. Blocks read here: SHB (starts a section and
 * forgets the previous section's interfaces), IDB (1: link type, snaplen, if_name 2,
 * if_tsresol 9, if_tsoffset 14), EPB (6), SPB (3: no timestamp, takes the previous frame's),
 * the obsolete Packet Block (2) and ISB (5: isb_ifrecv 4, isb_ifdrop 5, isb_osdrop 7). Every
 * other block type is skipped by its length (STYLE.md rule 10).
 *
 * Timestamps are converted exactly to whole seconds plus nanoseconds with 32-bit-safe integer
 * arithmetic (no float rounding); only unusual pcapng resolutions (finer than 1 ns, or a power
 * of two) fall back to one BigInt division per block.
 */
import type { DecodeError } from '../result.js';
import { ReusedFrame, type FrameSink } from './frame.js';
import { MAX_RECORD_BYTES, type PcapErrorCode } from './errors.js';

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

/** A capture timestamp: whole seconds since the epoch plus nanoseconds (0..999,999,999). */
export interface CaptureTime {
  sec: number;
  nsec: number;
}

/** Counters from a pcapng Interface Statistics Block (the last one seen for the interface). */
export interface InterfaceDrops {
  /** 0-based pcapng section the interface belongs to. */
  section: number;
  /** Interface id within its section. */
  interfaceId: number;
  /** if_name, when the IDB carried one. */
  name: string | null;
  linkType: number;
  /** isb_ifrecv: packets received by the interface since the capture started. */
  received: number | null;
  /** isb_ifdrop: packets the interface / capture system dropped (no buffer space…). */
  dropped: number | null;
  /** isb_osdrop: packets the operating system dropped. */
  osDropped: number | null;
}

export interface CaptureTruncation extends DecodeError<'TRUNCATED'> {
  need: number;
  have: number;
  /** 1-based number of the frame the input ended in (frames delivered + 1). */
  frame: number;
  /** What the input ended inside: the file header, a packet record, or another pcapng block. */
  inside: 'header' | 'frame' | 'block';
}

export interface CaptureParseSummary {
  format: CaptureFormat | null;
  /** Distinct LINKTYPE_* values declared (pcap header, pcapng IDBs), in order of appearance. */
  linkTypes: number[];
  frames: number;
  /** Sum of captured lengths of the delivered frames. */
  capturedBytes: number;
  /** Sum of on-the-wire lengths of the delivered frames (capinfos' "Data size"). */
  bytes: number;
  /** Earliest and latest frame time (capinfos' "First/Last packet time"); null without frames. */
  firstTs: CaptureTime | null;
  lastTs: CaptureTime | null;
  /** Input bytes consumed (complete headers, records and blocks). */
  bytesConsumed: number;
  truncated: CaptureTruncation | null;
  fatal: DecodeError<PcapErrorCode> | null;
  /** pcapng ISB counters per interface that reported isb_ifrecv, isb_ifdrop or isb_osdrop. */
  interfaceDrops: InterfaceDrops[];
}

export interface CaptureStreamParserOptions {
  /** Copied into every Frame.fileIndex (0-based input file index). */
  fileIndex?: number;
}

const PCAP_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;
/** Smallest possible pcapng block, and what the reader needs to see of a block to size it. */
const NG_MIN_BLOCK = 12;

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const NG_SHB = 0x0a0d0d0a;
const NG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const NG_BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_ISB = 5;
const BLOCK_EPB = 6;

const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const OPT_ISB_IFRECV = 4;
const OPT_ISB_IFDROP = 5;
const OPT_ISB_OSDROP = 7;

const TWO_32 = 4294967296;

const enum State {
  Magic,
  PcapHeader,
  PcapRecords,
  Pcapng,
  Stopped,
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class CaptureStreamParser {
  format: CaptureFormat | null = null;
  fatal: DecodeError<PcapErrorCode> | null = null;
  readonly linkTypes: number[] = [];
  frames = 0;
  capturedBytes = 0;
  bytes = 0;

  private state = State.Magic;
  private ended = false;
  private halted = false;
  private endSummary: CaptureParseSummary | null = null;
  private readonly frame: ReusedFrame;

  /** Byte order of the file (pcap) or of the current section (pcapng). */
  private le = true;
  private pcapNs = false;
  private pcapLinkType = 0;

  /** Absolute input offset of the first unparsed byte, and of byte 0 of the buffer being parsed. */
  private fileOffset = 0;
  private bufBase = 0;
  /** Bytes the unit (header / record / block) at the parse position needs in total. */
  private need = 4;
  private needInside: 'header' | 'frame' | 'block' = 'header';

  /** The partial tail of a unit split across chunks, and how much of it is filled. */
  private pend = new Uint8Array(0);
  private pendView = new DataView(this.pend.buffer);
  private pendLen = 0;

  private hasTime = false;
  private minSec = 0;
  private minNsec = 0;
  private maxSec = 0;
  private maxNsec = 0;

  // pcapng: the current section's interfaces, as parallel arrays indexed by interface id.
  private section = -1;
  private ifCount = 0;
  private ifLinkType: number[] = [];
  private ifSnaplen: number[] = [];
  /** 10^k ticks per second for k ≤ 9 (the exact fast path), else 0. */
  private ifDiv: number[] = [];
  /** Nanoseconds per tick when ifDiv is set. */
  private ifNsPerTick: number[] = [];
  /** Ticks per second for the BigInt path (ifDiv 0). */
  private ifTicksPerSec: bigint[] = [];
  /** if_tsoffset, seconds added to every timestamp. */
  private ifOffsetSec: number[] = [];
  private ifName: (string | null)[] = [];
  private ifDrops: (InterfaceDrops | undefined)[] = [];
  /** Timestamp cache for the last (interface, high word) seen: see setTicks. */
  private tsIf = -1;
  private tsHi = -1;
  private tsDiv = 1;
  private tsNsPerTick = 0;
  private tsHiSec = 0;
  private tsHiRem = 0;
  private readonly drops: InterfaceDrops[] = [];

  constructor(opts: CaptureStreamParserOptions = {}) {
    this.frame = new ReusedFrame(opts.fileIndex ?? 0);
  }

  /** Feed the next chunk. Frames completed by it are handed to `sink` before this returns. */
  push(chunk: Uint8Array, sink: FrameSink): void {
    if (this.state === State.Stopped || this.ended) return;
    const n = chunk.length;
    let off = 0;

    if (this.pendLen > 0) {
      // Complete the split unit, copying only as many bytes as it needs.
      for (;;) {
        const take = Math.min(this.need - this.pendLen, n - off);
        this.reservePending(this.pendLen + take); // grows with the bytes that arrive, not with `need`
        this.pend.set(take === n && off === 0 ? chunk : chunk.subarray(off, off + take), this.pendLen);
        this.pendLen += take;
        off += take;
        this.bufBase = this.fileOffset;
        if (this.pendLen < this.need) {
          // A signature arriving byte by byte is rejected as early as a whole one would be.
          if (this.state === State.Magic && !isMagicPrefix(this.pend, 0, this.pendLen)) this.stop('BAD_MAGIC', 0);
          return;
        }
        const used = this.parse(this.pend, this.pendView, 0, this.pendLen, sink);
        this.fileOffset = this.bufBase + used;
        if (this.isStopped()) return;
        if (used === this.pendLen) {
          this.pendLen = 0;
          break;
        }
        if (this.need <= this.pendLen - used) {
          throw new Error('CaptureStreamParser: no progress on a complete unit (bug)');
        }
        // Nothing consumed: the unit's header is now known and it needs more bytes.
        if (used !== 0) {
          this.pend.copyWithin(0, used, this.pendLen);
          this.pendLen -= used;
        }
      }
      if (off === n) return;
    }

    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.bufBase = this.fileOffset - off;
    const stop = this.parse(chunk, view, off, n, sink);
    this.fileOffset = this.bufBase + stop;
    if (this.isStopped() || stop === n) return;
    const rest = n - stop;
    this.reservePending(rest);
    this.pend.set(chunk.subarray(stop, n), 0);
    this.pendLen = rest;
  }

  /**
   * Stop delivering frames now (e.g. the user aborted): the current callback is the last one,
   * and `end()` reports no truncation for the unread rest.
   */
  halt(): void {
    this.halted = true;
    this.state = State.Stopped;
  }

  /** The input is complete: report what was read and whether it ended inside a unit. */
  end(): CaptureParseSummary {
    if (this.endSummary !== null) return this.endSummary;
    this.ended = true;
    let truncated: CaptureTruncation | null = null;
    if (this.state !== State.Stopped && this.pendLen > 0) {
      let need = this.need;
      if (this.state === State.Magic) need = this.pend[0] === 0x0a ? NG_MIN_BLOCK : PCAP_HEADER_LEN;
      truncated = {
        code: 'TRUNCATED',
        layer: this.layer(),
        offset: this.fileOffset,
        need,
        have: this.pendLen,
        frame: this.frames + 1,
        inside: this.state === State.Magic ? 'header' : this.needInside,
      };
    }
    this.endSummary = {
      format: this.format,
      linkTypes: [...this.linkTypes],
      frames: this.frames,
      capturedBytes: this.capturedBytes,
      bytes: this.bytes,
      firstTs: this.hasTime ? { sec: this.minSec, nsec: this.minNsec } : null,
      lastTs: this.hasTime ? { sec: this.maxSec, nsec: this.maxNsec } : null,
      bytesConsumed: this.fileOffset,
      truncated,
      fatal: this.fatal,
      interfaceDrops: this.drops.map((d) => ({ ...d })),
    };
    return this.endSummary;
  }

  /** pcapng ISB counters seen so far (a copy). */
  get interfaceDrops(): InterfaceDrops[] {
    return this.drops.map((d) => ({ ...d }));
  }

  private isStopped(): boolean {
    return this.state === State.Stopped;
  }

  private layer(): string {
    return this.format === 'pcapng' ? 'pcapng' : 'pcap';
  }

  private reservePending(size: number): void {
    if (this.pend.length >= size) return;
    let cap = Math.max(64 * 1024, this.pend.length);
    while (cap < size) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.pend.subarray(0, this.pendLen), 0);
    this.pend = next;
    this.pendView = new DataView(next.buffer);
  }

  private stop(code: PcapErrorCode, off: number, need?: number, have?: number): void {
    const error: DecodeError<PcapErrorCode> = { code, layer: this.layer(), offset: this.bufBase + off };
    if (need !== undefined) error.need = need;
    if (have !== undefined) error.have = have;
    this.fatal = error;
    this.state = State.Stopped;
  }

  /** Parse as many complete units as [off, end) holds; return the offset of the first one left. */
  private parse(b: Uint8Array, v: DataView, off: number, end: number, sink: FrameSink): number {
    if (this.state === State.Magic) {
      off = this.parseMagic(b, v, off, end);
      if (this.state === State.Magic || this.state === State.Stopped) return off;
    }
    if (this.state === State.PcapHeader) {
      off = this.parsePcapHeader(v, off, end);
      if (this.state === State.PcapHeader) return off;
    }
    if (this.state === State.PcapRecords) return this.parsePcapRecords(b, v, off, end, sink);
    if (this.state === State.Pcapng) return this.parseBlocks(b, v, off, end, sink);
    return off;
  }

  private parseMagic(b: Uint8Array, v: DataView, off: number, end: number): number {
    const avail = end - off;
    // Reject early when the bytes so far cannot begin any known signature.
    if (avail < 4) {
      if (!isMagicPrefix(b, off, avail)) this.stop('BAD_MAGIC', off);
      this.need = 4;
      return off;
    }
    const magic = v.getUint32(off, false);
    switch (magic) {
      case MAGIC_US:
      case MAGIC_NS:
        this.le = false;
        break;
      case 0xd4c3b2a1:
      case 0x4d3cb2a1:
        this.le = true;
        break;
      case NG_SHB:
        this.format = 'pcapng';
        this.state = State.Pcapng;
        return off;
      default:
        this.stop('BAD_MAGIC', off);
        return off;
    }
    this.pcapNs = v.getUint32(off, this.le) === MAGIC_NS;
    this.format = this.pcapNs ? 'pcap-ns' : 'pcap';
    this.state = State.PcapHeader;
    return off;
  }

  private parsePcapHeader(v: DataView, off: number, end: number): number {
    if (end - off < PCAP_HEADER_LEN) {
      this.need = PCAP_HEADER_LEN;
      this.needInside = 'header';
      return off;
    }
    this.pcapLinkType = v.getUint32(off + 20, this.le) & 0xffff;
    this.linkTypes.push(this.pcapLinkType);
    this.frame.linkType = this.pcapLinkType;
    this.state = State.PcapRecords;
    this.needInside = 'frame';
    return off + PCAP_HEADER_LEN;
  }

  private parsePcapRecords(b: Uint8Array, v: DataView, off: number, end: number, sink: FrameSink): number {
    const le = this.le;
    const nsMul = this.pcapNs ? 1 : 1000;
    const fracPerSec = this.pcapNs ? 1_000_000_000 : 1_000_000;
    const f = this.frame;
    for (;;) {
      const avail = end - off;
      if (avail < PCAP_RECORD_HEADER_LEN) {
        this.need = PCAP_RECORD_HEADER_LEN;
        return off;
      }
      const incl = v.getUint32(off + 8, le);
      if (incl > MAX_RECORD_BYTES) {
        this.stop('RECORD_TOO_LARGE', off);
        return off;
      }
      const total = PCAP_RECORD_HEADER_LEN + incl;
      if (avail < total) {
        this.need = total;
        return off;
      }
      let sec = v.getUint32(off, le);
      let frac = v.getUint32(off + 4, le);
      if (frac >= fracPerSec) {
        sec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
      }
      f.tsSec = sec;
      f.tsNsec = frac * nsMul;
      this.emit(b, off + PCAP_RECORD_HEADER_LEN, incl, v.getUint32(off + 12, le), sink);
      off += total;
      if (this.halted) return off;
    }
  }

  /** Hand the frame at `b[at, at + capLen)` (time and link type already set) to the sink. */
  private emit(b: Uint8Array, at: number, capLen: number, origLen: number, sink: FrameSink): void {
    const f = this.frame;
    f.buf = b;
    f.off = at;
    f.capLen = capLen;
    f.origLen = origLen;
    f.index = ++this.frames;
    this.capturedBytes += capLen;
    this.bytes += origLen;
    this.noteTime(f.tsSec, f.tsNsec);
    sink(f);
  }

  private noteTime(sec: number, nsec: number): void {
    if (!this.hasTime) {
      this.hasTime = true;
      this.minSec = this.maxSec = sec;
      this.minNsec = this.maxNsec = nsec;
      return;
    }
    if (sec > this.maxSec || (sec === this.maxSec && nsec > this.maxNsec)) {
      this.maxSec = sec;
      this.maxNsec = nsec;
    } else if (sec < this.minSec || (sec === this.minSec && nsec < this.minNsec)) {
      this.minSec = sec;
      this.minNsec = nsec;
    }
  }

  private parseBlocks(b: Uint8Array, v: DataView, off: number, end: number, sink: FrameSink): number {
    for (;;) {
      const avail = end - off;
      if (avail < 8) {
        this.need = 8;
        this.needInside = this.section < 0 ? 'header' : avail >= 4 ? blockInside(v.getUint32(off, this.le)) : 'block';
        return off;
      }
      const type = v.getUint32(off, this.le);
      if (type === NG_SHB) {
        if (avail < NG_MIN_BLOCK) {
          this.need = NG_MIN_BLOCK;
          this.needInside = this.section < 0 ? 'header' : 'block';
          return off;
        }
        const bom = v.getUint32(off + 8, true);
        if (bom === NG_BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === NG_BYTE_ORDER_MAGIC_SWAPPED) this.le = false;
        else {
          this.stop(this.section < 0 ? 'BAD_MAGIC' : 'BAD_BYTE_ORDER', off + 8);
          return off;
        }
      }
      const le = this.le;
      const len = v.getUint32(off + 4, le);
      if (len < NG_MIN_BLOCK || len % 4 !== 0) {
        this.stop('BAD_BLOCK_LENGTH', off + 4);
        return off;
      }
      if (len > MAX_RECORD_BYTES) {
        this.stop('RECORD_TOO_LARGE', off + 4);
        return off;
      }
      if (avail < len) {
        this.need = len;
        this.needInside = type === NG_SHB && this.section < 0 ? 'header' : blockInside(type);
        return off;
      }
      if (v.getUint32(off + len - 4, le) !== len) {
        this.stop('BAD_BLOCK_LENGTH', off + len - 4);
        return off;
      }
      switch (type) {
        case BLOCK_EPB:
          if (!this.packetBlock(b, v, off, len, sink, v.getUint32(off + 8, le), 28)) return off;
          break;
        case BLOCK_SPB:
          if (!this.simplePacketBlock(b, v, off, len, sink)) return off;
          break;
        case BLOCK_PB:
          if (!this.packetBlock(b, v, off, len, sink, v.getUint16(off + 8, le), 28)) return off;
          break;
        case NG_SHB:
          if (len < 28) {
            this.stop('BAD_BLOCK', off);
            return off;
          }
          this.startSection();
          break;
        case BLOCK_IDB:
          if (len < 20) {
            this.stop('BAD_BLOCK', off);
            return off;
          }
          this.interfaceBlock(b, v, off, len);
          break;
        case BLOCK_ISB:
          if (len >= 24) this.statisticsBlock(v, off, len);
          break;
        default:
          // Unknown or uninteresting block (NRB, DSB, custom…): skipped by its length.
          if (this.section < 0) {
            this.stop('BAD_MAGIC', off);
            return off;
          }
          break;
      }
      off += len;
      if (this.halted) return off;
    }
  }

  private startSection(): void {
    this.section++;
    this.ifCount = 0;
    this.ifLinkType = [];
    this.ifSnaplen = [];
    this.ifDiv = [];
    this.ifNsPerTick = [];
    this.ifTicksPerSec = [];
    this.ifOffsetSec = [];
    this.ifName = [];
    this.ifDrops = [];
    this.tsIf = -1;
  }

  /** EPB (type 6) and the obsolete Packet Block (type 2) share the layout after the ids. */
  private packetBlock(
    b: Uint8Array,
    v: DataView,
    off: number,
    len: number,
    sink: FrameSink,
    ifId: number,
    dataAt: number,
  ): boolean {
    if (len < dataAt + 4) {
      this.stop('BAD_BLOCK', off);
      return false;
    }
    if (ifId >= this.ifCount) {
      this.stop('NO_INTERFACE', off + 8);
      return false;
    }
    const le = this.le;
    const caplen = v.getUint32(off + 20, le);
    if (caplen > len - dataAt - 4) {
      this.stop('BAD_BLOCK', off + 20, dataAt + 4 + caplen, len);
      return false;
    }
    const f = this.frame;
    this.setTicks(v.getUint32(off + 12, le), v.getUint32(off + 16, le), ifId);
    f.linkType = this.ifLinkType[ifId] ?? 0;
    this.emit(b, off + dataAt, caplen, v.getUint32(off + 24, le), sink);
    return true;
  }

  /** SPB (type 3): interface 0, no timestamp (the previous frame's is kept). */
  private simplePacketBlock(b: Uint8Array, v: DataView, off: number, len: number, sink: FrameSink): boolean {
    if (len < 16) {
      this.stop('BAD_BLOCK', off);
      return false;
    }
    if (this.ifCount === 0) {
      this.stop('NO_INTERFACE', off);
      return false;
    }
    const orig = v.getUint32(off + 8, this.le);
    let caplen = Math.min(orig, len - 16);
    const snap = this.ifSnaplen[0] ?? 0;
    if (snap > 0 && caplen > snap) caplen = snap;
    const f = this.frame;
    if (this.frames === 0) {
      f.tsSec = 0;
      f.tsNsec = 0;
    }
    f.linkType = this.ifLinkType[0] ?? 0;
    this.emit(b, off + 12, caplen, orig, sink);
    return true;
  }

  /**
   * Convert a 64-bit tick count (hi:lo) of interface `ifId` into frame.tsSec/tsNsec exactly.
   *
   * For 10^k ticks/s (k ≤ 9): t = hi·2^32 + lo. The part hi·2^32 = qHi·div + rHi is computed
   * once per (interface, hi) — hi changes every 2^32 ticks, 4.3 s at ns resolution — so a frame
   * costs one division of rHi + lo (< div + 2^32, exact as a double).
   */
  private setTicks(hi: number, lo: number, ifId: number): void {
    const f = this.frame;
    if (ifId !== this.tsIf || hi !== this.tsHi) {
      if (!this.loadTickBase(hi, ifId)) {
        this.setTicksBig(hi, lo, ifId);
        return;
      }
    }
    const div = this.tsDiv;
    const x = this.tsHiRem + lo;
    let q = Math.floor(x / div);
    let r = x - q * div;
    if (r < 0) {
      q -= 1;
      r += div;
    } else if (r >= div) {
      q += 1;
      r -= div;
    }
    f.tsSec = this.tsHiSec + q;
    f.tsNsec = r * this.tsNsPerTick;
  }

  /** Prepare the per-hi cache for `ifId`; false when its resolution needs the BigInt path. */
  private loadTickBase(hi: number, ifId: number): boolean {
    const div = this.ifDiv[ifId] ?? 0;
    if (div === 0) return false;
    // hi·2^32 = (qh·div + rh)·2^32; then rh·2^32 is divided 16 bits at a time (each step < 2^53).
    const qh = exactQuotient(hi, div);
    const rh = hi - qh * div;
    const a = rh * 65536;
    const qa = exactQuotient(a, div);
    const ra = a - qa * div;
    const c = ra * 65536;
    const qc = exactQuotient(c, div);
    const rc = c - qc * div;
    this.tsIf = ifId;
    this.tsHi = hi;
    this.tsDiv = div;
    this.tsNsPerTick = this.ifNsPerTick[ifId] ?? 0;
    this.tsHiSec = qh * TWO_32 + qa * 65536 + qc + (this.ifOffsetSec[ifId] ?? 0);
    this.tsHiRem = rc;
    return true;
  }

  /** Resolutions finer than 1 ns or powers of two: one BigInt division per block. */
  private setTicksBig(hi: number, lo: number, ifId: number): void {
    const f = this.frame;
    const tps = this.ifTicksPerSec[ifId] ?? 1_000_000n;
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    f.tsSec = Number(t / tps) + (this.ifOffsetSec[ifId] ?? 0);
    f.tsNsec = Number(((t % tps) * 1_000_000_000n) / tps);
  }

  private interfaceBlock(b: Uint8Array, v: DataView, off: number, len: number): void {
    const le = this.le;
    const id = this.ifCount++;
    const linkType = v.getUint16(off + 8, le);
    this.ifLinkType[id] = linkType;
    this.ifSnaplen[id] = v.getUint32(off + 12, le);
    if (!this.linkTypes.includes(linkType)) this.linkTypes.push(linkType);
    let resol = 6;
    let offsetSec = 0;
    let name: string | null = null;
    const optEnd = off + len - 4;
    for (let o = off + 16; o + 4 <= optEnd; ) {
      const code = v.getUint16(o, le);
      const olen = v.getUint16(o + 2, le);
      if (code === 0 || o + 4 + olen > optEnd) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) resol = b[o + 4] ?? 6;
      else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hiWord = le ? v.getInt32(o + 8, true) : v.getInt32(o + 4, false);
        const loWord = le ? v.getUint32(o + 4, true) : v.getUint32(o + 8, false);
        offsetSec = hiWord * TWO_32 + loWord;
      } else if (code === OPT_IF_NAME) name = utf8.decode(b.subarray(o + 4, o + 4 + olen)).replace(/\0+$/, '');
      o += 4 + ((olen + 3) & ~3);
    }
    this.ifOffsetSec[id] = offsetSec;
    this.ifName[id] = name;
    if ((resol & 0x80) === 0 && resol <= 9) {
      const div = 10 ** resol;
      this.ifDiv[id] = div;
      this.ifNsPerTick[id] = 1_000_000_000 / div;
      this.ifTicksPerSec[id] = BigInt(div);
    } else {
      this.ifDiv[id] = 0;
      this.ifNsPerTick[id] = 0;
      this.ifTicksPerSec[id] = (resol & 0x80) === 0 ? 10n ** BigInt(resol) : 1n << BigInt(resol & 0x7f);
    }
  }

  private statisticsBlock(v: DataView, off: number, len: number): void {
    const le = this.le;
    const id = v.getUint32(off + 8, le);
    if (id >= this.ifCount) return; // lax: statistics for an unknown interface are ignored
    let received: number | null = null;
    let dropped: number | null = null;
    let osDropped: number | null = null;
    const optEnd = off + len - 4;
    for (let o = off + 20; o + 4 <= optEnd; ) {
      const code = v.getUint16(o, le);
      const olen = v.getUint16(o + 2, le);
      if (code === 0 || o + 4 + olen > optEnd) break;
      if (olen === 8 && (code === OPT_ISB_IFRECV || code === OPT_ISB_IFDROP || code === OPT_ISB_OSDROP)) {
        const hiWord = v.getUint32(o + (le ? 8 : 4), le);
        const loWord = v.getUint32(o + (le ? 4 : 8), le);
        const value = hiWord * TWO_32 + loWord;
        if (code === OPT_ISB_IFRECV) received = value;
        else if (code === OPT_ISB_IFDROP) dropped = value;
        else osDropped = value;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    if (received === null && dropped === null && osDropped === null) return;
    let entry = this.ifDrops[id];
    if (entry === undefined) {
      entry = {
        section: this.section,
        interfaceId: id,
        name: this.ifName[id] ?? null,
        linkType: this.ifLinkType[id] ?? 0,
        received: null,
        dropped: null,
        osDropped: null,
      };
      this.ifDrops[id] = entry;
      this.drops.push(entry);
    }
    // Counters are cumulative: the latest ISB wins, field by field.
    if (received !== null) entry.received = received;
    if (dropped !== null) entry.dropped = dropped;
    if (osDropped !== null) entry.osDropped = osDropped;
  }
}

/** floor(n / d) for integers n < 2^53, d > 0, corrected for the rounding of n / d. */
function exactQuotient(n: number, d: number): number {
  let q = Math.floor(n / d);
  const r = n - q * d;
  if (r < 0) q -= 1;
  else if (r >= d) q += 1;
  return q;
}

function blockInside(type: number): 'frame' | 'block' {
  return type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB ? 'frame' : 'block';
}

const MAGICS = [
  [0xa1, 0xb2, 0xc3, 0xd4],
  [0xd4, 0xc3, 0xb2, 0xa1],
  [0xa1, 0xb2, 0x3c, 0x4d],
  [0x4d, 0x3c, 0xb2, 0xa1],
  [0x0a, 0x0d, 0x0d, 0x0a],
] as const;

function isMagicPrefix(b: Uint8Array, off: number, n: number): boolean {
  return MAGICS.some((m) => {
    for (let i = 0; i < n; i++) if (b[off + i] !== m[i]) return false;
    return true;
  });
}

/** Parse a whole in-memory capture (tests, small inputs). */
export function parseCapture(bytes: Uint8Array, sink: FrameSink, opts: CaptureStreamParserOptions = {}): CaptureParseSummary {
  const parser = new CaptureStreamParser(opts);
  parser.push(bytes, sink);
  return parser.end();
}
