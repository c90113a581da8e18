/**
 * SIP message decoder — RFC 3261 §7 (message format), §20 (header fields), §25 (grammar).
 *
 *     SIP-message  = start-line *message-header CRLF [ message-body ]
 *     start-line   = Request-Line / Status-Line
 *     Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *     Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *     message-header = field-name HCOLON field-value CRLF   (LWS-folded lines allowed, §7.3.1)
 *
 * Hot path (every SIP packet of a capture): one scan for the empty line, one UTF-8 decode of
 * the header section, one pass over its lines with indexOf/charCode scanning (no regex), and
 * eager parsing of only what framing and identity need: the start line, Content-Length, CSeq,
 * and the presence of Call-ID/From/To/Via. Every other typed view (From/To, Via, Contact,
 * Request-URI, …) parses on first access and is cached (STYLE.md rule 9).
 *
 * The decoded message keeps no reference to the input buffer: the header section becomes a
 * string and the body is copied (into a Node Buffer from the small-allocation pool), so callers
 * may reuse their buffers. Parameter records of parsed values may be a shared frozen empty
 * object: treat everything the accessors return as read-only.
 *
 * Framing (RFC 3261 §18.3): the body is Content-Length bytes. Over UDP (not `stream`) a missing
 * Content-Length means "the rest of the datagram", and bytes after a shorter Content-Length are
 * ignored (counted in `trailingBytes`; RFC 4475 §3.1.1.8 dblreq). A Content-Length larger than
 * the bytes present is BODY_TRUNCATED with `need`/`have` (a stream reassembler waits for `need`).
 */
import { fail, ok, type DecodeError } from '../result.js';
import { SIP_LAYER, type SipDefect, type SipErrorCode } from './errors.js';
import {
  canonicalHeaderKey,
  isLws,
  isMultiValueHeader,
  isToken,
  isWsp,
  TOKEN_TABLE,
  parseDecimal,
  parseGenericParams,
  splitTopLevel,
  trimLws,
} from './headers.js';
import { parseNameAddrLax, starContact, type NameAddr } from './name-addr.js';
import { isUnbracketedIpv6, parseSipUri, schemeLength, type SipUri } from './uri.js';
import { parseViaLax, type Via } from './via.js';

export interface DecodeSipOptions {
  /**
   * The bytes come from a stream transport (TCP/TLS/WS): a missing Content-Length means an
   * empty body, and bytes after the message belong to the next one.
   */
  stream?: boolean;
  /**
   * Parse every typed header now and turn the first defect into an error (for validating
   * probes' peers and the RFC 4475 tests). Default: lax, defects are recorded on the message.
   */
  strict?: boolean;
}

/** A decode error; MISSING_MANDATORY and strict-mode errors name the header in `header`. */
export interface SipDecodeError extends DecodeError<SipErrorCode> {
  header?: string;
}

export type SipDecoded = { ok: true; value: SipMessage; end: number } | { ok: false; error: SipDecodeError };

export interface SipHeader {
  /** Name as written (compact forms included). */
  name: string;
  /** Value with folding undone (CRLF+WSP → SP) and surrounding LWS trimmed. */
  value: string;
}

export interface CSeq {
  /** Sequence number, 0–2^32−1. */
  seq: number;
  method: string;
}

export interface SessionExpires {
  /** Session interval, seconds (RFC 4028 §4). */
  deltaSec: number;
  refresher?: 'uac' | 'uas';
  params: Record<string, string>;
}

export interface RAck {
  /** RSeq of the reliable provisional response being acknowledged (RFC 3262 §7.2). */
  rseq: number;
  cseq: number;
  method: string;
}

const UINT32_MAX = 0xffffffff;
const EMPTY_BODY: Uint8Array = new Uint8Array(0);
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with a Uint8Array as `this`
const bufferIndexOf = Buffer.prototype.indexOf as (this: Uint8Array, value: string | number, byteOffset: number) => number;

