/**
 * RTCP Application-Defined packet (PT 204) — RFC 3550 §6.7.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P| subtype |   PT=APP=204  |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           SSRC/CSRC                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                          name (ASCII)                         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                   application-dependent data                ...
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTCP_LAYER, type RtcpErrorCode } from './errors.js';
import { RTCP_HEADER_LENGTH, RTCP_PT, decodeRtcpFrame, readU32, writeRtcpHeader, writeU32 } from './header.js';

export interface ApplicationDefined {
  /** 5-bit subtype (the count field). */
  subtype: number;
  ssrc: number;
  /** Four ASCII characters. */
  name: string;
  /** Application data, a view (a multiple of 4 bytes). */
  data: Uint8Array;
}

export function applicationDefinedLength(app: Pick<ApplicationDefined, 'data'>): number {
  return RTCP_HEADER_LENGTH + 8 + app.data.length;
}

export function decodeApplicationDefined(buf: Uint8Array, offset = 0): Decoded<ApplicationDefined, RtcpErrorCode> {
  const f = decodeRtcpFrame(buf, offset, RTCP_PT.APP);
  if (!f.ok) return f;
  const { count, bodyStart, bodyEnd, end } = f.value;
  if (bodyEnd - bodyStart < 8) return fail('BAD_LENGTH', RTCP_LAYER, offset + 2);
  const name = String.fromCharCode(buf[bodyStart + 4]!, buf[bodyStart + 5]!, buf[bodyStart + 6]!, buf[bodyStart + 7]!);
  return ok({ subtype: count, ssrc: readU32(buf, bodyStart), name, data: buf.subarray(bodyStart + 8, bodyEnd) }, end);
}

export function encodeApplicationDefined(app: ApplicationDefined): Decoded<Uint8Array, RtcpErrorCode> {
  if (app.subtype < 0 || app.subtype > 31 || app.data.length % 4 !== 0 || app.name.length !== 4) return fail('BAD_LENGTH', RTCP_LAYER, 0);
  const out = new Uint8Array(applicationDefinedLength(app));
  writeRtcpHeader(out, 0, app.subtype, RTCP_PT.APP, out.length);
  writeU32(out, 4, app.ssrc >>> 0);
  for (let i = 0; i < 4; i++) out[8 + i] = app.name.charCodeAt(i) & 0xff;
  out.set(app.data, 12);
  return ok(out, out.length);
}
