/**
 * readCaptures: files, gzip, stdin, multi-file merge, truncation warnings, bad input, abort.
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptures, type CaptureReadSummary } from '../../../src/lib/io/capture-files.js';
import { VoipdiagError, ExitCode } from '../../../src/lib/errors.js';
import { parseCapture } from '../../../src/lib/pcap/stream-parser.js';
import { encodePcapFileHeader, encodePcapRecord } from '../../../src/lib/pcap/writer.js';
import { FIXTURES, copyFrame, type FrameCopy } from './capture-truth.js';

const tmp = mkdtempSync(join(tmpdir(), 'voipdiag-capture-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NG = `${FIXTURES}lab/call_lo.pcapng`;
const PCAP = `${FIXTURES}lab/call_lo_en10mb.pcap`;

async function read(paths: string[], opts: Parameters<typeof readCaptures>[2] = {}) {
  const frames: FrameCopy[] = [];
  const summary = await readCaptures(paths, (f) => frames.push(copyFrame(f)), opts);
  return { frames, summary };
}

function direct(path: string): FrameCopy[] {
  const out: FrameCopy[] = [];
  parseCapture(readFileSync(path), (f) => out.push(copyFrame(f)));
  return out;
}

/** Write a µs pcap of (sec, µs, payload byte) records. */
function writePcap(name: string, records: [number, number, number][]): string {
  const parts = [encodePcapFileHeader({ linkType: 1 })];
  for (const [sec, us, b] of records) parts.push(encodePcapRecord(sec, us * 1000, Uint8Array.of(b)));
  const path = join(tmp, name);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

async function rejection(p: Promise<unknown>): Promise<VoipdiagError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VoipdiagError);
  return err as VoipdiagError;
}

describe('one file', () => {
  it('delivers the same frames as the parser, with a file summary', async () => {
    const { frames, summary } = await read([NG]);
    expect(frames).toEqual(direct(NG));
    expect(summary).toMatchObject({ packets: 168, warnings: [], aborted: false });
    expect(summary.files).toEqual([
      {
        path: NG,
        format: 'pcapng',
        linkTypes: [1],
        packets: 168,
        bytes: summary.bytes,
        firstTs: { sec: 1795341362, nsec: 818349479 },
        lastTs: { sec: 1795341365, nsec: 534777013 },
        truncated: false,
        interfaceDrops: [expect.objectContaining({ interfaceId: 0, name: 'lo', dropped: 0 })],
      },
    ]);
  });

  it('reads a file larger than one read chunk (records split across 1 MiB chunks)', async () => {
    const records: [number, number, number][] = [];
    const parts = [encodePcapFileHeader({ linkType: 1 })];
    const payload = new Uint8Array(333);
    for (let i = 0; i < 9000; i++) {
      payload[0] = i & 0xff;
      parts.push(encodePcapRecord(1000 + i, 0, payload));
      records.push([1000 + i, 0, i & 0xff]);
    }
    const path = join(tmp, 'big.pcap');
    writeFileSync(path, Buffer.concat(parts)); // ≈ 3.1 MB
    const progress: number[] = [];
    const { frames, summary } = await read([path], { onProgress: (p) => progress.push(p.bytesRead) });
    expect(summary.packets).toBe(9000);
    expect(frames.map((f) => f.tsSec)).toEqual(records.map((r) => r[0]));
    expect(frames.every((f, i) => f.data.startsWith((i & 0xff).toString(16).padStart(2, '0')))).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toBe(readFileSync(path).length);
  });

  it('a header-only capture is valid (0 packets, no warning)', async () => {
    const path = writePcap('empty-capture.pcap', []);
    const { summary } = await read([path]);
    expect(summary).toMatchObject({ packets: 0, warnings: [] });
    expect(summary.files[0]).toMatchObject({ packets: 0, firstTs: null, lastTs: null, truncated: false });
  });
});

