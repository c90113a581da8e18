/**
 * Classic pcap writer (tcpdump.org pcap(5)), little-endian, µs or ns timestamps.
 *
 *   file header (24 bytes)                     record header (16 bytes), then incl_len bytes
 *    0 magic     d4 c3 b2 a1 (µs) | 4d 3c b2 a1 (ns)    0 ts_sec    u32
 *    4 version   02 00 04 00 (2.4)                    4 ts_frac   u32, µs or ns
 *    8 thiszone  0                                    8 incl_len  u32, ≤ snaplen
 *   12 sigfigs   0                                   12 orig_len  u32
 *   16 snaplen   u32
 *   20 linktype  u32 (LINKTYPE_*)
 *
 * Used by `capture --write` and the test-capture generator; round-trips through
 * CaptureStreamParser.
 */
import type { Writable } from 'node:stream';

export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** tcpdump's default snapshot length. */
export const DEFAULT_SNAPLEN = 262144;

export interface PcapFileHeaderOptions {
  /** LINKTYPE_* value (1 = Ethernet, 101 = raw IP, 113 = Linux SLL, 276 = Linux SLL2…). */
  linkType: number;
  /** Largest captured length, in bytes; records are cut to it. Default 262144. */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
}

export function encodePcapFileHeader(opts: PcapFileHeaderOptions): Uint8Array {
  const out = new Uint8Array(PCAP_FILE_HEADER_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint32(0, opts.nanosecond === true ? 0xa1b23c4d : 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, opts.snaplen ?? DEFAULT_SNAPLEN, true);
  v.setUint32(20, opts.linkType, true);
  return out;
}

/** Write one record (header + data) into `out` at `offset`; returns the offset past it. */
export function writePcapRecordInto(
  out: Uint8Array,
  offset: number,
  tsSec: number,
  tsNsec: number,
  data: Uint8Array,
  origLen: number,
  nanosecond: boolean,
): number {
  return writeRecord(new DataView(out.buffer, out.byteOffset, out.byteLength), out, offset, tsSec, tsNsec, data, origLen, nanosecond);
}

function writeRecord(
  v: DataView,
  out: Uint8Array,
  offset: number,
  tsSec: number,
  tsNsec: number,
  data: Uint8Array,
  origLen: number,
  nanosecond: boolean,
): number {
  v.setUint32(offset, tsSec >>> 0, true);
  v.setUint32(offset + 4, nanosecond ? tsNsec : Math.floor(tsNsec / 1000), true);
  v.setUint32(offset + 8, data.length, true);
  v.setUint32(offset + 12, origLen, true);
  out.set(data, offset + PCAP_RECORD_HEADER_LENGTH);
  return offset + PCAP_RECORD_HEADER_LENGTH + data.length;
}

/** One record: 16-byte header followed by `data` (origLen defaults to data.length). */
export function encodePcapRecord(
  tsSec: number,
  tsNsec: number,
  data: Uint8Array,
  origLen: number = data.length,
  nanosecond = false,
): Uint8Array {
  const out = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + data.length);
  writePcapRecordInto(out, 0, tsSec, tsNsec, data, origLen, nanosecond);
  return out;
}

export interface PcapFileWriterOptions extends PcapFileHeaderOptions {
  /** Bytes batched before a write to the stream. Default 256 KiB. */
  batchBytes?: number;
}

/**
 * Writes a pcap file to a Node Writable. Records are copied into a batch buffer (so callers may
 * pass views that are only valid during a frame callback) and handed to the stream in batches.
 *
 * Backpressure: `write()` returns false once the stream wants the producer to pause; `await
 * writer.drained()` before writing more. `writeFrame()` does both. `close()` flushes and ends
 * the stream, resolving when it has finished. A live capture that trickles should call
 * `flush()` now and then (e.g. once a second) so the file on disk keeps up.
 */
export class PcapFileWriter {
  /** Records written (after snaplen cut, each counted once). */
  records = 0;
  /** Bytes handed to the stream so far, headers included. */
  bytesWritten = 0;

  private readonly out: Writable;
  private readonly snaplen: number;
  private readonly nanosecond: boolean;
  private readonly batchBytes: number;
  private batch: Uint8Array;
  private batchView: DataView;
  private used = 0;
  private closed = false;

  constructor(out: Writable, opts: PcapFileWriterOptions) {
    this.out = out;
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    this.nanosecond = opts.nanosecond === true;
    this.batchBytes = Math.max(opts.batchBytes ?? 256 * 1024, PCAP_FILE_HEADER_LENGTH);
    this.batch = new Uint8Array(this.batchBytes);
    this.batchView = new DataView(this.batch.buffer);
    this.batch.set(encodePcapFileHeader(opts), 0);
    this.used = PCAP_FILE_HEADER_LENGTH;
  }

  /**
   * Append one record (data is cut to the snaplen; origLen defaults to data.length). Returns
   * false when the stream asks the producer to wait for `drained()`.
   */
  write(tsSec: number, tsNsec: number, data: Uint8Array, origLen: number = data.length): boolean {
    if (this.closed) throw new Error('PcapFileWriter: write after close');
    const captured = data.length > this.snaplen ? data.subarray(0, this.snaplen) : data;
    const size = PCAP_RECORD_HEADER_LENGTH + captured.length;
    if (this.used + size > this.batch.length) {
      this.flush();
      if (size > this.batch.length) {
        this.records++;
        this.push(encodePcapRecord(tsSec, tsNsec, captured, origLen, this.nanosecond));
        return !this.out.writableNeedDrain;
      }
    }
    this.used = writeRecord(this.batchView, this.batch, this.used, tsSec, tsNsec, captured, origLen, this.nanosecond);
    this.records++;
    return !this.out.writableNeedDrain;
  }

  /** `write`, then wait for the stream to drain if it asked to. */
  async writeFrame(frame: { tsSec: number; tsNsec: number; data: Uint8Array; origLen?: number }): Promise<void> {
    if (!this.write(frame.tsSec, frame.tsNsec, frame.data, frame.origLen ?? frame.data.length)) await this.drained();
  }

  /** Resolves once the stream is ready for more (immediately if it is). */
  drained(): Promise<void> {
    if (!this.out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.out.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.out.off('drain', onDrain);
        reject(err);
      };
      this.out.once('drain', onDrain);
      this.out.once('error', onError);
    });
  }

  /** Hand the batched bytes to the stream now. */
  flush(): void {
    if (this.used === 0) return;
    const chunk = this.batch.subarray(0, this.used);
    this.batch = new Uint8Array(this.batchBytes); // the stream keeps the previous buffer
    this.batchView = new DataView(this.batch.buffer);
    this.used = 0;
    this.push(chunk);
  }

  /** Flush and end the stream; resolves when it has finished writing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => {
        this.out.off('error', reject);
        resolve();
      });
    });
  }

  private push(chunk: Uint8Array): void {
    this.bytesWritten += chunk.length;
    this.out.write(chunk);
  }
}
