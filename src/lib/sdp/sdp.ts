/**
 * Session Description Protocol — RFC 4566 (now RFC 8866, same syntax) — as far as predicting
 * media flows needs, with the offer/answer semantics of RFC 3264:
 *
 *     v=0
 *     o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
 *     s=<session name>
 *     c=<nettype> <addrtype> <connection-address>          (session level, or per m=)
 *     t=<start-time> <stop-time>
 *     a=<attribute>[:<value>]                               (session level, or per m=)
 *     m=<media> <port>[/<number of ports>] <proto> <fmt> …
 *
 * Attributes read: rtpmap, fmtp, ptime, maxptime (RFC 4566 §6), sendrecv/sendonly/recvonly/
 * inactive (§6, media level overrides session level, default sendrecv), rtcp (RFC 3605),
 * rtcp-mux (RFC 5761), crypto (RFC 4568), mid. All attributes are kept in order, unknown ones too.
 *
 * `mediaEndpoints` turns a description into where RTP and RTCP are expected: address from the
 * media c= or else the session c=; RTCP on a=rtcp's port (and address), on the RTP port with
 * rtcp-mux, else RTP port + 1 (RFC 3550 §11); payload names from a=rtpmap or, for static
 * payload types without one, from the RFC 3551 table; port 0 marks a rejected stream
 * (RFC 3264 §6).
 */
import { fail, ok, type Decoded } from '../result.js';
import { STATIC_PAYLOAD_TYPES } from '../rtp/payload-types.js';
import { SDP_LAYER, type SdpErrorCode } from './errors.js';

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

export interface SdpConnection {
  netType: string;
  /** "IP4" or "IP6" as written (upper-cased). */
  addrType: string;
  /** The address without "/ttl" or "/count". */
  address: string;
  /** Multicast TTL (IP4 multicast only). */
  ttl?: number;
  /** Number of multicast addresses. */
  count?: number;
}

export interface SdpAttribute {
  name: string;
  /** Text after the first ":", when present. */
  value?: string;
}

export interface SdpBandwidth {
  type: string;
  /** Bandwidth in kilobits per second (RFC 4566 §5.8). */
  kbps: number;
}

export interface SdpRtpMap {
  pt: number;
  /** Encoding name as written ("PCMU", "opus", "telephone-event"). */
  encodingName: string;
  /** RTP clock rate, Hz. */
  clockRate: number;
  /** Encoding parameters: the number of audio channels, when given. */
  channels?: number;
}

export interface SdpRtcp {
  /** RTCP port (RFC 3605). */
  port: number;
  netType?: string;
  addrType?: string;
  address?: string;
}

export interface SdpMedia {
  /** "audio", "video", "application", "image", "text", "message". */
  media: string;
  /** Transport port; 0 = stream rejected or disabled (RFC 3264 §6, §8.2). */
  port: number;
  portCount?: number;
  /** "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF", "udptl", … as written. */
  proto: string;
  /** Formats as written: payload type numbers for RTP profiles. */
  formats: string[];
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  attributes: SdpAttribute[];
  /** Direction attribute given at media level, if any. */
  direction?: SdpDirection;
  rtpmap: SdpRtpMap[];
  /** Format → fmtp parameters, as written. */
  fmtp: Record<string, string>;
  /** a=ptime, milliseconds. */
  ptime?: number;
  /** a=maxptime, milliseconds. */
  maxptime?: number;
  rtcp?: SdpRtcp;
  /** a=rtcp-mux present (RFC 5761). */
  rtcpMux: boolean;
  /** a=crypto present (SDES-SRTP keys, RFC 4568). */
  crypto: boolean;
  mid?: string;
}

export interface SessionDescription {
  version: number;
  origin?: SdpOrigin;
  sessionName: string;
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  timing: { start: string; stop: string }[];
  attributes: SdpAttribute[];
  /** Direction attribute given at session level, if any. */
  direction?: SdpDirection;
  media: SdpMedia[];
  /** Lines skipped as malformed or unknown (lax decoding). */
  skippedLines: number;
}

const utf8 = new TextDecoder('utf-8');