/** Display names for the mandatory headers (RFC 3261 §8.1.1), in the order they are checked. */
const MANDATORY: readonly (readonly [key: string, name: string])[] = [
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
  ['from', 'From'],
  ['to', 'To'],
  ['via', 'Via'],
];

/** Internal: what the decoder hands to the message. */
interface MessageParts {
  kind: 'request' | 'response';
  method: string | undefined;
  requestUriText: string | undefined;
  statusCode: number | undefined;
  reason: string | undefined;
  version: string;
  names: string[];
  keys: string[];
  values: string[];
  cseq: CSeq;
  contentLength: number | undefined;
  body: Uint8Array;
  trailingBytes: number;
  defects: SipDefect[];
}

/** A decoded SIP request or response. Typed accessors parse on first use and cache. */
export class SipMessage {
  readonly kind: 'request' | 'response';
  /** Request method as written (extension methods kept; case-sensitive, RFC 3261 §7.1). */
  readonly method: string | undefined;
  /** Request-URI text as written. */
  readonly requestUriText: string | undefined;
  readonly statusCode: number | undefined;
  /** Reason phrase as written (may be empty; escapes and UTF-8 kept). */
  readonly reason: string | undefined;
  /** "SIP/2.0" as written. */
  readonly version: string;
  readonly cseq: CSeq | undefined;
  /** Content-Length when present (the body is exactly that long). */
  readonly contentLength: number | undefined;
  /** Body bytes: a copy, never a view into the decoded buffer (may share Node's Buffer pool). */
  readonly body: Uint8Array;
  /** UDP only: bytes after the body that Content-Length left out (RFC 3261 §18.3). */
  readonly trailingBytes: number;
  /**
   * Syntax defects found so far: the start line's at decode time, each typed header's when its
   * accessor first runs. `validate()` runs them all.
   */
  readonly defects: SipDefect[];

  private readonly names: string[];
  private readonly keys: string[];
  private readonly values: string[];
  private cRequestUri: SipUri | undefined | null = null;
  private cFrom: NameAddr | undefined | null = null;
  private cTo: NameAddr | undefined | null = null;
  private cVia: Via[] | null = null;
  private cContact: NameAddr[] | null = null;
  private cRoute: NameAddr[] | null = null;
  private cRecordRoute: NameAddr[] | null = null;
  private cBodyText: string | null = null;
  private cHeaders: SipHeader[] | null = null;
  private cRack: RAck | undefined | null = null;
  private cSessionExpires: SessionExpires | undefined | null = null;
  private cDate: Date | undefined | null = null;

  /** @internal Use decodeSipMessage. */
  constructor(p: MessageParts) {
    this.kind = p.kind;
    this.method = p.method;
    this.requestUriText = p.requestUriText;
    this.statusCode = p.statusCode;
    this.reason = p.reason;
    this.version = p.version;
    this.names = p.names;
    this.keys = p.keys;
    this.values = p.values;
    this.cseq = p.cseq;
    this.contentLength = p.contentLength;
    this.body = p.body;
    this.trailingBytes = p.trailingBytes;
    this.defects = p.defects;
  }

  // ---- generic access ----------------------------------------------------------------------

  /** All headers in order, names as written. */
  get headers(): SipHeader[] {
    if (this.cHeaders === null) {
      const out: SipHeader[] = new Array<SipHeader>(this.names.length);
      for (let i = 0; i < this.names.length; i++) out[i] = { name: this.names[i] as string, value: this.values[i] as string };
      this.cHeaders = out;
    }
    return this.cHeaders;
  }

  /** True when a header with this name (any case, compact or full form) is present. */
  has(name: string): boolean {
    return this.keys.indexOf(canonicalHeaderKey(name)) >= 0;
  }

  /** The first header's whole value (not split at commas), or undefined. */
  get(name: string): string | undefined {
    const i = this.keys.indexOf(canonicalHeaderKey(name));
    return i < 0 ? undefined : this.values[i];
  }

