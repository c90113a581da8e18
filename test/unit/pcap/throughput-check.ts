/**
 * Reader throughput check: not a test, not part of CI. Generates a 1 M-record capture (200-byte
 * frames) with PcapFileWriter, plus the same frames as pcapng (EPB, ns resolution), then times:
 *   - CaptureStreamParser over the bytes already in memory, pushed in 1 MiB chunks;
 *   - readCaptures() end to end (fs.createReadStream, 1 MiB reads; file in the page cache).
 *
 * Run:  npx tsc -p tsconfig.json --outDir /tmp/voipdiag-tp && node /tmp/voipdiag-tp/test/unit/pcap/throughput-check.js
 */
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptures } from '../../../src/lib/io/capture-files.js';
import type { Frame } from '../../../src/lib/pcap/frame.js';
import { CaptureStreamParser } from '../../../src/lib/pcap/stream-parser.js';
import { PcapFileWriter } from '../../../src/lib/pcap/writer.js';

const RECORDS = 1_000_000;
const FRAME_BYTES = 200;
const CHUNK = 1024 * 1024;
const RUNS = 7;

async function makePcap(path: string): Promise<void> {
  const w = new PcapFileWriter(createWriteStream(path), { linkType: 1, nanosecond: false, batchBytes: 1 << 20 });
  const data = new Uint8Array(FRAME_BYTES);
  for (let i = 0; i < RECORDS; i++) {
    data[0] = i & 0xff;
    if (!w.write(1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1_000_000 + 123_000, data)) await w.drained();
  }
  await w.close();
}

function makePcapng(path: string): void {
  const epbLen = 28 + FRAME_BYTES + 4;
  const out = Buffer.alloc(28);
  const o = 0;
  // SHB
  out.writeUInt32LE(0x0a0d0d0a, o);
  out.writeUInt32LE(28, o + 4);
  out.writeUInt32LE(0x1a2b3c4d, o + 8);
  out.writeUInt16LE(1, o + 12);
  out.writeBigInt64LE(-1n, o + 16);
  out.writeUInt32LE(28, o + 24);
  // IDB, Ethernet, snaplen 0, options: if_tsresol 9 (ns), end
  const idb = Buffer.alloc(28);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(28, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(0, 12);
  idb.writeUInt16LE(9, 16);
  idb.writeUInt16LE(1, 18);
  idb.writeUInt8(9, 20);
  idb.writeUInt32LE(28, 24);
  const body = Buffer.alloc(RECORDS * epbLen);
  let p = 0;
  for (let i = 0; i < RECORDS; i++) {
    const t = BigInt(1_700_000_000 + Math.floor(i / 1000)) * 1_000_000_000n + BigInt((i % 1000) * 1_000_000 + 123_456);
    body.writeUInt32LE(6, p);
    body.writeUInt32LE(epbLen, p + 4);
    body.writeUInt32LE(0, p + 8);
    body.writeUInt32LE(Number(t >> 32n), p + 12);
    body.writeUInt32LE(Number(t & 0xffffffffn), p + 16);
    body.writeUInt32LE(FRAME_BYTES, p + 20);
    body.writeUInt32LE(FRAME_BYTES, p + 24);
    body[p + 28] = i & 0xff;
    body.writeUInt32LE(epbLen, p + epbLen - 4);
    p += epbLen;
  }
  writeFileSync(path, Buffer.concat([out, idb, body]));
}

let checksum = 0;
const sink = (f: Frame): void => {
  checksum = (checksum + f.data.length + (f.data[0] ?? 0) + f.tsNsec) | 0;
};

/** Frames per second of wall time and per second of CPU time (user + system, this process). */
interface Rate {
  wall: number;
  cpu: number;
}

async function timed(run: () => Promise<number> | number): Promise<Rate> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const frames = await run();
  const wallNs = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  if (frames !== RECORDS) throw new Error(`read ${frames} frames`);
  return { wall: (RECORDS / wallNs) * 1e9, cpu: (RECORDS / (c.user + c.system)) * 1e6 };
}

function inMemory(bytes: Uint8Array): number {
  const parser = new CaptureStreamParser();
  for (let o = 0; o < bytes.length; o += CHUNK) parser.push(bytes.subarray(o, o + CHUNK), sink);
  return parser.end().frames;
}

async function endToEnd(path: string): Promise<number> {
  return (await readCaptures([path], sink)).packets;
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M frames/s`;

async function main(): Promise<void> {
  const pcap = join(tmpdir(), 'voipdiag-throughput-1m.pcap');
  const pcapng = join(tmpdir(), 'voipdiag-throughput-1m.pcapng');
  if (!existsSync(pcap)) await makePcap(pcap);
  if (!existsSync(pcapng)) makePcapng(pcapng);
  for (const [name, path] of [
    ['pcap µs', pcap],
    ['pcapng ns', pcapng],
  ] as const) {
    const bytes = new Uint8Array(readFileSync(path));
    const mem: Rate[] = [];
    const e2e: Rate[] = [];
    for (let run = 0; run < RUNS; run++) {
      mem.push(await timed(() => inMemory(bytes)));
      e2e.push(await timed(() => endToEnd(path)));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const show = (rs: Rate[]): string =>
      `wall median ${fmt(median(rs.map((r) => r.wall)))} (best ${fmt(Math.max(...rs.map((r) => r.wall)))}), ` +
      `per CPU-second median ${fmt(median(rs.map((r) => r.cpu)))}`;
    console.log(`${name} (${(bytes.length / 1e6).toFixed(0)} MB, ${RUNS} runs)`);
    console.log(`  parser, bytes in memory, 1 MiB pushes: ${show(mem)}`);
    console.log(`  readCaptures() from the file:          ${show(e2e)}`);
  }
  console.log(`checksum ${checksum}`);
}

void main();
