/**
 * RTP payload types: the static assignments of RFC 3551 §6 (Tables 4 and 5), as registered by
 * IANA ("RTP Payload Types", https://www.iana.org/assignments/rtp-parameters), plus the two
 * reserved types tshark still names (1 and 2, once FS-1016 and G721; 19, once CN).
 *
 * `name` is the short name tshark 4.0 prints in the Payload column of `-z rtp,streams`
 * (checked by generating one stream per payload type and reading tshark's output); `clockRate`
 * is the RTP clock rate in Hz that tshark uses for jitter. `encoding` is RFC 3551's encoding name.
 */

export interface StaticPayloadType {
  /** Short name as tshark prints it ("g711U", "g711A", "g729", "GSM", "g722", "CN", ...). */
  name: string;
  /** RFC 3551 encoding name ("PCMU", "PCMA", ...). */
  encoding: string;
  /** RTP clock rate, Hz. */
  clockRate: number;
  /** Audio channels; 0 for video types. */
  channels: number;
  media: 'audio' | 'video' | 'audio/video';
}

const A = 'audio' as const;
const V = 'video' as const;

/** RFC 3551 Tables 4 and 5, keyed by payload type. Types not listed are unassigned or dynamic. */
export const STATIC_PAYLOAD_TYPES: Readonly<Record<number, StaticPayloadType>> = Object.freeze({
  0: { name: 'g711U', encoding: 'PCMU', clockRate: 8000, channels: 1, media: A },
  1: { name: 'fs-1016', encoding: 'FS-1016', clockRate: 8000, channels: 1, media: A }, // reserved by RFC 3551
  2: { name: 'g721', encoding: 'G721', clockRate: 8000, channels: 1, media: A }, // reserved by RFC 3551
  3: { name: 'GSM', encoding: 'GSM', clockRate: 8000, channels: 1, media: A },
  4: { name: 'g723', encoding: 'G723', clockRate: 8000, channels: 1, media: A },
  5: { name: 'DVI4 8k', encoding: 'DVI4', clockRate: 8000, channels: 1, media: A },
  6: { name: 'DVI4 16k', encoding: 'DVI4', clockRate: 16000, channels: 1, media: A },
  7: { name: 'Exp. from Xerox PARC', encoding: 'LPC', clockRate: 8000, channels: 1, media: A },
  8: { name: 'g711A', encoding: 'PCMA', clockRate: 8000, channels: 1, media: A },
  // RFC 3551 §4.5.2: G.722 samples at 16 kHz but its RTP clock is 8000 (an erratum kept forever).
  9: { name: 'g722', encoding: 'G722', clockRate: 8000, channels: 1, media: A },
  10: { name: '16-bit audio, stereo', encoding: 'L16', clockRate: 44100, channels: 2, media: A },
  11: { name: '16-bit audio, monaural', encoding: 'L16', clockRate: 44100, channels: 1, media: A },
  12: { name: 'Qualcomm', encoding: 'QCELP', clockRate: 8000, channels: 1, media: A },
  13: { name: 'CN', encoding: 'CN', clockRate: 8000, channels: 1, media: A },
  14: { name: 'MPEG-I/II Audio', encoding: 'MPA', clockRate: 90000, channels: 1, media: A },
  15: { name: 'g728', encoding: 'G728', clockRate: 8000, channels: 1, media: A },
  16: { name: 'DVI4 11k', encoding: 'DVI4', clockRate: 11025, channels: 1, media: A },
  17: { name: 'DVI4 22k', encoding: 'DVI4', clockRate: 22050, channels: 1, media: A },
  18: { name: 'g729', encoding: 'G729', clockRate: 8000, channels: 1, media: A },
  19: { name: 'CN(old)', encoding: 'CN', clockRate: 8000, channels: 1, media: A }, // reserved by RFC 3551
  25: { name: 'CellB', encoding: 'CelB', clockRate: 90000, channels: 0, media: V },
  26: { name: 'JPEG', encoding: 'JPEG', clockRate: 90000, channels: 0, media: V },
  28: { name: 'NV', encoding: 'nv', clockRate: 90000, channels: 0, media: V },
  31: { name: 'h261', encoding: 'H261', clockRate: 90000, channels: 0, media: V },
  32: { name: 'MPEG-I/II Video', encoding: 'MPV', clockRate: 90000, channels: 0, media: V },
  33: { name: 'MPEG-II streams', encoding: 'MP2T', clockRate: 90000, channels: 0, media: 'audio/video' },
  34: { name: 'h263', encoding: 'H263', clockRate: 90000, channels: 0, media: V },
});

/** Comfort noise (RFC 3389) and its pre-RFC 3551 number: tshark leaves them out of delta/jitter. */
export const PT_CN = 13;
export const PT_CN_OLD = 19;
/** First dynamic payload type (RFC 3551 §6). */
export const PT_DYNAMIC_MIN = 96;

/** The static entry for `pt`, or undefined (unassigned, reserved for RTCP, or dynamic). */
export function staticPayloadType(pt: number): { name: string; clockRate: number; channels: number } | undefined {
  return STATIC_PAYLOAD_TYPES[pt];
}

export function isDynamicPayloadType(pt: number): boolean {
  return pt >= PT_DYNAMIC_MIN && pt <= 127;
}

/** 72–76: RFC 3551 §6 / RFC 5761 §4 — would collide with RTCP packet types 200–204. */
export function isRtcpConflictPayloadType(pt: number): boolean {
  return pt >= 72 && pt <= 76;
}

/** RFC 4733 event stream: the rtpmap encoding name "telephone-event" (case-insensitive). */
export function isTelephoneEventName(name: string): boolean {
  return name.length >= 15 && name.slice(0, 15).toLowerCase() === 'telephone-event';
}

/**
 * What tshark 4.0 calls a dynamic payload type it saw no SDP for, with default preferences:
 * its RFC 2198 (redundancy) and RFC 4733 ("rtpevent") dissectors claim 99, 100 and 101.
 */
export const TSHARK_UNSIGNALLED_DYNAMIC_NAMES: Readonly<Record<number, string>> = Object.freeze({
  99: 'rtp.rfc2198',
  100: 'rtpevent',
  101: 'rtpevent',
});

/**
 * The Payload column of `tshark -z rtp,streams` for one payload type: the static short name,
 * else the rtpmap encoding name when SDP gave one, else tshark's fallbacks ("rtpevent",
 * "RTPType-97", "Unassigned").
 */
export function tsharkPayloadName(pt: number, rtpmapName?: string): string {
  const s = STATIC_PAYLOAD_TYPES[pt];
  if (s) return s.name;
  if (isDynamicPayloadType(pt)) {
    if (rtpmapName) return rtpmapName;
    return TSHARK_UNSIGNALLED_DYNAMIC_NAMES[pt] ?? `RTPType-${pt}`;
  }
  return 'Unassigned';
}
