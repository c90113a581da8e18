/**
 * RTP fixed header, CSRC list and header extension — RFC 3550 §5.1 and §5.3.1.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           timestamp                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           synchronization source (SSRC) identifier            |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |            contributing source (CSRC) identifiers             |
 *    |                             ....  (CC of them)                |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |      defined by profile       |           length              |   (X = 1)
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                        header extension (length words)        |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * An RTP packet is a whole UDP datagram: the payload runs to the end of the buffer, less the
 * padding when P is set (the last octet holds the padding count, itself included).
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTP_LAYER, type RtpErrorCode } from './errors.js';

export const RTP_VERSION = 2;
/** Fixed header length, bytes. */
export const RTP_FIXED_HEADER_LENGTH = 12;

export interface RtpHeaderExtension {
  /** The 16 "defined by profile" bits (0xBEDE: RFC 8285 one-byte form; 0x100x: two-byte form). */
  profile: number;
  /** Extension data, a view (length field × 4 bytes). */
  data: Uint8Array;
}

export interface RtpPacket {
  /** True when the P bit was set; `paddingBytes` then counts the padding, last octet included. */
  padding: boolean;
  paddingBytes: number;
  marker: boolean;
  /** Payload type, 0–127. */
  payloadType: number;
  /** Sequence number, 0–65535. */
  sequenceNumber: number;
  /** RTP timestamp, in units of the payload's clock rate, 0–2^32−1. */
  timestamp: number;
  /** Synchronisation source, unsigned 32 bits. */
  ssrc: number;
  /** Contributing sources (CC of them), unsigned 32 bits each. */
  csrc: number[];
  extension: RtpHeaderExtension | null;
  /** Payload bytes, a view into the decoded buffer (padding excluded). */
  payload: Uint8Array;
}

/** Header length in bytes (fixed part, CSRCs, extension) of a packet about to be encoded. */
export function rtpHeaderLength(p: Pick<RtpPacket, 'csrc' | 'extension'>): number {
  return RTP_FIXED_HEADER_LENGTH + 4 * p.csrc.length + (p.extension ? 4 + p.extension.data.length : 0);
}

/** Whole encoded length: header, payload and padding. */
export function rtpPacketLength(p: Pick<RtpPacket, 'csrc' | 'extension' | 'payload' | 'padding' | 'paddingBytes'>): number {
  return rtpHeaderLength(p) + p.payload.length + (p.padding ? p.paddingBytes : 0);
}

function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/**
 * Decodes the RTP packet that fills `buf` from `offset` to its end. Never throws: truncation
 * gives TRUNCATED with `need`/`have` counted from `offset`.
 */
export function decodeRtp(buf: Uint8Array, offset = 0): Decoded<RtpPacket, RtpErrorCode> {
  const have = buf.length - offset;
  if (have < RTP_FIXED_HEADER_LENGTH) return fail('TRUNCATED', RTP_LAYER, offset, RTP_FIXED_HEADER_LENGTH, Math.max(0, have));
  const b0 = buf[offset]!;
  if (b0 >> 6 !== RTP_VERSION) return fail('BAD_VERSION', RTP_LAYER, offset);
  const b1 = buf[offset + 1]!;
  const cc = b0 & 0x0f;
  let need = RTP_FIXED_HEADER_LENGTH + 4 * cc;
  if (have < need) return fail('TRUNCATED', RTP_LAYER, offset, need, have);
  const csrc: number[] = [];
  for (let i = 0; i < cc; i++) csrc.push(u32(buf, offset + RTP_FIXED_HEADER_LENGTH + 4 * i));
  let extension: RtpHeaderExtension | null = null;
  if (b0 & 0x10) {
    const extAt = offset + need;
    need += 4;
    if (have < need) return fail('TRUNCATED', RTP_LAYER, offset, need, have);
    const words = (buf[extAt + 2]! << 8) | buf[extAt + 3]!;
    need += 4 * words;
    if (have < need) return fail('TRUNCATED', RTP_LAYER, offset, need, have);
    extension = { profile: (buf[extAt]! << 8) | buf[extAt + 1]!, data: buf.subarray(extAt + 4, offset + need) };
  }
  let paddingBytes = 0;
  const padding = (b0 & 0x20) !== 0;
  if (padding) {
    paddingBytes = buf[buf.length - 1]!;
    if (paddingBytes === 0 || paddingBytes > have - need) return fail('BAD_PADDING', RTP_LAYER, buf.length - 1);
  }
  return ok(
    {
      padding,
      paddingBytes,
      marker: (b1 & 0x80) !== 0,
      payloadType: b1 & 0x7f,
      sequenceNumber: (buf[offset + 2]! << 8) | buf[offset + 3]!,
      timestamp: u32(buf, offset + 4),
      ssrc: u32(buf, offset + 8),
      csrc,
      extension,
      payload: buf.subarray(offset + need, buf.length - paddingBytes),
    },
    buf.length,
  );
}