function isDirection(s: string): s is SdpDirection {
  return s === 'sendrecv' || s === 'sendonly' || s === 'recvonly' || s === 'inactive';
}

/** Split on runs of SP (RFC 4566 fields are SP-separated; extra SPs are tolerated). */
function words(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && s.charCodeAt(i) === 0x20) i++;
    if (i >= n) break;
    let j = s.indexOf(' ', i);
    if (j < 0) j = n;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

function uint(s: string | undefined, max: number): number | undefined {
  if (s === undefined || s.length === 0) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
    if (n > max) return undefined;
  }
  return n;
}

function parseConnection(v: string): SdpConnection | undefined {
  const w = words(v);
  if (w.length !== 3) return undefined;
  const [netType, addrTypeRaw, addrRaw] = w as [string, string, string];
  const addrType = addrTypeRaw.toUpperCase();
  const parts = addrRaw.split('/');
  const address = parts[0] as string;
  if (address.length === 0) return undefined;
  const c: SdpConnection = { netType, addrType, address };
  if (parts.length > 1) {
    // IP4 multicast: addr/ttl[/count]; IP6 multicast: addr[/count] (RFC 4566 §5.7)
    const a = uint(parts[1], 0xffff);
    const b = uint(parts[2], 0xffff);
    if (a === undefined || (parts.length > 2 && b === undefined) || parts.length > 3) return undefined;
    if (addrType === 'IP6') c.count = a;
    else {
      c.ttl = a;
      if (b !== undefined) c.count = b;
    }
  }
  return c;
}

function parseRtpMap(v: string): SdpRtpMap | undefined {
  // <payload type> <encoding name>/<clock rate>[/<encoding parameters>]
  const sp = v.indexOf(' ');
  if (sp <= 0) return undefined;
  const pt = uint(v.slice(0, sp), 127);
  const enc = v.slice(sp + 1).trim();
  const s1 = enc.indexOf('/');
  if (pt === undefined || s1 <= 0) return undefined;
  const s2 = enc.indexOf('/', s1 + 1);
  const encodingName = enc.slice(0, s1);
  const clockRate = uint(s2 < 0 ? enc.slice(s1 + 1) : enc.slice(s1 + 1, s2), 0xffffffff);
  if (clockRate === undefined) return undefined;
  const m: SdpRtpMap = { pt, encodingName, clockRate };
  if (s2 >= 0) {
    const ch = uint(enc.slice(s2 + 1), 255);
    if (ch !== undefined) m.channels = ch;
  }
  return m;
}

