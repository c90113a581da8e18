/**
 * SIP message framing on byte streams and SIP start-line detection (RFC 3261 §7, §7.5, §18.3,
 * §20.14, §25.1).
 *
 *   start-line   = Request-Line / Status-Line
 *   Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *   message      = start-line *(message-header) CRLF [ message-body ]
 *
 * Method is a case-sensitive token (extension methods are fine); SIP-Version is compared
 * case-insensitively (§7.1). On a stream the body length comes from Content-Length (compact
 * form "l"), header names case-insensitive, whitespace and line folding tolerated around the
 * value; a stream message without Content-Length has an empty body. Bare LF line ends are
 * accepted (§7.5 leniency). No regular expressions: these run on every UDP payload.
 */

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** Longest start line examined, in bytes: beyond this a line is not taken as SIP. */
export const MAX_START_LINE = 8192;
/** Longest method token accepted. */
const MAX_METHOD = 32;
/** Content-Length digits accepted (up to 999,999,999 bytes). */
const MAX_LENGTH_DIGITS = 9;

/** RFC 3261 §25.1 token characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
const TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

/** "SIP/2.0", upper case. */
const SIP_VERSION = [0x53, 0x49, 0x50, 0x2f, 0x32, 0x2e, 0x30];

/** ASCII upper-casing of a letter; other bytes unchanged. */
function upper(c: number): number {
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
}

/** 1: matches "SIP/2.0" (any case) at p; 0: ran out of bytes while matching; -1: differs. */
function matchVersion(buf: Uint8Array, p: number, end: number): number {
  for (let i = 0; i < 7; i++) {
    if (p + i >= end) return 0;
    if (upper(buf[p + i]!) !== SIP_VERSION[i]) return -1;
  }
  return 1;
}

/** Status line prefix "SIP/2.0 ddd" then SP (or a line end, for peers omitting the reason). */
function classifyStatusLine(buf: Uint8Array, off: number, end: number): number {
  const v = matchVersion(buf, off, end);
  if (v <= 0) return v;
  let p = off + 7;
  if (p >= end) return 0;
  if (buf[p] !== SP) return -1;
  p++;
  for (let i = 0; i < 3; i++, p++) {
    if (p >= end) return 0;
    const c = buf[p]!;
    if (c < 0x30 || c > 0x39 || (i === 0 && (c < 0x31 || c > 0x36))) return -1;
  }
  if (p >= end) return 0;
  const c = buf[p]!;
  return c === SP || c === CR || c === LF ? 1 : -1;
}

/** Request line: token SP uri SP "SIP/2.0" CRLF. */
function classifyRequestLine(buf: Uint8Array, off: number, end: number): number {
  let p = off;
  while (p < end && TOKEN[buf[p]!] === 1) {
    p++;
    if (p - off > MAX_METHOD) return -1;
  }
  if (p === off) return -1;
  if (p >= end) return 0;
  if (buf[p] !== SP) return -1;
  p++;
  const uri = p;
  const limit = Math.min(end, off + MAX_START_LINE);
  while (p < limit) {
    const c = buf[p]!;
    if (c <= SP || c === 0x7f) break;
    p++;
  }
  if (p >= end) return end - off >= MAX_START_LINE ? -1 : 0;
  if (p === uri || buf[p] !== SP) return -1;
  p++;
  const v = matchVersion(buf, p, end);
  if (v <= 0) return v;
  p += 7;
  if (p >= end) return 0;
  const c = buf[p]!;
  if (c === LF) return 1;
  if (c !== CR) return -1;
  if (p + 1 >= end) return 0;
  return buf[p + 1] === LF ? 1 : -1;
}

/**
 * Whether `buf[off..end)` starts with a SIP start line: 1 yes; 0 not decidable yet (every byte
 * so far fits a start line, more are needed); -1 no. The scan is bounded by MAX_START_LINE.
 */
export function classifySipStart(buf: Uint8Array, off: number, end: number): -1 | 0 | 1 {
  if (off >= end) return 0;
  const s = classifyStatusLine(buf, off, end);
  if (s === 1) return 1;
  const r = classifyRequestLine(buf, off, end);
  if (r === 1) return 1;
  return s === 0 || r === 0 ? 0 : -1;
}

