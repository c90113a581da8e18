/**
 * Test helpers for the capture generator: generate into memory, and walk the classic-pcap
 * records independently of the project's reader.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { writeCapture, type CaptureScenarioInput, type CaptureTruth } from '../../../src/lib/gen/index.js';

export async function generateInMemory(input: CaptureScenarioInput): Promise<{ bytes: Uint8Array; truth: CaptureTruth }> {
  const chunks: Uint8Array[] = [];
  const sink = new Writable({
    write(chunk: Uint8Array, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const truth = await writeCapture(input, sink, { batchBytes: 64 * 1024 });
  return { bytes: Buffer.concat(chunks), truth };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface PcapRecord {
  tsSec: number;
  tsUsec: number;
  data: Uint8Array;
}

/** Little-endian µs classic pcap only (what the generator writes). */
export function readRecords(bytes: Uint8Array): { linkType: number; snaplen: number; records: PcapRecord[] } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== 0xa1b2c3d4) throw new Error('not a LE µs pcap');
  const records: PcapRecord[] = [];
  let o = 24;
  while (o < bytes.length) {
    const incl = v.getUint32(o + 8, true);
    if (v.getUint32(o + 12, true) !== incl) throw new Error(`record at ${o}: orig_len ≠ incl_len`);
    records.push({ tsSec: v.getUint32(o, true), tsUsec: v.getUint32(o + 4, true), data: bytes.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  if (o !== bytes.length) throw new Error('trailing bytes');
  return { linkType: v.getUint32(20, true), snaplen: v.getUint32(16, true), records };
}
