/**
 * SIP header names and the lexical helpers every header parser shares.
 *
 * Header names are case-insensitive (RFC 3261 §7.3.1); a header is looked up by its canonical
 * key, the lower-case full name. Compact forms (RFC 3261 §7.3.3, and the extensions that
 * registered one in the IANA "Header Fields" registry) map to their full name.
 */

/** Compact form → canonical key. RFC 3261 §7.3.3 (c e f i k l m s t v) plus later RFCs. */
const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474 (obsoleted by RFC 8224)
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224
};

/**
 * Headers whose grammar is a comma-separated list (`header = name HCOLON value *(COMMA value)`),
 * so several values may share one line (RFC 3261 §7.3.1). WWW-Authenticate, Authorization,
 * Proxy-Authenticate, Proxy-Authorization, Date and every unknown header are never split.
 */
const MULTI_VALUE: ReadonlySet<string> = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'accept-resource-priority',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-associated-uri',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'require',
  'resource-priority',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

/** Canonical key of a header name as written: lower-case, compact forms expanded. */
export function canonicalHeaderKey(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) return COMPACT_FORMS[lower] ?? lower;
  return lower;
}

/** True when the header's values may be comma-joined on one line. `key` is canonical. */
export function isMultiValueHeader(key: string): boolean {
  return MULTI_VALUE.has(key);
}

// ---- character classes (RFC 3261 §25.1) --------------------------------------------------------

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
/** 1 at the ASCII codes of token characters (for inlined checks on hot loops). */
export const TOKEN_TABLE = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TOKEN_TABLE[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_TABLE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN_TABLE[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN_TABLE[ch.charCodeAt(0)] = 1;

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_TABLE[c] === 1;
}

/** True when `s` is a non-empty token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Linear whitespace after unfolding: SP, HTAB, and CR/LF (for values that kept them). */
export function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** `s` with LWS removed from both ends, by char scanning (no regex). */
export function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isLws(s.charCodeAt(a))) a++;
  while (b > a && isLws(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** True when `s` consists of decimal digits only (and is not empty). */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * A decimal integer, or undefined when `s` is not 1*DIGIT or is above `max`. Leading zeros are
 * allowed (RFC 4475 §3.1.1.1: "Max-Forwards: 0068").
 */
export function parseDecimal(s: string, max: number): number | undefined {
  if (!isDigits(s)) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    n = n * 10 + (s.charCodeAt(i) - 0x30);
    if (n > max) return undefined;
  }
  return n;
}

/**
 * Split a header value on the commas that separate list elements: commas inside a quoted string
 * or inside <…> do not count (RFC 3261 §7.3.1). Elements are LWS-trimmed; empty ones are kept so
 * callers can flag `Via: a,,b`.
 */
export function splitTopLevel(value: string, sep = 0x2c): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c) i++; // quoted-pair: skip the escaped char
      else if (c === 0x22) inQuote = false;
      continue;
    }
    if (c === 0x22) inQuote = true;
    else if (c === 0x3c) angle++;
    else if (c === 0x3e) {
      if (angle > 0) angle--;
    } else if (c === sep && angle === 0) {
      out.push(trimLws(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimLws(value.slice(start)));
  return out;
}

/** The content of a quoted-string with quoted-pairs resolved; `s` includes both quotes. */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 0x22 || s.charCodeAt(s.length - 1) !== 0x22) return s;
  const inner = s.slice(1, -1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i] as string;
    if (ch === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}

/**
 * Index just past the quoted-string that starts at `s[i]` (a `"`), or -1 when it never ends
 * (RFC 4475 §3.1.2.6 quotbal).
 */
export function quotedStringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** The shared, frozen record of a value without parameters (most URIs have none). */
export const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Add `name=value` to a parameter record unless the name is already there (the first
 * occurrence wins). Plain objects keep V8's fast properties; "__proto__" is never a key.
 * Returns the record (a new one when `rec` is the shared NO_PARAMS).
 */
export function addParam(rec: Record<string, string>, name: string, value: string): Record<string, string> {
  if (name === '__proto__') return rec;
  if (rec === NO_PARAMS) {
    const fresh: Record<string, string> = {};
    fresh[name] = value;
    return fresh;
  }
  if (!Object.prototype.hasOwnProperty.call(rec, name)) rec[name] = value;
  return rec;
}

/** Result of parsing `*( SEMI generic-param )`. */
export interface ParsedParams {
  /** Names lower-cased; a parameter with no value maps to "". Quoted values are unquoted. */
  params: Record<string, string>;
  /** True when a parameter was empty (`;;`), had a non-token name, or an unterminated quote. */
  bad: boolean;
}

/**
 * Parse `*( SEMI generic-param )` starting at `s[i]` (which should be `;` or the end). LWS is
 * allowed around `;` and `=` (RFC 3261 §25.1 SEMI and EQUAL). The first occurrence of a name wins.
 */
export function parseGenericParams(s: string, i: number): ParsedParams {
  let params = NO_PARAMS;
  let bad = false;
  const n = s.length;
  while (i < n) {
    while (i < n && isLws(s.charCodeAt(i))) i++;
    if (i >= n) break;
    if (s.charCodeAt(i) !== 0x3b) {
      bad = true;
      break;
    }
    i++;
    while (i < n && isLws(s.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < n && isTokenChar(s.charCodeAt(i))) i++;
    const name = s.slice(nameStart, i).toLowerCase();
    while (i < n && isLws(s.charCodeAt(i))) i++;
    let value = '';
    if (i < n && s.charCodeAt(i) === 0x3d) {
      i++;
      while (i < n && isLws(s.charCodeAt(i))) i++;
      if (i < n && s.charCodeAt(i) === 0x22) {
        const e = quotedStringEnd(s, i);
        if (e < 0) {
          bad = true;
          value = s.slice(i + 1);
          i = n;
        } else {
          value = unquote(s.slice(i, e));
          i = e;
        }
      } else {
        const vStart = i;
        // gen-value = token / host / quoted-string; host adds "[" ":" "]" for IPv6
        while (i < n) {
          const c = s.charCodeAt(i);
          if (c === 0x3b || isLws(c)) break;
          if (!isTokenChar(c) && c !== 0x5b && c !== 0x5d && c !== 0x3a && c < 0x80) bad = true;
          i++;
        }
        value = s.slice(vStart, i);
        if (value.length === 0) bad = true;
      }
    }
    if (name.length === 0) {
      bad = true;
      continue;
    }
    params = addParam(params, name, value);
  }
  return { params, bad };
}