/** What `encodeRtp` needs; padding defaults to none. */
export type RtpPacketInit = Omit<RtpPacket, 'padding' | 'paddingBytes' | 'csrc' | 'extension'> &
  Partial<Pick<RtpPacket, 'padding' | 'paddingBytes' | 'csrc' | 'extension'>>;

/**
 * Encodes one RTP packet. Fails with BAD_LENGTH when a field does not fit its bits (more than
 * 15 CSRCs, extension data not a multiple of 4 bytes or over 65535 words, padding count
 * outside 1–255, payload type over 127).
 */
export function encodeRtp(init: RtpPacketInit): Decoded<Uint8Array, RtpErrorCode> {
  const csrc = init.csrc ?? [];
  const extension = init.extension ?? null;
  const padding = init.padding ?? false;
  const paddingBytes = padding ? (init.paddingBytes ?? 0) : 0;
  if (csrc.length > 15) return fail('BAD_LENGTH', RTP_LAYER, 0);
  if (extension && (extension.data.length % 4 !== 0 || extension.data.length / 4 > 0xffff)) return fail('BAD_LENGTH', RTP_LAYER, 0);
  if (padding && (paddingBytes < 1 || paddingBytes > 255)) return fail('BAD_LENGTH', RTP_LAYER, 0);
  if (init.payloadType < 0 || init.payloadType > 127) return fail('BAD_LENGTH', RTP_LAYER, 1);
  const headerLength = rtpHeaderLength({ csrc, extension });
  const out = new Uint8Array(headerLength + init.payload.length + paddingBytes);
  const view = new DataView(out.buffer);
  out[0] = (RTP_VERSION << 6) | (padding ? 0x20 : 0) | (extension ? 0x10 : 0) | csrc.length;
  out[1] = (init.marker ? 0x80 : 0) | init.payloadType;
  view.setUint16(2, init.sequenceNumber & 0xffff);
  view.setUint32(4, init.timestamp >>> 0);
  view.setUint32(8, init.ssrc >>> 0);
  let at = RTP_FIXED_HEADER_LENGTH;
  for (const c of csrc) {
    view.setUint32(at, c >>> 0);
    at += 4;
  }
  if (extension) {
    view.setUint16(at, extension.profile & 0xffff);
    view.setUint16(at + 2, extension.data.length / 4);
    out.set(extension.data, at + 4);
    at += 4 + extension.data.length;
  }
  out.set(init.payload, at);
  if (padding) out[out.length - 1] = paddingBytes;
  return ok(out, out.length);
}

/**
 * The first 32 payload bits, big-endian, or −1 when the payload is shorter: what
 * RtpStreamStats needs to follow RFC 4733 events without keeping a view of the buffer.
 */
export function payloadHead32(payload: Uint8Array): number {
  return payload.length < 4 ? -1 : u32(payload, 0);
}