  /**
   * Every value of a header, in order. List headers (Via, Contact, Route, Allow, Supported, …)
   * are also split at top-level commas, empty elements dropped; others give one entry per line.
   */
  getAll(name: string): string[] {
    const key = canonicalHeaderKey(name);
    return this.collect(key, isMultiValueHeader(key));
  }

  private collect(key: string, split: boolean): string[] {
    const out: string[] = [];
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== key) continue;
      const v = this.values[i] as string;
      if (!split) out.push(v);
      else if (v.indexOf(',') < 0) {
        if (v.length > 0) out.push(v);
      } else for (const part of splitTopLevel(v)) if (part.length > 0) out.push(part);
    }
    return out;
  }

  private defect(code: SipErrorCode, header?: string): void {
    this.defects.push(header === undefined ? { code } : { code, header });
  }

  // ---- typed accessors ---------------------------------------------------------------------

  get callId(): string | undefined {
    return this.get('call-id');
  }

  /** The Request-URI, parsed (undefined for responses or when it does not parse). */
  get requestUri(): SipUri | undefined {
    if (this.cRequestUri === null) {
      this.cRequestUri = undefined;
      if (this.requestUriText !== undefined) {
        const r = parseSipUri(this.requestUriText);
        if (r.ok) this.cRequestUri = r.value;
        if (!r.ok || isUnbracketedIpv6(r.value)) this.defect('BAD_REQUEST_URI');
      }
    }
    return this.cRequestUri;
  }

  get from(): NameAddr | undefined {
    if (this.cFrom === null) this.cFrom = this.nameAddr('from');
    return this.cFrom;
  }

  get to(): NameAddr | undefined {
    if (this.cTo === null) this.cTo = this.nameAddr('to');
    return this.cTo;
  }

  private nameAddr(key: string): NameAddr | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const r = parseNameAddrLax(v);
    if (r.defect) this.defect('BAD_NAME_ADDR', key);
    return r.value;
  }

  private nameAddrList(key: string, allowStar: boolean): NameAddr[] {
    const out: NameAddr[] = [];
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== key) continue;
      const v = this.values[i] as string;
      for (const part of v.indexOf(',') < 0 ? [v] : splitTopLevel(v)) {
        if (allowStar && part === '*') {
          out.push(starContact());
          continue;
        }
        const r = parseNameAddrLax(part);
        if (r.defect) this.defect('BAD_NAME_ADDR', key);
        if (r.value) out.push(r.value);
      }
    }
    return out;
  }

  /** Via values, topmost first, across all Via lines. */
  get via(): Via[] {
    if (this.cVia === null) {
      const out: Via[] = [];
      const keys = this.keys;
      for (let i = 0; i < keys.length; i++) {
        if (keys[i] !== 'via') continue;
        const v = this.values[i] as string;
        for (const part of v.indexOf(',') < 0 ? [v] : splitTopLevel(v)) {
          const r = parseViaLax(part);
          if (r.defect) this.defect('BAD_VIA', 'via');
          if (r.value) out.push(r.value);
        }
      }
      this.cVia = out;
    }
    return this.cVia;
  }

  /** Contact values (a `*` value has `star: true`). */
  get contact(): NameAddr[] {
    if (this.cContact === null) this.cContact = this.nameAddrList('contact', true);
    return this.cContact;
  }

  get route(): NameAddr[] {
    if (this.cRoute === null) this.cRoute = this.nameAddrList('route', false);
    return this.cRoute;
  }

  get recordRoute(): NameAddr[] {
    if (this.cRecordRoute === null) this.cRecordRoute = this.nameAddrList('record-route', false);
    return this.cRecordRoute;
  }

  get userAgent(): string | undefined {
    return this.get('user-agent');
  }

  get server(): string | undefined {
    return this.get('server');
  }

  /** Content-Type as written, e.g. "application/sdp" or "multipart/mixed;boundary=x". */
  get contentType(): string | undefined {
    return this.get('content-type');
  }

  /** Expires (RFC 3261 §20.19), seconds. */
  get expires(): number | undefined {
    return this.scalar('expires', UINT32_MAX);
  }

  /** Max-Forwards (RFC 3261 §20.22), 0–255. */
  get maxForwards(): number | undefined {
    return this.scalar('max-forwards', 255);
  }

  /** RSeq (RFC 3262 §7.1), 1–2^32−1. */
  get rseq(): number | undefined {
    return this.scalar('rseq', UINT32_MAX);
  }

  private scalar(key: string, max: number): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const n = parseDecimal(v, max);
    if (n === undefined) this.noteOnce('BAD_HEADER_VALUE', key);
    return n;
  }

  /** Record a defect once per header (scalar accessors re-read their header on each call). */
  private noteOnce(code: SipErrorCode, header: string): void {
    for (const d of this.defects) if (d.code === code && d.header === header) return;
    this.defect(code, header);
  }

  /** RAck (RFC 3262 §7.2): "response-num LWS CSeq-num LWS Method". */
  get rack(): RAck | undefined {
    if (this.cRack === null) this.cRack = this.parseRack();
    return this.cRack;
  }

  private parseRack(): RAck | undefined {
    const v = this.get('rack');
    if (v === undefined) return undefined;
    const parts = splitWords(v);
    const rseq = parseDecimal(parts[0] ?? '', UINT32_MAX);
    const cseq = parseDecimal(parts[1] ?? '', UINT32_MAX);
    const method = parts[2];
    if (parts.length !== 3 || rseq === undefined || cseq === undefined || method === undefined || !isToken(method)) {
      this.noteOnce('BAD_HEADER_VALUE', 'rack');
      return undefined;
    }
    return { rseq, cseq, method };
  }

  /** Session-Expires (RFC 4028 §4): "delta-seconds *(;se-params)". */
  get sessionExpires(): SessionExpires | undefined {
    if (this.cSessionExpires === null) this.cSessionExpires = this.parseSessionExpires();
    return this.cSessionExpires;
  }

  private parseSessionExpires(): SessionExpires | undefined {
    const v = this.get('session-expires');
    if (v === undefined) return undefined;
    const semi = v.indexOf(';');
    const deltaSec = parseDecimal(trimLws(semi < 0 ? v : v.slice(0, semi)), UINT32_MAX);
    const p = parseGenericParams(v, semi < 0 ? v.length : semi);
    if (deltaSec === undefined || p.bad) {
      this.noteOnce('BAD_HEADER_VALUE', 'session-expires');
      if (deltaSec === undefined) return undefined;
    }
    const out: SessionExpires = { deltaSec, params: p.params };
    const r = p.params.refresher?.toLowerCase();
    if (r === 'uac' || r === 'uas') out.refresher = r;
    return out;
  }

  /** Require option tags (RFC 3261 §20.32). */
  get require(): string[] {
    return this.collect('require', true);
  }

  /** Supported option tags (RFC 3261 §20.37). */
  get supported(): string[] {
    return this.collect('supported', true);
  }

  /** Allow methods (RFC 3261 §20.5). */
  get allow(): string[] {
    return this.collect('allow', true);
  }

  /**
   * Date (RFC 3261 §20.17): only the RFC 1123 form in GMT is valid; anything else (RFC 4475
   * §3.1.2.11 baddate: "EST") gives undefined and a BAD_DATE defect.
   */
  get date(): Date | undefined {
    if (this.cDate === null) {
      const v = this.get('date');
      this.cDate = v === undefined ? undefined : parseSipDate(v);
      if (v !== undefined && this.cDate === undefined) this.defect('BAD_DATE', 'date');
    }
    return this.cDate;
  }

  /** The body decoded as UTF-8. */
  get bodyText(): string {
    if (this.cBodyText === null) this.cBodyText = this.body.length === 0 ? '' : utf8.decode(this.body);
    return this.cBodyText;
  }

  /** Run every typed accessor; return all defects (the message's `defects`). */
  validate(): SipDefect[] {
    void this.requestUri;
    void this.from;
    void this.to;
    void this.via;
    void this.contact;
    void this.route;
    void this.recordRoute;
    void this.expires;
    void this.maxForwards;
    void this.rseq;
    void this.rack;
    void this.sessionExpires;
    void this.date;
    return this.defects;
  }
}

