/**
 * RTCP Extended Reports (PT 207) — RFC 3611 §2–3, with the VoIP Metrics block (§4.7) decoded
 * and every other block type kept raw (block type, type-specific byte, data view).
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|reserved |   PT=XR=207   |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                              SSRC                             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |      BT       | type-specific |         block length          |  report blocks:
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  length = words − 1,
 *    :             type-specific block contents                      :  header included
 *
 * VoIP Metrics (BT = 7, block length = 8):
 *
 *    |     BT=7      |   reserved    |       block length = 8        |
 *    |                        SSRC of source                         |
 *    |   loss rate   | discard rate  | burst density |  gap density  |
 *    |       burst duration          |         gap duration          |
 *    |     round trip delay          |       end system delay        |
 *    | signal level  |  noise level  |     RERL      |     Gmin      |
 *    |   R factor    | ext. R factor |    MOS-LQ     |    MOS-CQ     |
 *    |   RX config   |   reserved    |          JB nominal           |
 *    |          JB maximum           |          JB abs max           |
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTCP_LAYER, type RtcpErrorCode } from './errors.js';
import { RTCP_HEADER_LENGTH, RTCP_PT, decodeRtcpFrame, readU32, writeRtcpHeader, writeU32 } from './header.js';

/** RFC 3611 block types (IANA "RTCP XR Block Type"). */
export const XR_BLOCK = Object.freeze({
  LOSS_RLE: 1,
  DUPLICATE_RLE: 2,
  PACKET_RECEIPT_TIMES: 3,
  RECEIVER_REFERENCE_TIME: 4,
  DLRR: 5,
  STATISTICS_SUMMARY: 6,
  VOIP_METRICS: 7,
} as const);

const VOIP_METRICS_LENGTH = 36;
/** "Unavailable" marker of the signed and MOS/R fields (RFC 3611 §4.7.5–4.7.6). */
export const XR_UNAVAILABLE = 127;

export interface VoipMetrics {
  /** SSRC of the RTP stream these metrics are about. */
  ssrc: number;
  /** Fraction of packets lost, fixed point / 256 (0–255). */
  lossRate: number;
  /** Fraction discarded by the jitter buffer (late or early), / 256. */
  discardRate: number;
  /** Fraction lost or discarded within bursts, / 256. */
  burstDensity: number;
  /** Fraction lost or discarded within gaps, / 256. */
  gapDensity: number;
  /** Mean burst and gap durations, ms. */
  burstDurationMs: number;
  gapDurationMs: number;
  /** Most recent round-trip delay, ms (from RTCP LSR/DLSR or other means). */
  roundTripDelayMs: number;
  /** Mean end system delay (encode, jitter buffer, decode...), ms. */
  endSystemDelayMs: number;
  /** Signal and noise levels, dBm0, signed; 127 = unavailable. */
  signalLevelDbm: number;
  noiseLevelDbm: number;
  /** Residual echo return loss, dB; 127 = unavailable. */
  rerlDb: number;
  /** Gap threshold (packets received between losses to end a burst); usually 16. */
  gmin: number;
  /** R factors, 0–100; 127 = unavailable. */
  rFactor: number;
  extRFactor: number;
  /** MOS × 10 (10–50); 127 = unavailable. */
  mosLq: number;
  mosCq: number;
  /** Packet loss concealment: 0 unspecified, 1 disabled, 2 enhanced, 3 standard. */
  plc: number;
  /** Jitter buffer adaptive: 0 unknown, 1 reserved, 2 non-adaptive, 3 adaptive. */
  jitterBufferAdaptive: number;
  /** Jitter buffer adjustment rate, 0–15. */
  jitterBufferRate: number;
  /** Jitter buffer nominal, maximum and absolute maximum delay, ms. */
  jbNominalMs: number;
  jbMaximumMs: number;
  jbAbsMaxMs: number;
}

export type XrBlock =
  | { blockType: 7; voip: VoipMetrics }
  | { blockType: number; typeSpecific: number; /** Block contents after the 4-byte block header, a view. */ data: Uint8Array };

export interface ExtendedReport {
  /** SSRC of the packet sender. */
  ssrc: number;
  blocks: XrBlock[];
}

function s8(v: number): number {
  return v & 0x80 ? v - 0x100 : v;
}

function u16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

