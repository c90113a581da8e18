/**
 * RTCP Sender Report (PT 200) — RFC 3550 §6.4.1.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|    RC   |   PT=SR=200   |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                         SSRC of sender                        |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |              NTP timestamp, most significant word             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |             NTP timestamp, least significant word             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                         RTP timestamp                         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                     sender's packet count                     |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                      sender's octet count                     |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |                 report blocks (RC × 24 bytes)                 |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |                  profile-specific extensions                  |
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTCP_LAYER, type RtcpErrorCode } from './errors.js';
import { RTCP_HEADER_LENGTH, RTCP_PT, decodeRtcpFrame, readU32, writeRtcpHeader, writeU32 } from './header.js';
import { REPORT_BLOCK_LENGTH, readReportBlock, writeReportBlock, type ReportBlock } from './receiver-report.js';

/** Sender info length: SSRC, NTP (2 words), RTP timestamp, packet and octet counts. */
const SENDER_INFO_LENGTH = 24;

export interface SenderReport {
  /** SSRC of the sender. */
  ssrc: number;
  /** NTP timestamp: whole seconds since 1900-01-01, and the fraction in units of 2^−32 s. */
  ntpSec: number;
  ntpFrac: number;
  /** The same instant in RTP timestamp units. */
  rtpTimestamp: number;
  /** Packets and payload octets sent since the sender started (mod 2^32). */
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
  /** Profile-specific extension bytes, a view (often empty). */
  extension: Uint8Array;
}

export function senderReportLength(sr: Pick<SenderReport, 'reports' | 'extension'>): number {
  return RTCP_HEADER_LENGTH + SENDER_INFO_LENGTH + REPORT_BLOCK_LENGTH * sr.reports.length + sr.extension.length;
}

export function decodeSenderReport(buf: Uint8Array, offset = 0): Decoded<SenderReport, RtcpErrorCode> {
  const f = decodeRtcpFrame(buf, offset, RTCP_PT.SR);
  if (!f.ok) return f;
  const { count, bodyStart, bodyEnd, end } = f.value;
  if (bodyEnd - bodyStart < SENDER_INFO_LENGTH + REPORT_BLOCK_LENGTH * count) return fail('BAD_LENGTH', RTCP_LAYER, offset + 2);
  const reports: ReportBlock[] = [];
  let at = bodyStart + SENDER_INFO_LENGTH;
  for (let i = 0; i < count; i++, at += REPORT_BLOCK_LENGTH) reports.push(readReportBlock(buf, at));
  return ok(
    {
      ssrc: readU32(buf, bodyStart),
      ntpSec: readU32(buf, bodyStart + 4),
      ntpFrac: readU32(buf, bodyStart + 8),
      rtpTimestamp: readU32(buf, bodyStart + 12),
      packetCount: readU32(buf, bodyStart + 16),
      octetCount: readU32(buf, bodyStart + 20),
      reports,
      extension: buf.subarray(at, bodyEnd),
    },
    end,
  );
}

/** Encodes an SR; extension bytes must be a multiple of 4, at most 31 report blocks. */
export function encodeSenderReport(sr: SenderReport): Decoded<Uint8Array, RtcpErrorCode> {
  if (sr.reports.length > 31 || sr.extension.length % 4 !== 0) return fail('BAD_LENGTH', RTCP_LAYER, 0);
  const out = new Uint8Array(senderReportLength(sr));
  writeRtcpHeader(out, 0, sr.reports.length, RTCP_PT.SR, out.length);
  writeU32(out, 4, sr.ssrc >>> 0);
  writeU32(out, 8, sr.ntpSec >>> 0);
  writeU32(out, 12, sr.ntpFrac >>> 0);
  writeU32(out, 16, sr.rtpTimestamp >>> 0);
  writeU32(out, 20, sr.packetCount >>> 0);
  writeU32(out, 24, sr.octetCount >>> 0);
  let at = 28;
  for (const r of sr.reports) {
    writeReportBlock(out, at, r);
    at += REPORT_BLOCK_LENGTH;
  }
  out.set(sr.extension, at);
  return ok(out, out.length);
}

/** Seconds between 1900-01-01 (NTP era 0) and 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_SEC = 2_208_988_800;

/** A Unix time (seconds + nanoseconds) as NTP seconds and fraction (era 0 wraps in 2036). */
export function unixToNtp(sec: number, nsec: number): { ntpSec: number; ntpFrac: number } {
  return { ntpSec: (sec + NTP_UNIX_OFFSET_SEC) >>> 0, ntpFrac: Math.floor((nsec / 1e9) * 4294967296) >>> 0 };
}
