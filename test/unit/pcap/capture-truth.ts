/**
 * Shared helpers for the capture-reader tests: the fixture list, capinfos truth, frame capture.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../../../src/lib/pcap/frame.js';
import { CaptureStreamParser, type CaptureParseSummary } from '../../../src/lib/pcap/stream-parser.js';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

/** Every capture under fixtures/public and fixtures/lab that has tshark truth beside it. */
export function fixtureCaptures(): string[] {
  const out: string[] = [];
  for (const dir of ['public', 'lab']) {
    for (const name of readdirSync(join(FIXTURES, dir)).sort()) {
      if (!/\.(pcap|pcapng)$/.test(name)) continue;
      if (!existsSync(join(FIXTURES, dir, `${name}.truth`, 'capinfos.txt'))) continue;
      out.push(join(FIXTURES, dir, name));
    }
  }
  return out;
}

export interface CapinfosTruth {
  packets: number;
  /** "First packet time" / "Last packet time", exactly as printed (UTC on this machine). */
  first: string;
  last: string;
  /** Digits after the decimal point capinfos prints (6 or 9). */
  precision: number;
  /** "Data size" when capinfos printed it in bytes; otherwise the kB figure. */
  dataBytes: number | null;
  dataKb: number | null;
  encapsulation: string;
}

export function capinfos(path: string): CapinfosTruth {
  const text = readFileSync(`${path}.truth/capinfos.txt`, 'utf8');
  const field = (name: string): string => {
    const m = new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(text);
    if (m?.[1] === undefined) throw new Error(`${path}: no "${name}" in capinfos.txt`);
    return m[1].trim();
  };
  const size = field('Data size');
  const precision = Number(/\((\d+)\)/.exec(field('File timestamp precision'))?.[1] ?? '6');
  return {
    packets: Number(field('Number of packets')),
    first: field('First packet time'),
    last: field('Last packet time'),
    precision,
    dataBytes: size.endsWith(' bytes') ? Number(size.slice(0, -6)) : null,
    dataKb: size.endsWith(' kB') ? Number(size.slice(0, -3)) : null,
    encapsulation: field('File encapsulation'),
  };
}

/** capinfos' time format, computed in UTC: "2026-11-22 09:56:02.818349479" (precision digits). */
export function capinfosTime(sec: number, nsec: number, precision: number): string {
  const base = new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return `${base}.${nsec.toString().padStart(9, '0').slice(0, precision)}`;
}

/** A frame copied out of the reader (its data view is only valid during the callback). */
export interface FrameCopy {
  tsSec: number;
  tsNsec: number;
  linkType: number;
  origLen: number;
  index: number;
  fileIndex: number;
  data: string;
}

export function copyFrame(f: Frame): FrameCopy {
  return {
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    linkType: f.linkType,
    origLen: f.origLen,
    index: f.index,
    fileIndex: f.fileIndex,
    data: Buffer.from(f.data).toString('hex'),
  };
}

/** Feed `bytes` to a fresh parser in chunks of `chunkSize` (copies, so no chunk shares a buffer). */
export function parseInChunks(bytes: Uint8Array, chunkSize: number): { frames: FrameCopy[]; summary: CaptureParseSummary } {
  const parser = new CaptureStreamParser();
  const frames: FrameCopy[] = [];
  const sink = (f: Frame): void => {
    frames.push(copyFrame(f));
  };
  for (let off = 0; off < bytes.length; off += chunkSize) parser.push(bytes.slice(off, off + chunkSize), sink);
  return { frames, summary: parser.end() };
}
