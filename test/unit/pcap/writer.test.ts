/**
 * The pcap writer: exact bytes for header and record, and round trips through the reader
 * (µs and ns, snaplen cut, backpressure).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import {
  PcapFileWriter,
  encodePcapFileHeader,
  encodePcapRecord,
} from '../../../src/lib/pcap/writer.js';
import { parseCapture } from '../../../src/lib/pcap/stream-parser.js';
import { copyFrame, type FrameCopy } from './capture-truth.js';

/** A Writable that keeps what it receives; `delayMs` > 0 makes it slow (backpressure). */
function collector(opts: { highWaterMark?: number; delayMs?: number } = {}) {
  const chunks: Buffer[] = [];
  let writes = 0;
  const stream = new Writable({
    highWaterMark: opts.highWaterMark ?? 16384,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      writes++;
      if ((opts.delayMs ?? 0) > 0) setTimeout(cb, opts.delayMs);
      else cb();
    },
  });
  return { stream, bytes: () => new Uint8Array(Buffer.concat(chunks)), writes: () => writes };
}

describe('encodePcapFileHeader / encodePcapRecord', () => {
  it.each([
    {
      name: 'µs, Ethernet, default snaplen',
      opts: { linkType: 1 },
      bytes: hex`d4 c3 b2 a1  02 00 04 00  00 00 00 00  00 00 00 00  00 00 04 00  01 00 00 00`,
    },
    {
      name: 'ns, LINUX_SLL2, snaplen 65535',
      opts: { linkType: 276, snaplen: 65535, nanosecond: true },
      bytes: hex`4d 3c b2 a1  02 00 04 00  00 00 00 00  00 00 00 00  ff ff 00 00  14 01 00 00`,
    },
  ])('$name', ({ opts, bytes }) => {
    expect(encodePcapFileHeader(opts)).toEqual(bytes);
  });

  it('writes a record header in the writer byte order', () => {
    expect(encodePcapRecord(1700000000, 123456789, hex`ca fe`, 60)).toEqual(hex`
      00 f1 53 65   // ts_sec 1700000000
      40 e2 01 00   // 123456 µs (ns truncated)
      02 00 00 00   // captured 2
      3c 00 00 00   // on the wire 60
      ca fe`);
    expect(encodePcapRecord(1700000000, 123456789, hex`ca fe`, 2, true).subarray(4, 8)).toEqual(hex`15 cd 5b 07`);
  });
});

describe('PcapFileWriter round trips through the reader', () => {
  const frames = Array.from({ length: 500 }, (_, i) => ({
    tsSec: 1700000000 + Math.floor(i / 7),
    tsNsec: (i * 142857123) % 1_000_000_000,
    data: Uint8Array.from({ length: (i * 37) % 300 }, (_, k) => (k * 11 + i) & 0xff),
  }));

  it.each([false, true])('nanosecond=%s', async (nanosecond) => {
    const out = collector();
    const w = new PcapFileWriter(out.stream, { linkType: 1, nanosecond, batchBytes: 4096 });
    for (const f of frames) await w.writeFrame(f);
    await w.close();
    const got: FrameCopy[] = [];
    const s = parseCapture(out.bytes(), (f) => got.push(copyFrame(f)));
    expect(s.format).toBe(nanosecond ? 'pcap-ns' : 'pcap');
    expect(s.truncated).toBeNull();
    expect(w.records).toBe(frames.length);
    expect(w.bytesWritten).toBe(out.bytes().length);
    expect(got).toEqual(
      frames.map((f, i) => ({
        tsSec: f.tsSec,
        tsNsec: nanosecond ? f.tsNsec : Math.floor(f.tsNsec / 1000) * 1000,
        linkType: 1,
        origLen: f.data.length,
        index: i + 1,
        fileIndex: 0,
        data: Buffer.from(f.data).toString('hex'),
      })),
    );
  });

  it('cuts records to the snaplen and keeps the wire length', async () => {
    const out = collector();
    const w = new PcapFileWriter(out.stream, { linkType: 101, snaplen: 8 });
    w.write(1, 0, Uint8Array.from({ length: 20 }, (_, i) => i));
    await w.close();
    const got: FrameCopy[] = [];
    parseCapture(out.bytes(), (f) => got.push(copyFrame(f)));
    expect(got).toEqual([{ tsSec: 1, tsNsec: 0, linkType: 101, origLen: 20, index: 1, fileIndex: 0, data: '0001020304050607' }]);
  });

  it('respects backpressure from a slow stream and loses nothing', async () => {
    const out = collector({ highWaterMark: 1024, delayMs: 1 });
    const w = new PcapFileWriter(out.stream, { linkType: 1, batchBytes: 2048 });
    let paused = 0;
    for (const f of frames) {
      if (!w.write(f.tsSec, f.tsNsec, f.data)) {
        paused++;
        await w.drained();
      }
    }
    await w.close();
    expect(paused).toBeGreaterThan(0);
    const s = parseCapture(out.bytes(), () => undefined);
    expect(s.frames).toBe(frames.length);
    expect(out.writes()).toBeGreaterThan(10);
  });

  it('writes a record larger than the batch buffer', async () => {
    const out = collector();
    const w = new PcapFileWriter(out.stream, { linkType: 1, batchBytes: 64 });
    const big = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    w.write(5, 6000, hex`01 02`);
    w.write(7, 8000, big);
    await w.close();
    const got: FrameCopy[] = [];
    parseCapture(out.bytes(), (f) => got.push(copyFrame(f)));
    expect(got.map((f) => [f.tsSec, f.tsNsec, f.data.length / 2])).toEqual([
      [5, 6000, 2],
      [7, 8000, 1000],
    ]);
  });
});