function parseMs(v: string): number | undefined {
  const n = Number(v.trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function parseRtcp(v: string): SdpRtcp | undefined {
  // a=rtcp:<port> [<nettype> <addrtype> <connection-address>]  (RFC 3605 §2.1)
  const w = words(v);
  const port = uint(w[0], 65535);
  if (port === undefined) return undefined;
  const r: SdpRtcp = { port };
  if (w.length === 4) {
    r.netType = w[1] as string;
    r.addrType = (w[2] as string).toUpperCase();
    r.address = w[3] as string;
  }
  return r;
}

function newMedia(media: string, port: number, proto: string, formats: string[]): SdpMedia {
  return { media, port, proto, formats, bandwidths: [], attributes: [], rtpmap: [], fmtp: {}, rtcpMux: false, crypto: false };
}

/**
 * Decode an SDP body. Lines may end in CRLF or LF (RFC 4566 §5 asks parsers to accept LF).
 * Never throws.
 */
export function decodeSdp(input: string | Uint8Array): Decoded<SessionDescription, SdpErrorCode> {
  const text = typeof input === 'string' ? input : utf8.decode(input);
  const sdp: SessionDescription = {
    version: 0,
    sessionName: '',
    bandwidths: [],
    timing: [],
    attributes: [],
    media: [],
    skippedLines: 0,
  };
  let cur: SdpMedia | undefined;
  let first = true;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let le = text.indexOf('\n', pos);
    if (le < 0) le = n;
    const lineStart = pos;
    const line = text.charCodeAt(le - 1) === 0x0d && le - 1 >= pos ? text.slice(pos, le - 1) : text.slice(pos, le);
    pos = le + 1;
    if (line.length === 0 || line.trim().length === 0) continue;
    const type = line.charCodeAt(0);
    if (line.length < 2 || line.charCodeAt(1) !== 0x3d || type < 0x61 || type > 0x7a) {
      if (first) return fail<SdpErrorCode>('NOT_SDP', SDP_LAYER, lineStart);
      sdp.skippedLines++;
      continue;
    }
    const v = line.slice(2);
    if (first) {
      if (type !== 0x76) return fail<SdpErrorCode>('NOT_SDP', SDP_LAYER, lineStart);
      const ver = uint(v.trim(), 255);
      if (ver === undefined) return fail<SdpErrorCode>('NOT_SDP', SDP_LAYER, lineStart);
      sdp.version = ver;
      first = false;
      continue;
    }
    switch (line[0]) {
      case 'o': {
        const w = words(v);
        if (w.length === 6) {
          const [username, sessionId, sessionVersion, netType, addrType, address] = w as [string, string, string, string, string, string];
          sdp.origin = { username, sessionId, sessionVersion, netType, addrType: addrType.toUpperCase(), address };
        } else sdp.skippedLines++;
        break;
      }
      case 's':
        sdp.sessionName = v;
        break;
      case 'c': {
        const c = parseConnection(v);
        if (!c) return fail<SdpErrorCode>('BAD_CONNECTION', SDP_LAYER, lineStart);
        if (cur) cur.connection = c;
        else sdp.connection = c;
        break;
      }
      case 'b': {
        const colon = v.indexOf(':');
        const kbps = colon > 0 ? uint(v.slice(colon + 1).trim(), 0xffffffff) : undefined;
        if (kbps === undefined) sdp.skippedLines++;
        else (cur ? cur.bandwidths : sdp.bandwidths).push({ type: v.slice(0, colon), kbps });
        break;
      }
      case 't': {
        const w = words(v);
        if (w.length === 2) sdp.timing.push({ start: w[0] as string, stop: w[1] as string });
        else sdp.skippedLines++;
        break;
      }
      case 'm': {
        const w = words(v);
        if (w.length < 3) return fail<SdpErrorCode>('BAD_MEDIA_LINE', SDP_LAYER, lineStart);
        const [media, portText, proto] = w as [string, string, string];
        const slash = portText.indexOf('/');
        const port = uint(slash < 0 ? portText : portText.slice(0, slash), 65535);
        const count = slash < 0 ? undefined : uint(portText.slice(slash + 1), 65535);
        if (port === undefined || (slash >= 0 && count === undefined)) return fail<SdpErrorCode>('BAD_MEDIA_LINE', SDP_LAYER, lineStart);
        cur = newMedia(media, port, proto, w.slice(3));
        if (count !== undefined) cur.portCount = count;
        sdp.media.push(cur);
        break;
      }
      case 'a': {
        const colon = v.indexOf(':');
        const name = colon < 0 ? v.trim() : v.slice(0, colon).trim();
        const attr: SdpAttribute = colon < 0 ? { name } : { name, value: v.slice(colon + 1) };
        (cur ? cur.attributes : sdp.attributes).push(attr);
        if (isDirection(name)) {
          if (cur) cur.direction = name;
          else sdp.direction = name;
        } else if (cur) applyMediaAttribute(cur, attr, sdp);
        break;
      }
      default:
        // v (again), i, u, e, p, r, z, k and unknown types: not needed to predict media.
        break;
    }
  }
  if (first) return fail<SdpErrorCode>('EMPTY', SDP_LAYER, 0);
  return ok(sdp, n);
}

function applyMediaAttribute(m: SdpMedia, a: SdpAttribute, sdp: SessionDescription): void {
  const v = a.value;
  switch (a.name) {
    case 'rtpmap': {
      const r = v === undefined ? undefined : parseRtpMap(v);
      if (r) m.rtpmap.push(r);
      else sdp.skippedLines++;
      break;
    }
    case 'fmtp': {
      const sp = v === undefined ? -1 : v.indexOf(' ');
      if (v === undefined || sp <= 0) sdp.skippedLines++;
      else m.fmtp[v.slice(0, sp)] = v.slice(sp + 1).trim();
      break;
    }
    case 'ptime': {
      const t = v === undefined ? undefined : parseMs(v);
      if (t !== undefined) m.ptime = t;
      break;
    }
    case 'maxptime': {
      const t = v === undefined ? undefined : parseMs(v);
      if (t !== undefined) m.maxptime = t;
      break;
    }
    case 'rtcp': {
      const r = v === undefined ? undefined : parseRtcp(v);
      if (r) m.rtcp = r;
      else sdp.skippedLines++;
      break;
    }
    case 'rtcp-mux':
      m.rtcpMux = true;
      break;
    case 'crypto':
      m.crypto = true;
      break;
    case 'mid':
      if (v !== undefined) m.mid = v.trim();
      break;
    default:
      break;
  }
}

/** The direction in force for a media section: its own, else the session's, else sendrecv. */
export function effectiveDirection(sdp: SessionDescription, m: SdpMedia): SdpDirection {
  return m.direction ?? sdp.direction ?? 'sendrecv';
}

export interface MediaPayload {
  pt: number;
  /** Encoding name from a=rtpmap, or RFC 3551's for a static type ("PCMU"); "" when unknown. */
  name: string;
  /** RTP clock rate, Hz; 0 when unknown (a dynamic type without rtpmap). */
  clockRate: number;
  /** Audio channels (1 when not given for audio), 0 for video. */
  channels: number;
}

export interface MediaEndpoint {
  media: string;
  proto: string;
  /** Where the peer wants to receive RTP: media c=, else session c= ("" when neither). */
  ip: string;
  addrType: string;
  rtpPort: number;
  /** a=rtcp port, the RTP port with rtcp-mux, else RTP port + 1. */
  rtcpPort: number;
  /** a=rtcp address when given, else `ip`. */
  rtcpIp: string;
  rtcpMux: boolean;
  /** Payload types in preference order (RTP profiles only; empty for udptl, TCP…). */
  payloads: MediaPayload[];
  ptime?: number;
  direction: SdpDirection;
  /** Port 0: the stream is rejected (answer) or disabled (offer), RFC 3264 §6 and §8.2. */
  rejected: boolean;
  /** a=crypto present or a SAVP profile. */
  secure: boolean;
}

/** One entry per m= line, in order: where media is expected and in which formats. */
export function mediaEndpoints(sdp: SessionDescription): MediaEndpoint[] {
  const out: MediaEndpoint[] = [];
  for (const m of sdp.media) {
    const conn = m.connection ?? sdp.connection;
    const ip = conn?.address ?? '';
    const isRtp = m.proto.toUpperCase().includes('RTP');
    const payloads: MediaPayload[] = [];
    if (isRtp) {
      for (const f of m.formats) {
        const pt = uint(f, 127);
        if (pt === undefined) continue;
        payloads.push(payloadFor(m, pt));
      }
    }
    const rtcpPort = m.rtcp?.port ?? (m.rtcpMux ? m.port : m.port === 0 ? 0 : m.port + 1);
    const ep: MediaEndpoint = {
      media: m.media,
      proto: m.proto,
      ip,
      addrType: conn?.addrType ?? '',
      rtpPort: m.port,
      rtcpPort,
      rtcpIp: m.rtcp?.address ?? ip,
      rtcpMux: m.rtcpMux,
      payloads,
      direction: effectiveDirection(sdp, m),
      rejected: m.port === 0,
      secure: m.crypto || m.proto.toUpperCase().includes('SAVP'),
    };
    if (m.ptime !== undefined) ep.ptime = m.ptime;
    out.push(ep);
  }
  return out;
}

function payloadFor(m: SdpMedia, pt: number): MediaPayload {
  const map = m.rtpmap.find((r) => r.pt === pt);
  const st = STATIC_PAYLOAD_TYPES[pt];
  if (map) {
    const channels = map.channels ?? (m.media === 'audio' ? 1 : (st?.channels ?? 0));
    return { pt, name: map.encodingName, clockRate: map.clockRate, channels };
  }
  if (st) return { pt, name: st.encoding, clockRate: st.clockRate, channels: st.channels };
  return { pt, name: '', clockRate: 0, channels: m.media === 'audio' ? 1 : 0 };
}
