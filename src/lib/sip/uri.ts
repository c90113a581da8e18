/**
 * SIP, SIPS and tel URIs — RFC 3261 §19.1 (grammar in §25.1), RFC 3966 for tel.
 *
 *     SIP-URI  = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *     userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 *     hostport = host [ ":" port ]            host = hostname / IPv4address / "[" IPv6 "]"
 *     uri-parameters = *( ";" pname [ "=" pvalue ] )
 *     headers  = "?" hname "=" hvalue *( "&" hname "=" hvalue )
 *
 * `user` and `password` may contain ";", "?", "/" and "," (user-unreserved), so userinfo runs
 * to the first "@" (an "@" in a user must be escaped as %40: RFC 4475 §3.1.1.9 semiuri).
 * Escapes are kept as written: `user` of `sip:%75se%72@h` is "%75se%72"; `unescapeUriPart`
 * resolves them when a caller wants the characters (RFC 3261 §19.1.4 compares unescaped).
 */
import { fail, ok, type Decoded } from '../result.js';
import { SIP_LAYER, type SipErrorCode } from './errors.js';
import { addParam, NO_PARAMS } from './headers.js';

export interface SipUri {
  /** Lower-cased scheme: "sip", "sips", "tel", or any other absolute-URI scheme. */
  scheme: string;
  /** User part as written (escapes kept); for tel: the telephone-subscriber number. */
  user?: string;
  password?: string;
  /** Host as written, IPv6 references without their brackets; "" for tel and other schemes. */
  host: string;
  /** Port, 0–65535, when present. */
  port?: number;
  /** uri-parameters: names lower-cased, "" for a parameter with no value (";lr"). */
  params: Record<string, string>;
  /** headers after "?": names as written, values as written (escaped). */
  headers: Record<string, string>;
  /** The URI text as given. */
  raw: string;
}

function bad(offset: number): { ok: false; error: { code: SipErrorCode; layer: string; offset: number } } {
  return fail<SipErrorCode>('BAD_URI', SIP_LAYER, offset);
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Characters never allowed unescaped in a URI: controls, SP, DEL, and " < > \ ^ { | } (RFC 3986 §2). */
function isForbidden(c: number): boolean {
  return c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x5c || c === 0x5e || c === 0x7b || c === 0x7c || c === 0x7d;
}

/** Length of the scheme at the start of `s` (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), or 0. */
export function schemeLength(s: string): number {
  if (s.length === 0 || !isAlpha(s.charCodeAt(0))) return 0;
  let i = 1;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) i++;
    else break;
  }
  return i < s.length && s.charCodeAt(i) === 0x3a ? i : 0;
}

/** uri-parameters from `s[from]` (a ";") to `to`; undefined when a parameter has no name. */
function parseParams(s: string, from: number, to: number): Record<string, string> | undefined {
  let out = NO_PARAMS;
  let i = from;
  while (i < to) {
    i++; // skip ";"
    let j = s.indexOf(';', i);
    if (j < 0 || j > to) j = to;
    let eq = s.indexOf('=', i);
    if (eq >= j) eq = -1;
    const name = (eq < 0 ? s.slice(i, j) : s.slice(i, eq)).toLowerCase();
    if (name.length === 0) return undefined;
    out = addParam(out, name, eq < 0 ? '' : s.slice(eq + 1, j));
    i = j;
  }
  return out;
}

/** headers after the "?" at `s[from]`; undefined when one is not hname=hvalue. */
function parseHeaders(s: string, from: number): Record<string, string> | undefined {
  let out = NO_PARAMS;
  const body = s.slice(from + 1);
  if (body.length === 0) return out;
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    out = addParam(out, part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

function parseHost(s: string, i: number, end: number): { host: string; port?: number; next: number } | undefined {
  if (i >= end) return undefined;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0 || close >= end) return undefined;
    const host = s.slice(i + 1, close);
    if (host.length < 2 || !isIpv6Chars(host) || host.indexOf(':') < 0) return undefined;
    return { host, next: close + 1 };
  }
  let j = i;
  let colons = 0;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c === 0x3b || c === 0x3f) break;
    if (c === 0x3a) colons++;
    j++;
  }
  if (colons >= 2) return unbracketedIpv6(s.slice(i, j), j);
  j = i;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c === 0x3a || c === 0x3b || c === 0x3f) break;
    // hostname = *( domainlabel "." ) toplabel; "_" tolerated (seen in the wild)
    if (!isAlpha(c) && !isDigit(c) && c !== 0x2d && c !== 0x2e && c !== 0x5f) return undefined;
    j++;
  }
  if (j === i) return undefined;
  return { host: s.slice(i, j), next: j };
}

function isIpv6Chars(h: string): boolean {
  for (let k = 0; k < h.length; k++) {
    const c = h.charCodeAt(k);
    if (!isHex(c) && c !== 0x3a && c !== 0x2e) return false;
  }
  return true;
}

/**
 * An IPv6 address written without brackets (invalid, but sent by some old user agents, e.g.
 * "sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c:5060"). Without "::", a ninth group is the port;
 * with "::" the whole text is the address. Callers flag it: `isUnbracketedIpv6(uri)`.
 */
