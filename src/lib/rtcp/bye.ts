/**
 * RTCP Goodbye (PT 203) — RFC 3550 §6.6.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           SSRC/CSRC (SC of them)              |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     length    |               reason for leaving (optional) ...
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTCP_LAYER, type RtcpErrorCode } from './errors.js';
import { RTCP_HEADER_LENGTH, RTCP_PT, decodeRtcpFrame, pad4, readU32, writeRtcpHeader, writeU32 } from './header.js';

export interface Goodbye {
  /** Sources leaving. */
  ssrcs: number[];
  /** Reason for leaving, UTF-8 decoded; null when absent. */
  reason: string | null;
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

export function goodbyeLength(bye: Goodbye): number {
  const reason = bye.reason === null ? 0 : pad4(1 + utf8Encoder.encode(bye.reason).length);
  return RTCP_HEADER_LENGTH + 4 * bye.ssrcs.length + reason;
}

export function decodeGoodbye(buf: Uint8Array, offset = 0): Decoded<Goodbye, RtcpErrorCode> {
  const f = decodeRtcpFrame(buf, offset, RTCP_PT.BYE);
  if (!f.ok) return f;
  const { count, bodyStart, bodyEnd, end } = f.value;
  if (bodyEnd - bodyStart < 4 * count) return fail('BAD_LENGTH', RTCP_LAYER, offset + 2);
  const ssrcs: number[] = [];
  let at = bodyStart;
  for (let i = 0; i < count; i++, at += 4) ssrcs.push(readU32(buf, at));
  let reason: string | null = null;
  if (at < bodyEnd) {
    const len = buf[at]!;
    if (at + 1 + len > bodyEnd) return fail('BAD_LENGTH', RTCP_LAYER, at);
    reason = utf8.decode(buf.subarray(at + 1, at + 1 + len));
  }
  return ok({ ssrcs, reason }, end);
}

/** Encodes a BYE: at most 31 sources, a reason of at most 255 octets. */
export function encodeGoodbye(bye: Goodbye): Decoded<Uint8Array, RtcpErrorCode> {
  const reason = bye.reason === null ? null : utf8Encoder.encode(bye.reason);
  if (bye.ssrcs.length > 31 || (reason && reason.length > 255)) return fail('BAD_LENGTH', RTCP_LAYER, 0);
  const out = new Uint8Array(goodbyeLength(bye));
  writeRtcpHeader(out, 0, bye.ssrcs.length, RTCP_PT.BYE, out.length);
  let at = RTCP_HEADER_LENGTH;
  for (const s of bye.ssrcs) {
    writeU32(out, at, s >>> 0);
    at += 4;
  }
  if (reason) {
    out[at] = reason.length;
    out.set(reason, at + 1);
  }
  return ok(out, out.length);
}