function splitWords(v: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    while (i < v.length && isLws(v.charCodeAt(i))) i++;
    const s = i;
    while (i < v.length && !isLws(v.charCodeAt(i))) i++;
    if (i > s) out.push(v.slice(s, i));
  }
  return out;
}

const WKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §25.1), e.g. "Sat, 13 Nov 2010 23:29:00 GMT". */
export function parseSipDate(v: string): Date | undefined {
  const w = splitWords(v);
  if (w.length !== 6) return undefined;
  const [wk, day, mon, year, time, zone] = w as [string, string, string, string, string, string];
  if (zone !== 'GMT' || wk.length !== 4 || wk[3] !== ',' || !WKDAY.includes(wk.slice(0, 3))) return undefined;
  const m = MONTHS.indexOf(mon);
  const d = day.length === 2 ? parseDecimal(day, 31) : undefined;
  const y = year.length === 4 ? parseDecimal(year, 9999) : undefined;
  const t = time.split(':');
  if (m < 0 || d === undefined || d < 1 || y === undefined || t.length !== 3) return undefined;
  const hh = t[0]?.length === 2 ? parseDecimal(t[0], 23) : undefined;
  const mm = t[1]?.length === 2 ? parseDecimal(t[1], 59) : undefined;
  const ss = t[2]?.length === 2 ? parseDecimal(t[2], 60) : undefined;
  if (hh === undefined || mm === undefined || ss === undefined) return undefined;
  return new Date(Date.UTC(y, m, d, hh, mm, ss));
}