export function unbracketedIpv6(seg: string, next: number): { host: string; port?: number; next: number } | undefined {
  if (!isIpv6Chars(seg)) return undefined;
  const groups = seg.split(':');
  if (seg.indexOf('::') < 0 && groups.length === 9) {
    const portText = groups[8] as string;
    let port = 0;
    if (portText.length === 0 || portText.length > 5) return undefined;
    for (let k = 0; k < portText.length; k++) {
      const c = portText.charCodeAt(k);
      if (!isDigit(c)) return undefined;
      port = port * 10 + (c - 0x30);
    }
    if (port > 65535) return undefined;
    return { host: groups.slice(0, 8).join(':'), port, next };
  }
  return { host: seg, next };
}

/** True when the URI's IPv6 host was written without the required brackets (RFC 3261 §19.1.1). */
export function isUnbracketedIpv6(u: SipUri): boolean {
  return u.host.indexOf(':') >= 0 && u.raw.indexOf('[') < 0;
}

/**
 * Parse a URI as found in a Request-URI or between < > of a name-addr. Never throws; a malformed
 * sip/sips/tel URI gives BAD_URI with the offset of the first offending character.
 */
export function parseSipUri(s: string): Decoded<SipUri, SipErrorCode> {
  const sl = schemeLength(s);
  if (sl === 0) return bad(0);
  const scheme = s.slice(0, sl).toLowerCase();
  const n = s.length;
  for (let k = sl + 1; k < n; k++) if (isForbidden(s.charCodeAt(k))) return bad(k);

  if (scheme === 'sip' || scheme === 'sips') {
    let i = sl + 1;
    const at = s.indexOf('@', i);
    let user: string | undefined;
    let password: string | undefined;
    if (at >= 0) {
      const userinfo = s.slice(i, at);
      const colon = userinfo.indexOf(':');
      user = colon < 0 ? userinfo : userinfo.slice(0, colon);
      if (colon >= 0) password = userinfo.slice(colon + 1);
      if (user.length === 0) return bad(i);
      i = at + 1;
    }
    const headersAt = s.indexOf('?', i);
    const end = headersAt >= 0 ? headersAt : n;
    const h = parseHost(s, i, end);
    if (!h) return bad(i);
    i = h.next;
    let port: number | undefined = h.port;
    if (port === undefined && i < end && s.charCodeAt(i) === 0x3a) {
      i++;
      const p0 = i;
      let v = 0;
      while (i < end && isDigit(s.charCodeAt(i))) {
        v = v * 10 + (s.charCodeAt(i) - 0x30);
        if (v > 65535) return bad(p0);
        i++;
      }
      if (i === p0) return bad(p0);
      port = v;
    }
    if (i < end && s.charCodeAt(i) !== 0x3b) return bad(i);
    const params = parseParams(s, i, end);
    if (!params) return bad(i);
    const headers = headersAt >= 0 ? parseHeaders(s, headersAt) : NO_PARAMS;
    if (!headers) return bad(headersAt);
    const uri: SipUri = { scheme, host: h.host, params, headers, raw: s };
    if (user !== undefined) uri.user = user;
    if (password !== undefined) uri.password = password;
    if (port !== undefined) uri.port = port;
    return ok(uri, n);
  }

  if (scheme === 'tel') {
    const i = sl + 1;
    let j = i;
    while (j < n && s.charCodeAt(j) !== 0x3b) j++;
    if (j === i) return bad(i);
    const params = parseParams(s, j, n);
    if (!params) return bad(j);
    return ok({ scheme, user: s.slice(i, j), host: '', params, headers: NO_PARAMS, raw: s }, n);
  }

  // Any other absolute URI (http:, urn:, mailto:, …) is kept opaque.
  if (sl + 1 >= n) return bad(sl + 1);
  return ok({ scheme, host: '', params: NO_PARAMS, headers: NO_PARAMS, raw: s }, n);
}

/** The URI text for a parsed URI: brackets IPv6 hosts; params and headers in insertion order. */
export function formatSipUri(u: Pick<SipUri, 'scheme' | 'host'> & Partial<SipUri>): string {
  if (u.scheme !== 'sip' && u.scheme !== 'sips' && u.scheme !== 'tel') return u.raw ?? `${u.scheme}:`;
  let out = `${u.scheme}:`;
  if (u.scheme === 'tel') {
    out += u.user ?? '';
  } else {
    if (u.user !== undefined) out += `${u.user}${u.password !== undefined ? `:${u.password}` : ''}@`;
    out += u.host.includes(':') ? `[${u.host}]` : u.host;
    if (u.port !== undefined) out += `:${u.port}`;
  }
  if (u.params) for (const [k, v] of Object.entries(u.params)) out += v === '' ? `;${k}` : `;${k}=${v}`;
  if (u.headers) {
    const hs = Object.entries(u.headers);
    if (hs.length > 0) out += `?${hs.map(([k, v]) => `${k}=${v}`).join('&')}`;
  }
  return out;
}

/**
 * Resolve %HH escapes (RFC 3261 §19.1.2) to the characters they encode, reading the bytes as
 * UTF-8. Malformed escapes are kept as written. Used on user parts and parameter values.
 */
export function unescapeUriPart(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    const cp = s.codePointAt(i) as number;
    const len = cp > 0xffff ? 2 : 1;
    if (cp < 0x80) bytes.push(cp);
    else for (const b of encoder.encode(s.slice(i, i + len))) bytes.push(b);
    i += len;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