describe('gzip and stdin', () => {
  it('reads a gzipped copy identically', async () => {
    const gz = join(tmp, 'call_lo.pcapng.gz');
    writeFileSync(gz, gzipSync(readFileSync(NG)));
    const { frames, summary } = await read([gz]);
    expect(frames).toEqual(direct(NG));
    expect(summary.files[0]).toMatchObject({ format: 'pcapng', packets: 168 });
  });

  it('reads a gzip file larger than one read chunk', async () => {
    const parts = [encodePcapFileHeader({ linkType: 1 })];
    for (let i = 0; i < 6000; i++) parts.push(encodePcapRecord(2000 + i, 0, randomBytes(500)));
    const plain = join(tmp, 'random.pcap');
    const gz = join(tmp, 'random.pcap.gz');
    writeFileSync(plain, Buffer.concat(parts));
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    expect(readFileSync(gz).length).toBeGreaterThan(2 * 1024 * 1024);
    const progress: number[] = [];
    const { frames, summary } = await read([gz], { onProgress: (p) => progress.push(p.bytesRead) });
    expect(summary.packets).toBe(6000);
    expect(frames).toEqual(direct(plain));
    expect(progress.at(-1)).toBe(readFileSync(gz).length);
  });

  it('reads `-` from the given stdin stream, plain and gzipped, in small chunks', async () => {
    const bytes = readFileSync(PCAP);
    for (const data of [bytes, gzipSync(bytes)]) {
      const chunks = Array.from({ length: Math.ceil(data.length / 1000) }, (_, i) => data.subarray(i * 1000, i * 1000 + 1000));
      const { frames, summary } = await read(['-'], { stdin: Readable.from(chunks) });
      expect(frames).toEqual(direct(PCAP));
      expect(summary.files[0]).toMatchObject({ path: '-', format: 'pcap', packets: 168 });
    }
  });

  it('reads `-` through a real pipe from a child process (cat-like writer)', async () => {
    const child = spawn(process.execPath, ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(NG)}))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const { frames, summary } = await read(['-'], { stdin: child.stdout });
    expect(frames).toEqual(direct(NG));
    expect(summary.files[0]).toMatchObject({ path: '-', format: 'pcapng', packets: 168 });
  });

  it('a gzip stream cut short: frames before the cut and a GZIP_TRUNCATED warning', async () => {
    const gz = gzipSync(readFileSync(PCAP));
    const path = join(tmp, 'cut.pcap.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const { frames, summary } = await read([path]);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(168);
    expect(frames).toEqual(direct(PCAP).slice(0, frames.length));
    expect(summary.warnings.map((w) => w.code)).toEqual(['GZIP_TRUNCATED']);
  });
});