// ---- decoder ---------------------------------------------------------------------------------

function sipFail(code: SipErrorCode, offset: number, extra?: { need?: number; have?: number; header?: string }): { ok: false; error: SipDecodeError } {
  const r: { ok: false; error: SipDecodeError } = fail<SipErrorCode>(code, SIP_LAYER, offset, extra?.need, extra?.have);
  if (extra?.header !== undefined) r.error.header = extra.header;
  return r;
}

/** 'ok' for SIP/2.0 (case-insensitive "SIP"), 'other' for another SIP/x.y, 'bad' otherwise. */
function versionKind(v: string): 'ok' | 'other' | 'bad' {
  if (v.length < 7) return 'bad';
  const c0 = v.charCodeAt(0) | 0x20;
  const c1 = v.charCodeAt(1) | 0x20;
  const c2 = v.charCodeAt(2) | 0x20;
  if (c0 !== 0x73 || c1 !== 0x69 || c2 !== 0x70 || v.charCodeAt(3) !== 0x2f) return 'bad';
  if (v.length === 7 && v.charCodeAt(4) === 0x32 && v.charCodeAt(5) === 0x2e && v.charCodeAt(6) === 0x30) return 'ok';
  const dot = v.indexOf('.', 4);
  if (dot < 5 || dot === v.length - 1) return 'bad';
  for (let i = 4; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (i !== dot && (c < 0x30 || c > 0x39)) return 'bad';
  }
  return 'other';
}

interface StartLine {
  kind: 'request' | 'response';
  method?: string;
  uri?: string;
  statusCode?: number;
  reason?: string;
  version: string;
}

