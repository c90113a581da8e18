/**
 * RTCP Receiver Report (PT 201) and the reception report block it shares with the Sender
 * Report — RFC 3550 §6.4.2 and §6.4.1.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|    RC   |   PT=RR=201   |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                     SSRC of packet sender                     |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |                 SSRC_1 (SSRC of first source)                 |  report
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  block
 *    | fraction lost |       cumulative number of packets lost       |    1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           extended highest sequence number received           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                      interarrival jitter                      |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                         last SR (LSR)                         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                   delay since last SR (DLSR)                  |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |                  profile-specific extensions                  |
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTCP_LAYER, type RtcpErrorCode } from './errors.js';
import { RTCP_HEADER_LENGTH, RTCP_PT, decodeRtcpFrame, readU32, writeRtcpHeader, writeU32 } from './header.js';

export const REPORT_BLOCK_LENGTH = 24;

export interface ReportBlock {
  /** SSRC of the source this block reports on. */
  ssrc: number;
  /** Fraction lost since the previous report, fixed point: lost / expected × 256 (0–255). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24 bits (negative with duplicates). */
  cumulativeLost: number;
  /** Cycles × 65536 + highest sequence number received. */
  extendedHighestSeq: number;
  /** Interarrival jitter, in RTP timestamp units. */
  jitter: number;
  /** LSR: middle 32 bits of the NTP timestamp of the last SR from that source; 0 if none. */
  lastSr: number;
  /** DLSR: delay since that SR was received, in units of 1/65536 s; 0 if none. */
  delaySinceLastSr: number;
}

export interface ReceiverReport {
  /** SSRC of the packet sender. */
  ssrc: number;
  reports: ReportBlock[];
  /** Profile-specific extension bytes after the report blocks, a view (often empty). */
  extension: Uint8Array;
}

/** Decodes one report block at `offset`; the caller has checked that 24 bytes are there. */
export function readReportBlock(buf: Uint8Array, at: number): ReportBlock {
  const lost24 = (buf[at + 5]! << 16) | (buf[at + 6]! << 8) | buf[at + 7]!;
  return {
    ssrc: readU32(buf, at),
    fractionLost: buf[at + 4]!,
    cumulativeLost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
    extendedHighestSeq: readU32(buf, at + 8),
    jitter: readU32(buf, at + 12),
    lastSr: readU32(buf, at + 16),
    delaySinceLastSr: readU32(buf, at + 20),
  };
}

export function writeReportBlock(out: Uint8Array, at: number, r: ReportBlock): void {
  writeU32(out, at, r.ssrc >>> 0);
  out[at + 4] = r.fractionLost & 0xff;
  const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.cumulativeLost))) & 0xffffff;
  out[at + 5] = lost >> 16;
  out[at + 6] = (lost >> 8) & 0xff;
  out[at + 7] = lost & 0xff;
  writeU32(out, at + 8, r.extendedHighestSeq >>> 0);
  writeU32(out, at + 12, r.jitter >>> 0);
  writeU32(out, at + 16, r.lastSr >>> 0);
  writeU32(out, at + 20, r.delaySinceLastSr >>> 0);
}

export function receiverReportLength(rr: Pick<ReceiverReport, 'reports' | 'extension'>): number {
  return RTCP_HEADER_LENGTH + 4 + REPORT_BLOCK_LENGTH * rr.reports.length + rr.extension.length;
}

export function decodeReceiverReport(buf: Uint8Array, offset = 0): Decoded<ReceiverReport, RtcpErrorCode> {
  const f = decodeRtcpFrame(buf, offset, RTCP_PT.RR);
  if (!f.ok) return f;
  const { count, bodyStart, bodyEnd, end } = f.value;
  if (bodyEnd - bodyStart < 4 + REPORT_BLOCK_LENGTH * count) return fail('BAD_LENGTH', RTCP_LAYER, offset + 2);
  const reports: ReportBlock[] = [];
  let at = bodyStart + 4;
  for (let i = 0; i < count; i++, at += REPORT_BLOCK_LENGTH) reports.push(readReportBlock(buf, at));
  return ok({ ssrc: readU32(buf, bodyStart), reports, extension: buf.subarray(at, bodyEnd) }, end);
}

/** Encodes an RR; extension bytes must be a multiple of 4, at most 31 report blocks. */
export function encodeReceiverReport(rr: ReceiverReport): Decoded<Uint8Array, RtcpErrorCode> {
  if (rr.reports.length > 31 || rr.extension.length % 4 !== 0) return fail('BAD_LENGTH', RTCP_LAYER, 0);
  const out = new Uint8Array(receiverReportLength(rr));
  writeRtcpHeader(out, 0, rr.reports.length, RTCP_PT.RR, out.length);
  writeU32(out, 4, rr.ssrc >>> 0);
  let at = 8;
  for (const r of rr.reports) {
    writeReportBlock(out, at, r);
    at += REPORT_BLOCK_LENGTH;
  }
  out.set(rr.extension, at);
  return ok(out, out.length);
}