function readVoipMetrics(b: Uint8Array, at: number): VoipMetrics {
  const rx = b[at + 28]!;
  return {
    ssrc: readU32(b, at + 4),
    lossRate: b[at + 8]!,
    discardRate: b[at + 9]!,
    burstDensity: b[at + 10]!,
    gapDensity: b[at + 11]!,
    burstDurationMs: u16(b, at + 12),
    gapDurationMs: u16(b, at + 14),
    roundTripDelayMs: u16(b, at + 16),
    endSystemDelayMs: u16(b, at + 18),
    signalLevelDbm: s8(b[at + 20]!),
    noiseLevelDbm: s8(b[at + 21]!),
    rerlDb: b[at + 22]!,
    gmin: b[at + 23]!,
    rFactor: b[at + 24]!,
    extRFactor: b[at + 25]!,
    mosLq: b[at + 26]!,
    mosCq: b[at + 27]!,
    plc: rx >> 6,
    jitterBufferAdaptive: (rx >> 4) & 3,
    jitterBufferRate: rx & 0x0f,
    jbNominalMs: u16(b, at + 30),
    jbMaximumMs: u16(b, at + 32),
    jbAbsMaxMs: u16(b, at + 34),
  };
}

export function decodeExtendedReport(buf: Uint8Array, offset = 0): Decoded<ExtendedReport, RtcpErrorCode> {
  const f = decodeRtcpFrame(buf, offset, RTCP_PT.XR);
  if (!f.ok) return f;
  const { bodyStart, bodyEnd, end } = f.value;
  if (bodyEnd - bodyStart < 4) return fail('BAD_LENGTH', RTCP_LAYER, offset + 2);
  const blocks: XrBlock[] = [];
  let at = bodyStart + 4;
  while (at < bodyEnd) {
    if (at + 4 > bodyEnd) return fail('BAD_LENGTH', RTCP_LAYER, at);
    const bytes = 4 * (u16(buf, at + 2) + 1);
    if (at + bytes > bodyEnd) return fail('BAD_LENGTH', RTCP_LAYER, at + 2);
    const bt = buf[at]!;
    if (bt === XR_BLOCK.VOIP_METRICS && bytes === VOIP_METRICS_LENGTH) {
      blocks.push({ blockType: 7, voip: readVoipMetrics(buf, at) });
    } else {
      blocks.push({ blockType: bt, typeSpecific: buf[at + 1]!, data: buf.subarray(at + 4, at + bytes) });
    }
    at += bytes;
  }
  return ok({ ssrc: readU32(buf, bodyStart), blocks }, end);
}

function blockLength(b: XrBlock): number {
  return 'voip' in b ? VOIP_METRICS_LENGTH : 4 + b.data.length;
}

export function extendedReportLength(xr: ExtendedReport): number {
  return xr.blocks.reduce((n, b) => n + blockLength(b), RTCP_HEADER_LENGTH + 4);
}

/** Encodes an XR packet (for tests and probes); raw block data must be a multiple of 4 bytes. */
export function encodeExtendedReport(xr: ExtendedReport): Decoded<Uint8Array, RtcpErrorCode> {
  for (const b of xr.blocks) if (!('voip' in b) && (b.data.length % 4 !== 0 || b.data.length > 4 * 0xffff)) return fail('BAD_LENGTH', RTCP_LAYER, 0);
  const out = new Uint8Array(extendedReportLength(xr));
  writeRtcpHeader(out, 0, 0, RTCP_PT.XR, out.length);
  writeU32(out, 4, xr.ssrc >>> 0);
  let at = 8;
  for (const b of xr.blocks) {
    const bytes = blockLength(b);
    out[at + 2] = (bytes / 4 - 1) >> 8;
    out[at + 3] = (bytes / 4 - 1) & 0xff;
    if ('voip' in b) {
      const v = b.voip;
      out[at] = XR_BLOCK.VOIP_METRICS;
      writeU32(out, at + 4, v.ssrc >>> 0);
      const bytes8 = [v.lossRate, v.discardRate, v.burstDensity, v.gapDensity];
      bytes8.forEach((x, i) => (out[at + 8 + i] = x & 0xff));
      const put16 = (o: number, x: number) => {
        out[at + o] = (x >> 8) & 0xff;
        out[at + o + 1] = x & 0xff;
      };
      put16(12, v.burstDurationMs);
      put16(14, v.gapDurationMs);
      put16(16, v.roundTripDelayMs);
      put16(18, v.endSystemDelayMs);
      [v.signalLevelDbm, v.noiseLevelDbm, v.rerlDb, v.gmin, v.rFactor, v.extRFactor, v.mosLq, v.mosCq].forEach((x, i) => (out[at + 20 + i] = x & 0xff));
      out[at + 28] = ((v.plc & 3) << 6) | ((v.jitterBufferAdaptive & 3) << 4) | (v.jitterBufferRate & 0x0f);
      put16(30, v.jbNominalMs);
      put16(32, v.jbMaximumMs);
      put16(34, v.jbAbsMaxMs);
    } else {
      out[at] = b.blockType;
      out[at + 1] = b.typeSpecific;
      out.set(b.data, at + 4);
    }
    at += bytes;
  }
  return ok(out, out.length);
}