/** Parse the start line; pushes lax defects into `defects`, returns an error code when fatal. */
function parseStartLine(line: string, defects: SipDefect[]): StartLine | SipErrorCode {
  if (line.length === 0) return 'BAD_START_LINE';
  const sp = line.indexOf(' ');
  if (sp <= 0) return 'BAD_START_LINE';
  const first = line.slice(0, sp);
  if (first.length >= 4 && (first.charCodeAt(0) | 0x20) === 0x73 && (first.charCodeAt(1) | 0x20) === 0x69 && (first.charCodeAt(2) | 0x20) === 0x70 && first.charCodeAt(3) === 0x2f) {
    // Status-Line ("SIP/" cannot start a method: "/" is not a token character)
    const vk = versionKind(first);
    if (vk === 'bad') return 'BAD_START_LINE';
    if (vk === 'other') return 'BAD_VERSION';
    let i = sp + 1;
    if (i < line.length && line.charCodeAt(i) === 0x20) {
      defects.push({ code: 'BAD_START_LINE' });
      while (i < line.length && line.charCodeAt(i) === 0x20) i++;
    }
    const c0 = i;
    while (i < line.length && line.charCodeAt(i) >= 0x30 && line.charCodeAt(i) <= 0x39) i++;
    if (i - c0 !== 3 || (i < line.length && line.charCodeAt(i) !== 0x20)) return 'BAD_STATUS_CODE';
    const code = (line.charCodeAt(c0) - 0x30) * 100 + (line.charCodeAt(c0 + 1) - 0x30) * 10 + (line.charCodeAt(c0 + 2) - 0x30);
    if (code < 100 || code > 699) return 'BAD_STATUS_CODE';
    let reason = '';
    if (i < line.length) reason = line.slice(i + 1);
    else defects.push({ code: 'BAD_START_LINE' }); // "SIP/2.0 100" without the SP before the empty reason
    return { kind: 'response', statusCode: code, reason, version: first };
  }

  // Request-Line
  const method = first;
  if (!isToken(method)) return 'BAD_START_LINE';
  let endAll = line.length;
  if (line.charCodeAt(endAll - 1) === 0x20) {
    defects.push({ code: 'BAD_START_LINE' }); // RFC 4475 §3.1.2.10 trws
    while (endAll > sp && line.charCodeAt(endAll - 1) === 0x20) endAll--;
  }
  const lastSp = line.lastIndexOf(' ', endAll - 1);
  if (lastSp <= sp) return 'BAD_START_LINE';
  const version = line.slice(lastSp + 1, endAll);
  const vk = versionKind(version);
  if (vk === 'bad') return 'BAD_START_LINE';
  if (vk === 'other') return 'BAD_VERSION';
  let u0 = sp + 1;
  let u1 = lastSp;
  if (line.charCodeAt(u0) === 0x20 || line.charCodeAt(u1 - 1) === 0x20) {
    defects.push({ code: 'BAD_START_LINE' }); // RFC 4475 §3.1.2.9 lwsstart
    while (u0 < u1 && line.charCodeAt(u0) === 0x20) u0++;
    while (u1 > u0 && line.charCodeAt(u1 - 1) === 0x20) u1--;
  }
  if (u1 <= u0) return 'BAD_START_LINE';
  const uri = line.slice(u0, u1);
  if (uri.indexOf(' ') >= 0 || uri.indexOf('\t') >= 0) return 'BAD_REQUEST_URI'; // §3.1.2.8 lwsruri
  const sl = schemeLength(uri);
  if (sl === 0) return 'BAD_REQUEST_URI'; // §3.1.2.7 ltgtruri: "<sip:…>"
  // RFC 3261 §19.1.1: headers are not allowed in a SIP Request-URI (§3.1.2.11 escruri).
  // The user part may hold "?" (RFC 4475 §3.1.1.2 intmeth), so look after the "@" only.
  if (sl <= 4 && uri.indexOf('?', uri.indexOf('@') + 1) >= 0) {
    const scheme = uri.slice(0, sl).toLowerCase();
    if (scheme === 'sip' || scheme === 'sips') defects.push({ code: 'BAD_REQUEST_URI' });
  }
  return { kind: 'request', method, uri, version };
}

/**
 * Decode one SIP message from `buf[offset, end)`. Never throws; see the module comment for the
 * framing rules and SipErrorCode for the errors. `end` of the result is the offset just past the
 * message (the body's end).
 */
