/**
 * One Via header value — RFC 3261 §20.42 and §25.1, rport from RFC 3581:
 *
 *     via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *     sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *     sent-by       = host [ COLON port ]
 *     via-params    = via-ttl / via-maddr / via-received / via-branch / via-extension
 *
 * SLASH, COLON and SEMI allow LWS around them (RFC 4475 §3.1.1.1 wsinv folds a Via across three
 * lines). A branch that is just the magic cookie "z9hG4bK" (RFC 4475 §3.2.1 badbranch) parses,
 * with `defect` set.
 */
import { fail, ok, type Decoded } from '../result.js';
import { SIP_LAYER, type SipErrorCode } from './errors.js';
import { isLws, isTokenChar, parseDecimal, parseGenericParams, trimLws } from './headers.js';
import { unbracketedIpv6 } from './uri.js';

/** RFC 3261 §8.1.1.7: branch IDs of RFC 3261 transactions start with this. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

export interface Via {
  /** "SIP" as written. */
  protocolName: string;
  /** "2.0" as written. */
  protocolVersion: string;
  /** Upper-cased transport: UDP, TCP, TLS, SCTP, WS, WSS, or an extension. */
  transport: string;
  /** sent-by host as written; IPv6 references without brackets. */
  host: string;
  /** sent-by port, when present. */
  port?: number;
  branch?: string;
  /** received= (RFC 3261 §18.2.1): the source address the next hop saw. */
  received?: string;
  /** rport (RFC 3581): `true` when requested without a value, the port number once filled in. */
  rport?: number | true;
  maddr?: string;
  ttl?: number;
  /** All parameters: names lower-cased, "" when valueless. */
  params: Record<string, string>;
  /** The value as given. */
  raw: string;
}

export interface ViaParse {
  value?: Via;
  defect: boolean;
}

function skipLws(s: string, i: number): number {
  while (i < s.length && isLws(s.charCodeAt(i))) i++;
  return i;
}

function token(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/** Lax parse of one via-parm. Never throws. */
export function parseViaLax(input: string): ViaParse {
  const s = trimLws(input);
  let i = 0;
  let e = token(s, i);
  if (e === i) return { defect: true };
  const protocolName = s.slice(i, e);
  i = skipLws(s, e);
  if (s.charCodeAt(i) !== 0x2f) return { defect: true };
  i = skipLws(s, i + 1);
  e = token(s, i);
  if (e === i) return { defect: true };
  const protocolVersion = s.slice(i, e);
  i = skipLws(s, e);
  if (s.charCodeAt(i) !== 0x2f) return { defect: true };
  i = skipLws(s, i + 1);
  e = token(s, i);
  if (e === i) return { defect: true };
  const transport = s.slice(i, e).toUpperCase();
  i = skipLws(s, e);
  if (i === e) return { defect: true }; // LWS is required before sent-by

  let host: string;
  let port: number | undefined;
  let defect = false;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) return { defect: true };
    host = s.slice(i + 1, close);
    i = close + 1;
  } else {
    e = i;
    let colons = 0;
    while (e < s.length) {
      const c = s.charCodeAt(e);
      if (c === 0x3b || isLws(c)) break;
      if (c === 0x3a) colons++;
      e++;
    }
    if (colons >= 2) {
      // "SIP/2.0/UDP fe80:0:0:0:21a:a0ff:fe07:32e0:5060" — IPv6 without brackets (invalid, seen in the wild)
      const v6 = unbracketedIpv6(s.slice(i, e), e);
      if (!v6) return { defect: true };
      host = v6.host;
      port = v6.port;
      defect = true;
      i = e;
    } else {
      e = i;
      while (e < s.length) {
        const c = s.charCodeAt(e);
        if (c === 0x3a || c === 0x3b || isLws(c)) break;
        e++;
      }
      host = s.slice(i, e);
      i = e;
    }
  }
  if (host.length === 0) return { defect: true };
  i = skipLws(s, i);
  if (port === undefined && s.charCodeAt(i) === 0x3a) {
    i = skipLws(s, i + 1);
    e = i;
    while (e < s.length && s.charCodeAt(e) >= 0x30 && s.charCodeAt(e) <= 0x39) e++;
    port = parseDecimal(s.slice(i, e), 65535);
    if (port === undefined) return { defect: true };
    i = e;
  }
  // A trailing comment "(…)" is allowed after the parameters (RFC 3261 §25.1 via-parm in
  // RFC 2543 style); cut it off before reading parameters.
  let tail = s.slice(i);
  const paren = tail.indexOf('(');
  if (paren >= 0 && tail.lastIndexOf('"', paren) < 0) tail = trimLws(tail.slice(0, paren));
  const p = parseGenericParams(tail, 0);
  if (p.bad) defect = true;
  const params = p.params;
  const via: Via = { protocolName, protocolVersion, transport, host, params, raw: s };
  if (port !== undefined) via.port = port;
  const branch = params.branch;
  if (branch !== undefined) {
    via.branch = branch;
    if (branch === BRANCH_MAGIC_COOKIE || branch === '') defect = true;
  }
  if (params.received !== undefined) via.received = params.received;
  const rport = params.rport;
  if (rport !== undefined) {
    if (rport === '') via.rport = true;
    else {
      const n = parseDecimal(rport, 65535);
      if (n === undefined) defect = true;
      else via.rport = n;
    }
  }
  if (params.maddr !== undefined) via.maddr = params.maddr;
  if (params.ttl !== undefined) {
    const n = parseDecimal(params.ttl, 255);
    if (n === undefined) defect = true;
    else via.ttl = n;
  }
  return { value: via, defect };
}

/** Parse one via-parm; with `strict`, a defect is an error. Errors are BAD_VIA at offset 0. */
export function parseVia(s: string, opts: { strict?: boolean } = {}): Decoded<Via, SipErrorCode> {
  const r = parseViaLax(s);
  if (!r.value || (opts.strict && r.defect)) return fail<SipErrorCode>('BAD_VIA', SIP_LAYER, 0);
  return ok(r.value, s.length);
}