describe('several files: merged in time order', () => {
  it('interleaves two files by timestamp; ties keep file order', async () => {
    const a = writePcap('a.pcap', [
      [1, 0, 0xa1],
      [3, 0, 0xa2],
      [5, 0, 0xa3],
    ]);
    const b = writePcap('b.pcap', [
      [2, 0, 0xb1],
      [3, 0, 0xb2],
      [4, 0, 0xb3],
      [6, 0, 0xb4],
    ]);
    const { frames, summary } = await read([a, b]);
    expect(frames.map((f) => [f.data, f.fileIndex, f.index])).toEqual([
      ['a1', 0, 1],
      ['b1', 1, 1],
      ['a2', 0, 2],
      ['b2', 1, 2],
      ['b3', 1, 3],
      ['a3', 0, 3],
      ['b4', 1, 4],
    ]);
    expect(summary.packets).toBe(7);
    expect(summary.files.map((f) => f.packets)).toEqual([3, 4]);
  });

  it('merges large files across many chunks (bounded buffering) in order', async () => {
    const mk = (name: string, offsetMs: number): string => {
      const parts = [encodePcapFileHeader({ linkType: 1 })];
      const payload = new Uint8Array(400);
      for (let i = 0; i < 6000; i++) parts.push(encodePcapRecord(100 + Math.floor(i / 500), ((i % 500) * 2 + offsetMs) * 1_000_000, payload));
      const path = join(tmp, name);
      writeFileSync(path, Buffer.concat(parts)); // ≈ 2.5 MB each
      return path;
    };
    const even = mk('even.pcap', 0);
    const odd = mk('odd.pcap', 1);
    let n = 0;
    let last = -1;
    const files: number[] = [];
    const summary = await readCaptures([even, odd], (f) => {
      const t = f.tsSec * 1e9 + f.tsNsec;
      expect(t).toBeGreaterThan(last);
      last = t;
      files.push(f.fileIndex);
      n++;
    });
    expect(n).toBe(12000);
    expect(summary.packets).toBe(12000);
    expect(files.slice(0, 6)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('merges a real pcapng with a real pcap', async () => {
    const { frames } = await read([NG, `${FIXTURES}public/sipp-5-calls-udp.pcap`]);
    expect(frames.length).toBe(168 + 30);
    for (let i = 1; i < frames.length; i++) {
      const p = frames[i - 1]!;
      const c = frames[i]!;
      expect(c.tsSec > p.tsSec || (c.tsSec === p.tsSec && c.tsNsec >= p.tsNsec)).toBe(true);
    }
  });
});

describe('truncated files: not an error', () => {
  it('delivers the complete frames and one TRUNCATED warning', async () => {
    const bytes = readFileSync(PCAP);
    const path = join(tmp, 'cut.pcap');
    // the file header (24) + first record (16 + incl_len) + 30 bytes of the second record
    const firstLen = 16 + bytes.readUInt32LE(24 + 8);
    writeFileSync(path, bytes.subarray(0, 24 + firstLen + 30));
    const secondLen = 16 + bytes.readUInt32LE(24 + firstLen + 8);
    const { frames, summary } = await read([path]);
    expect(frames).toEqual(direct(PCAP).slice(0, 1));
    expect(summary.files[0]?.truncated).toBe(true);
    expect(summary.warnings).toEqual([
      {
        code: 'TRUNCATED',
        message: `${path}: file ends inside frame 2 (need ${secondLen} bytes, have 30); analysed the 1 complete frames`,
      },
    ]);
  });
});

describe('bad input: exit code 3, one-line message with the reason', () => {
  it('a text file is NOT_A_CAPTURE', async () => {
    const path = join(tmp, 'notes.txt');
    writeFileSync(path, 'hello, this is not a capture\n');
    const err = await rejection(read([path]));
    expect(err.code).toBe('NOT_A_CAPTURE');
    expect(err.exitCode).toBe(ExitCode.badInput);
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(`${path}: not a pcap or pcapng file (starts with 0x68656c6c)`);
    expect(err.message).not.toContain('\n');
  });

  it('a 0-byte file is NOT_A_CAPTURE (empty file)', async () => {
    const path = join(tmp, 'zero.pcap');
    writeFileSync(path, '');
    const err = await rejection(read([path]));
    expect(err.code).toBe('NOT_A_CAPTURE');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(`${path}: not a pcap or pcapng file (empty file)`);
  });

  it('a missing file is FILE_NOT_FOUND', async () => {
    const err = await rejection(read([join(tmp, 'nope.pcap')]));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.exitCode).toBe(3);
  });

  it('a directory is FILE_UNREADABLE', async () => {
    const dir = join(tmp, 'a-dir');
    mkdirSync(dir, { recursive: true });
    const err = await rejection(read([dir]));
    expect(err.code).toBe('FILE_UNREADABLE');
    expect(err.exitCode).toBe(3);
  });

  it.each([
    ['a text file', '#!/bin/sh\n'],
    ['an empty file', ''],
  ])('one bad file among several (%s) fails before any frame is delivered', async (_name, content) => {
    const path = join(tmp, `bad-among-several-${content.length}`);
    writeFileSync(path, content);
    let delivered = 0;
    const err = await rejection(readCaptures([PCAP, path], () => delivered++));
    expect(err.code).toBe('NOT_A_CAPTURE');
    expect(delivered).toBe(0);
  });

  it('a gzipped text file is NOT_A_CAPTURE, naming the decompressed bytes', async () => {
    const path = join(tmp, 'notes.txt.gz');
    writeFileSync(path, gzipSync('just text'));
    const err = await rejection(read([path]));
    expect(err.code).toBe('NOT_A_CAPTURE');
    expect(err.message).toBe(`${path}: not a pcap or pcapng file (gzip data that starts with 0x6a757374)`);
  });

  it.each([
    ['a lone newline', '0a', 'holds only 1 byte: 0x0a'],
    ['half a pcap magic', 'd4c3', 'holds only 2 bytes: 0xd4c3'],
  ])('a file shorter than a magic number (%s) is NOT_A_CAPTURE', async (_name, bytes, reason) => {
    const path = join(tmp, `short-${bytes}.pcap`);
    writeFileSync(path, Buffer.from(bytes, 'hex'));
    const err = await rejection(read([path]));
    expect(err.code).toBe('NOT_A_CAPTURE');
    expect(err.message).toBe(`${path}: not a pcap or pcapng file (${reason})`);
  });

  it('stdin that is not a capture is NOT_A_CAPTURE', async () => {
    const err = await rejection(read(['-'], { stdin: Readable.from([Buffer.from('{"json": true}')]) }));
    expect(err.message).toBe('-: not a pcap or pcapng file (starts with 0x7b226a73)');
  });

  it('a pcap cut inside its file header is read as truncated, not rejected', async () => {
    const path = join(tmp, 'header-cut.pcap');
    writeFileSync(path, readFileSync(PCAP).subarray(0, 10));
    const { summary } = await read([path]);
    expect(summary.packets).toBe(0);
    expect(summary.warnings).toEqual([
      { code: 'TRUNCATED', message: `${path}: file ends inside the file header (need 24 bytes, have 10); no frames to analyse` },
    ]);
  });

  it('a corrupt block mid-file keeps the frames before it and warns', async () => {
    const bytes = Uint8Array.from(readFileSync(NG));
    // the 3rd block (first EPB) starts after SHB (0xa4) and IDB (0x58): break its length
    const at = 0xa4 + 0x58 + 4;
    const second = at - 4 + new DataView(bytes.buffer).getUint32(at, true);
    new DataView(bytes.buffer).setUint32(second + 4, 13, true);
    const path = join(tmp, 'corrupt.pcapng');
    writeFileSync(path, bytes);
    const { frames, summary } = await read([path]);
    expect(frames).toHaveLength(1);
    expect(summary.warnings.map((w) => w.code)).toEqual(['CAPTURE_CORRUPT']);
  });
});

describe('abort', () => {
  it('stops reading when the signal fires and resolves with what was read', async () => {
    const ac = new AbortController();
    let n = 0;
    const summary: CaptureReadSummary = await readCaptures(
      [PCAP],
      () => {
        if (++n === 10) ac.abort();
      },
      { signal: ac.signal },
    );
    expect(n).toBe(10);
    expect(summary.aborted).toBe(true);
    expect(summary.packets).toBe(10);
    expect(summary.warnings).toEqual([]);
  });

  it('an endless stdin is released when the signal fires', async () => {
    const ac = new AbortController();
    const stdin = new PassThrough();
    stdin.write(readFileSync(PCAP).subarray(0, 2000));
    let n = 0;
    const done = readCaptures(['-'], () => n++, { signal: ac.signal, stdin });
    setTimeout(() => ac.abort(), 50);
    const summary = await done;
    expect(summary.aborted).toBe(true);
    expect(n).toBeGreaterThan(0);
  });

  it('an already-aborted signal reads nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const summary = await readCaptures([PCAP], () => undefined, { signal: ac.signal });
    expect(summary).toMatchObject({ packets: 0, aborted: true });
  });
});