export function decodeSipMessage(
  buf: Uint8Array,
  offset = 0,
  end: number = buf.length,
  opts: DecodeSipOptions = {},
): SipDecoded {
  if (end > buf.length) end = buf.length;
  if (offset < 0) offset = 0;
  let p = offset;
  // RFC 3261 §7.5: CRLFs before the start line are ignored (and are keep-alives, RFC 5626).
  while (p < end && (buf[p] === 0x0d || buf[p] === 0x0a)) p++;
  if (p >= end) return sipFail('EMPTY', offset);

  // Find the empty line: LF followed by CRLF, or LF LF when the sender ends lines with a bare
  // LF (decided by the start line's ending). Buffer's indexOf is native (memmem-like) and
  // accepts any Uint8Array as `this`.
  let textEnd = -1;
  let bodyStart = -1;
  const firstLf = bufferIndexOf.call(buf, 0x0a, p);
  if (firstLf >= 0 && firstLf < end) {
    const crlf = bufferIndexOf.call(buf, '\n\r\n', firstLf);
    if (crlf >= 0 && crlf + 3 <= end) {
      textEnd = crlf;
      bodyStart = crlf + 3;
    }
    if (firstLf === p || buf[firstLf - 1] !== 0x0d) {
      const lflf = bufferIndexOf.call(buf, '\n\n', firstLf);
      if (lflf >= 0 && lflf + 2 <= end && (textEnd < 0 || lflf < textEnd)) {
        textEnd = lflf;
        bodyStart = lflf + 2;
      }
    }
  }
  if (textEnd < 0) return sipFail('NO_HEADER_END', offset, { have: end - offset });

  const text = utf8.decode(buf.subarray(p, textEnd));
  const n = text.length;
  const defects: SipDefect[] = [];

  // Start line.
  let lineEnd = text.indexOf('\n');
  if (lineEnd < 0) lineEnd = n;
  const startLine = text.charCodeAt(lineEnd - 1) === 0x0d ? text.slice(0, lineEnd - 1) : text.slice(0, lineEnd);
  const sl = parseStartLine(startLine, defects);
  if (typeof sl === 'string') return sipFail(sl, p);

  // Header lines.
  const names: string[] = [];
  const keys: string[] = [];
  const values: string[] = [];
  let iCallId = -1;
  let iCSeq = -1;
  let iFrom = -1;
  let iTo = -1;
  let iVia = -1;
  let contentLengthText: string | undefined;
  let contentLengthConflict = false;
  let pos = lineEnd + 1;
  while (pos < n) {
    let le = text.indexOf('\n', pos);
    if (le < 0) le = n;
    const c0 = text.charCodeAt(pos);
    if (isWsp(c0)) {
      // Folded continuation (RFC 3261 §7.3.1): join with a single SP.
      const last = values.length - 1;
      const cont = trimLws(text.slice(pos, le));
      if (last < 0) {
        if (cont.length > 0) return sipFail('BAD_HEADER_LINE', p);
      } else if (cont.length > 0) {
        values[last] = values[last]!.length === 0 ? cont : `${values[last]} ${cont}`;
      }
      pos = le + 1;
      continue;
    }
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon > le) {
      // A bare CR line would be the end of headers; anything else is a broken line.
      if (le - pos === 1 && c0 === 0x0d) {
        pos = le + 1;
        continue;
      }
      return sipFail('BAD_HEADER_LINE', p);
    }
    let ne = colon;
    while (ne > pos && isWsp(text.charCodeAt(ne - 1))) ne--;
    if (ne === pos) return sipFail('BAD_HEADER_LINE', p);
    for (let k = pos; k < ne; k++) {
      const c = text.charCodeAt(k);
      if (c >= 128 || TOKEN_TABLE[c] !== 1) return sipFail('BAD_HEADER_LINE', p);
    }
    const name = text.slice(pos, ne);
    let vs = colon + 1;
    let ve = le;
    while (vs < ve && isLws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isLws(text.charCodeAt(ve - 1))) ve--;
    const value = text.slice(vs, ve);
    const key = canonicalHeaderKey(name);
    const idx = names.length;
    names.push(name);
    keys.push(key);
    values.push(value);
    switch (key) {
      case 'call-id':
        if (iCallId < 0) iCallId = idx;
        break;
      case 'cseq':
        if (iCSeq < 0) iCSeq = idx;
        break;
      case 'from':
        if (iFrom < 0) iFrom = idx;
        break;
      case 'to':
        if (iTo < 0) iTo = idx;
        break;
      case 'via':
        if (iVia < 0) iVia = idx;
        break;
      case 'content-length':
        if (contentLengthText === undefined) contentLengthText = value;
        else if (contentLengthText !== value) contentLengthConflict = true;
        break;
      default:
        break;
    }
    pos = le + 1;
  }

  // Mandatory headers (RFC 3261 §8.1.1). Folding may have completed a value after its line, so
  // values are read only now.
  const idxs = [iCallId, iCSeq, iFrom, iTo, iVia];
  for (let k = 0; k < idxs.length; k++) {
    if ((idxs[k] as number) < 0 || (values[idxs[k] as number] as string).length === 0) {
      return sipFail('MISSING_MANDATORY', p, { header: (MANDATORY[k] as readonly [string, string])[1] });
    }
  }
  if (contentLengthText !== undefined) {
    // re-read: a folded Content-Length is completed in `values`
    contentLengthText = values[keys.indexOf('content-length')] as string;
  }

  // CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16).
  const cseqText = values[iCSeq] as string;
  let k = 0;
  while (k < cseqText.length && cseqText.charCodeAt(k) >= 0x30 && cseqText.charCodeAt(k) <= 0x39) k++;
  const seq = parseDecimal(cseqText.slice(0, k), UINT32_MAX);
  let m0 = k;
  while (m0 < cseqText.length && isLws(cseqText.charCodeAt(m0))) m0++;
  const cseqMethod = cseqText.slice(m0);
  if (seq === undefined || m0 === k || !isToken(cseqMethod)) return sipFail('BAD_CSEQ', p, { header: 'CSeq' });
  if (sl.kind === 'request' && cseqMethod !== sl.method) return sipFail('CSEQ_METHOD_MISMATCH', p, { header: 'CSeq' });

  // Content-Length and the body.
  let contentLength: number | undefined;
  if (contentLengthText !== undefined) {
    contentLength = parseDecimal(contentLengthText, UINT32_MAX);
    if (contentLength === undefined || contentLengthConflict) return sipFail('BAD_CONTENT_LENGTH', p, { header: 'Content-Length' });
  }
  let bodyEnd: number;
  if (contentLength !== undefined) {
    bodyEnd = bodyStart + contentLength;
    if (bodyEnd > end) return sipFail('BODY_TRUNCATED', offset, { need: bodyEnd - offset, have: end - offset });
  } else {
    bodyEnd = opts.stream ? bodyStart : end;
  }
  let body = EMPTY_BODY;
  if (bodyEnd > bodyStart) {
    // A copy (callers reuse `buf`); Buffer.allocUnsafe takes small bodies from Node's pool,
    // several times cheaper than Uint8Array.prototype.slice.
    body = Buffer.allocUnsafe(bodyEnd - bodyStart);
    body.set(buf.subarray(bodyStart, bodyEnd));
  }

  const msg = new SipMessage({
    kind: sl.kind,
    method: sl.method,
    requestUriText: sl.uri,
    statusCode: sl.statusCode,
    reason: sl.reason,
    version: sl.version,
    names,
    keys,
    values,
    cseq: { seq, method: cseqMethod },
    contentLength,
    body,
    trailingBytes: opts.stream ? 0 : end - bodyEnd,
    defects,
  });
  if (opts.strict) {
    const d = msg.validate()[0];
    if (d) return sipFail(d.code, p, d.header === undefined ? undefined : { header: d.header });
  }
  return ok(msg, bodyEnd);
}
