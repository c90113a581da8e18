/**
 * Tiny classic-pcap helper for the harness: copy the first N packets of a capture (used to cut
 * sip-tester's 7 s g711a.pcap into the RTP source a call plays). Not the project's pcap reader.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const MAGICS = new Map<number, boolean>([
  [0xa1b2c3d4, false], // µs, read as big endian => file is big endian
  [0xa1b23c4d, false],
  [0xd4c3b2a1, true], // file is little endian
  [0x4d3cb2a1, true],
]);

export interface PcapCut {
  packets: number;
  /** seconds between the first and the last packet kept */
  durationS: number;
}

/** Write the first `maxPackets` packets of `src` to `dst` (same header). */
export function cutPcap(src: string, dst: string, maxPackets: number): PcapCut {
  const buf = readFileSync(src);
  if (buf.length < 24) throw new Error(`${src}: not a pcap file`);
  const le = MAGICS.get(buf.readUInt32BE(0));
  if (le === undefined) throw new Error(`${src}: not a classic pcap file (magic ${buf.readUInt32BE(0).toString(16)})`);
  const nano = buf.readUInt32BE(0) === 0x4d3cb2a1 || buf.readUInt32BE(0) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  let off = 24;
  let n = 0;
  let first = -1;
  let last = 0;
  while (n < maxPackets && off + 16 <= buf.length) {
    const t = u32(off) + u32(off + 4) / (nano ? 1e9 : 1e6);
    const incl = u32(off + 8);
    if (off + 16 + incl > buf.length) break;
    if (first < 0) first = t;
    last = t;
    off += 16 + incl;
    n++;
  }
  writeFileSync(dst, buf.subarray(0, off));
  return { packets: n, durationS: n > 0 ? last - first : 0 };
}

/** Number of packets in a classic pcap file. */
export function countPcapPackets(file: string): number {
  const buf = readFileSync(file);
  const le = MAGICS.get(buf.readUInt32BE(0));
  if (le === undefined) throw new Error(`${file}: not a classic pcap file`);
  let off = 24;
  let n = 0;
  while (off + 16 <= buf.length) {
    const incl = le ? buf.readUInt32LE(off + 8) : buf.readUInt32BE(off + 8);
    off += 16 + incl;
    if (off > buf.length) break;
    n++;
  }
  return n;
}