/**
 * True when `buf[off..end)` starts with a complete SIP start line: a status line
 * `SIP/2.0 ddd ` or a request line `TOKEN SP uri SP SIP/2.0` CRLF.
 */
export function looksLikeSipStart(buf: Uint8Array, off: number, end: number): boolean {
  return classifySipStart(buf, off, end) === 1;
}

const NOT_THIS_HEADER = -1;
const INVALID = -2;
const NEED_MORE = -3;

/** "content-length", lower case. */
const CONTENT_LENGTH = [0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68];

/**
 * If the header line at `p` (ending before `lineEnd`) is Content-Length or "l", the offset just
 * after its colon; else NOT_THIS_HEADER.
 */
function contentLengthColon(buf: Uint8Array, p: number, lineEnd: number): number {
  let q = p;
  const first = buf[q]! | 0x20;
  if (first !== 0x6c && first !== 0x63) return NOT_THIS_HEADER;
  if (first === 0x63) {
    if (lineEnd - q < CONTENT_LENGTH.length) return NOT_THIS_HEADER;
    for (let i = 0; i < CONTENT_LENGTH.length; i++) {
      if ((buf[q + i]! | 0x20) !== CONTENT_LENGTH[i]) return NOT_THIS_HEADER;
    }
    q += CONTENT_LENGTH.length;
  } else q += 1;
  while (q < lineEnd && (buf[q] === SP || buf[q] === HT)) q++;
  return q < lineEnd && buf[q] === COLON ? q + 1 : NOT_THIS_HEADER;
}

/** The Content-Length value starting after the colon at `q`, across folded lines; or INVALID/NEED_MORE. */
function contentLengthValue(buf: Uint8Array, q: number, end: number): number {
  let value = 0;
  let digits = 0;
  let state = 0; // 0 leading whitespace, 1 digits, 2 trailing whitespace
  for (;;) {
    if (q >= end) return NEED_MORE;
    const c = buf[q]!;
    if (c === CR || c === LF) {
      let lf = q;
      if (c === CR) {
        if (q + 1 >= end) return NEED_MORE;
        if (buf[q + 1] !== LF) return INVALID;
        lf = q + 1;
      }
      if (lf + 1 >= end) return NEED_MORE;
      const next = buf[lf + 1]!;
      if (next === SP || next === HT) {
        if (state === 1) state = 2;
        q = lf + 2;
        continue;
      }
      break;
    }
    if (c === SP || c === HT) {
      if (state === 1) state = 2;
    } else if (c >= 0x30 && c <= 0x39) {
      if (state === 2 || ++digits > MAX_LENGTH_DIGITS) return INVALID;
      state = 1;
      value = value * 10 + (c - 0x30);
    } else return INVALID;
    q++;
  }
  return state === 0 ? INVALID : value;
}

/**
 * Total length in bytes of the SIP message starting at `off` (start line, headers, the empty
 * line, and a body of Content-Length bytes): 0 when `buf[off..end)` does not hold all of it
 * yet, -1 when it cannot be framed (no start line, or a Content-Length that is not a number).
 */
export function sipMessageLength(buf: Uint8Array, off: number, end: number): number {
  let contentLength = -1;
  let lineStart = off;
  let first = true;
  for (;;) {
    let lf = lineStart;
    while (lf < end && buf[lf] !== LF) lf++;
    if (lf >= end) return 0;
    const lineEnd = lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf;
    if (lineEnd === lineStart) {
      if (first) return -1;
      const total = lf + 1 - off + (contentLength < 0 ? 0 : contentLength);
      return total <= end - off ? total : 0;
    }
    if (!first && contentLength < 0) {
      const c = buf[lineStart]!;
      if (c !== SP && c !== HT) {
        const colon = contentLengthColon(buf, lineStart, lineEnd);
        if (colon >= 0) {
          const v = contentLengthValue(buf, colon, end);
          if (v === INVALID) return -1;
          if (v === NEED_MORE) return 0;
          contentLength = v;
        }
      }
    }
    first = false;
    lineStart = lf + 1;
  }
}
