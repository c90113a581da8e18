/**
 * Readers for the tshark cross-check: `<capture>.truth/rtp-streams.txt` (tshark -z rtp,streams)
 * and `fixtures/derived/<capture>.rtp.tsv` (scripts/extract-rtp-fields.sh).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RtpPacketInfo } from '../../../src/lib/metrics/rtp-stream-stats.js';
import { parseRtpStreamsText } from '../../helpers/truth.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface TruthStream {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  ssrc: number;
  payload: string;
  packets: number;
  lost: number;
  lostPct: number;
  minDeltaMs: number;
  meanDeltaMs: number;
  maxDeltaMs: number;
  minJitterMs: number;
  meanJitterMs: number;
  maxJitterMs: number;
  problems: boolean;
}

/** `rtp-streams.txt` rows, SSRC as a number and field names in ms (test/helpers/truth.ts parses). */
export function readTruth(file: string): TruthStream[] {
  return parseRtpStreamsText(fs.readFileSync(file, 'utf8')).map((t) => ({
    src: t.src,
    srcPort: t.srcPort,
    dst: t.dst,
    dstPort: t.dstPort,
    ssrc: parseInt(t.ssrc.slice(2), 16),
    payload: t.payload,
    packets: t.packets,
    lost: t.lost,
    lostPct: t.lostPct,
    minDeltaMs: t.minDelta,
    meanDeltaMs: t.meanDelta,
    maxDeltaMs: t.maxDelta,
    minJitterMs: t.minJitter,
    meanJitterMs: t.meanJitter,
    maxJitterMs: t.maxJitter,
    problems: t.problems,
  }));
}

export interface DerivedPacket extends RtpPacketInfo {
  frame: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}

export function readDerived(file: string): DerivedPacket[] {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const c = line.split('\t');
    const eventId = c[13] ?? '';
    const head =
      eventId === ''
        ? -1
        : ((Number(eventId) << 24) | (c[14] === '1' ? 0x800000 : 0) | Number(c[15] ?? 0)) >>> 0;
    return {
      frame: Number(c[0]),
      arrivalSec: Number(c[1]),
      arrivalNsec: Number(c[2]),
      src: c[3]!,
      srcPort: Number(c[4]),
      dst: c[5]!,
      dstPort: Number(c[6]),
      ssrc: parseInt(c[7]!, 16),
      seq: Number(c[8]),
      timestamp: Number(c[9]),
      pt: Number(c[10]),
      marker: c[11] === '1',
      payloadBytes: Number(c[12]),
      payloadHead32: head,
    };
  });
}

export function streamKey(s: { src: string; srcPort: number; dst: string; dstPort: number; ssrc: number }): string {
  return `${s.src}:${s.srcPort}>${s.dst}:${s.dstPort}/${(s.ssrc >>> 0).toString(16)}`;
}
