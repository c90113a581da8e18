/**
 * HTTP Digest authentication as SIP uses it: RFC 3261 §22.4 (SIP's profile of RFC 2617),
 * RFC 7616 (the algorithm, SHA-256 and the -sess variants), RFC 8760 (SHA-256 / SHA-512-256 in SIP).
 *
 *     challenge  = "Digest" LWS digest-cln *(COMMA digest-cln)
 *     digest-cln = realm / domain / nonce / opaque / stale / algorithm / qop-options / auth-param
 *
 *     HA1 = H(username ":" realm ":" password)                         (algorithm X)
 *     HA1 = H(H(username ":" realm ":" password) ":" nonce ":" cnonce)  (algorithm X-sess)
 *     HA2 = H(method ":" digest-uri)                                    (qop=auth or no qop)
 *     HA2 = H(method ":" digest-uri ":" H(body))                        (qop=auth-int)
 *     response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)    (qop present)
 *     response = H(HA1 ":" nonce ":" HA2)                              (no qop: RFC 2069/2617 compatibility)
 *
 * The password is an input of HA1 and nothing else: it is never part of a returned value, an
 * error or a log line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fail, ok, type Decoded } from '../result.js';
import { addParam, isLws, isTokenChar, NO_PARAMS, quotedStringEnd, unquote } from './headers.js';

export type DigestErrorCode = 'NOT_DIGEST' | 'BAD_AUTH_PARAMS' | 'MISSING_REALM' | 'MISSING_NONCE' | 'UNSUPPORTED_ALGORITHM';

export const DIGEST_LAYER = 'sip-digest';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

/** Algorithm token (case-insensitive) → canonical name and Node hash. */
const ALGORITHMS: Readonly<Record<string, { name: DigestAlgorithm; hash: string; sess: boolean; strength: number }>> = {
  'md5': { name: 'MD5', hash: 'md5', sess: false, strength: 1 },
  'md5-sess': { name: 'MD5-sess', hash: 'md5', sess: true, strength: 1 },
  'sha-256': { name: 'SHA-256', hash: 'sha256', sess: false, strength: 2 },
  'sha-256-sess': { name: 'SHA-256-sess', hash: 'sha256', sess: true, strength: 2 },
  'sha-512-256': { name: 'SHA-512-256', hash: 'sha512-256', sess: false, strength: 3 },
  'sha-512-256-sess': { name: 'SHA-512-256-sess', hash: 'sha512-256', sess: true, strength: 3 },
};

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** MD5 when the challenge names none (RFC 7616 §3.3). */
  algorithm: DigestAlgorithm;
  /** qop-options tokens ("auth", "auth-int"); empty when the server sent no qop (RFC 2069 mode). */
  qop: string[];
  /** stale=true: the nonce expired, credentials were right (RFC 7616 §3.3). */
  stale: boolean;
  domain?: string;
  /** userhash=true (RFC 7616 §3.4.4): send H(username ":" realm) instead of the username. */
  userhash: boolean;
  /** Every parameter, names lower-cased, values unquoted. */
  params: Record<string, string>;
}

/** What an Authorization / Proxy-Authorization header carries (RFC 3261 §25.1 digest-response). */
export interface DigestCredentialsHeader {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: string;
  cnonce?: string;
  nc?: string;
  qop?: string;
  opaque?: string;
  params: Record<string, string>;
}

/**
 * Split `Scheme name=value, name="quoted", …` into the scheme and its parameters (names
 * lower-cased, values unquoted). Returns undefined when the parameter list is malformed.
 */
export function parseAuthParams(value: string): { scheme: string; params: Record<string, string> } | undefined {
  const s = value;
  let i = 0;
  while (i < s.length && isLws(s.charCodeAt(i))) i++;
  const s0 = i;
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  const scheme = s.slice(s0, i);
  if (scheme.length === 0) return undefined;
  let params = NO_PARAMS;
  for (;;) {
    while (i < s.length && (isLws(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2c)) i++;
    if (i >= s.length) break;
    const n0 = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    const name = s.slice(n0, i).toLowerCase();
    if (name.length === 0) return undefined;
    while (i < s.length && isLws(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x3d) return undefined;
    i++;
    while (i < s.length && isLws(s.charCodeAt(i))) i++;
    let v: string;
    if (s.charCodeAt(i) === 0x22) {
      const e = quotedStringEnd(s, i);
      if (e < 0) return undefined;
      v = unquote(s.slice(i, e));
      i = e;
    } else {
      const v0 = i;
      while (i < s.length && s.charCodeAt(i) !== 0x2c && !isLws(s.charCodeAt(i))) i++;
      v = s.slice(v0, i);
    }
    params = addParam(params, name, v);
  }
  return { scheme, params };
}

/** Parse one WWW-Authenticate / Proxy-Authenticate value carrying a Digest challenge. */
export function parseDigestChallenge(value: string): Decoded<DigestChallenge, DigestErrorCode> {
  const a = parseAuthParams(value);
  if (!a) return fail<DigestErrorCode>('BAD_AUTH_PARAMS', DIGEST_LAYER, 0);
  if (a.scheme.toLowerCase() !== 'digest') return fail<DigestErrorCode>('NOT_DIGEST', DIGEST_LAYER, 0);
  const p = a.params;
  if (p.realm === undefined) return fail<DigestErrorCode>('MISSING_REALM', DIGEST_LAYER, 0);
  if (p.nonce === undefined) return fail<DigestErrorCode>('MISSING_NONCE', DIGEST_LAYER, 0);
  const alg = ALGORITHMS[(p.algorithm ?? 'MD5').toLowerCase()];
  if (!alg) return fail<DigestErrorCode>('UNSUPPORTED_ALGORITHM', DIGEST_LAYER, 0);
  const qop: string[] = [];
  if (p.qop !== undefined) {
    for (const q of p.qop.split(',')) {
      const t = q.trim().toLowerCase();
      if (t.length > 0) qop.push(t);
    }
  }
  const c: DigestChallenge = {
    realm: p.realm,
    nonce: p.nonce,
    algorithm: alg.name,
    qop,
    stale: (p.stale ?? '').toLowerCase() === 'true',
    userhash: (p.userhash ?? '').toLowerCase() === 'true',
    params: p,
  };
  if (p.opaque !== undefined) c.opaque = p.opaque;
  if (p.domain !== undefined) c.domain = p.domain;
  return ok(c, value.length);
}

/**
 * The strongest supported challenge among several (RFC 8760 §2.4: a server may offer one per
 * algorithm, in separate header fields); undefined when none parses.
 */
export function selectDigestChallenge(values: readonly string[]): DigestChallenge | undefined {
  let best: DigestChallenge | undefined;
  let bestStrength = 0;
  for (const v of values) {
    const r = parseDigestChallenge(v);
    if (!r.ok) continue;
    const strength = ALGORITHMS[r.value.algorithm.toLowerCase()]?.strength ?? 0;
    if (strength > bestStrength) {
      best = r.value;
      bestStrength = strength;
    }
  }
  return best;
}

/** Parse an Authorization / Proxy-Authorization Digest value (for analysis; no secret inside). */
export function parseDigestAuthorization(value: string): Decoded<DigestCredentialsHeader, DigestErrorCode> {
  const a = parseAuthParams(value);
  if (!a) return fail<DigestErrorCode>('BAD_AUTH_PARAMS', DIGEST_LAYER, 0);
  if (a.scheme.toLowerCase() !== 'digest') return fail<DigestErrorCode>('NOT_DIGEST', DIGEST_LAYER, 0);
  const p = a.params;
  if (p.realm === undefined) return fail<DigestErrorCode>('MISSING_REALM', DIGEST_LAYER, 0);
  if (p.nonce === undefined) return fail<DigestErrorCode>('MISSING_NONCE', DIGEST_LAYER, 0);
  if (p.username === undefined || p.uri === undefined || p.response === undefined) {
    return fail<DigestErrorCode>('BAD_AUTH_PARAMS', DIGEST_LAYER, 0);
  }
  const out: DigestCredentialsHeader = {
    username: p.username,
    realm: p.realm,
    nonce: p.nonce,
    uri: p.uri,
    response: p.response,
    algorithm: p.algorithm ?? 'MD5',
    params: p,
  };
  if (p.cnonce !== undefined) out.cnonce = p.cnonce;
  if (p.nc !== undefined) out.nc = p.nc;
  if (p.qop !== undefined) out.qop = p.qop;
  if (p.opaque !== undefined) out.opaque = p.opaque;
  return ok(out, value.length);
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  /** Request method (for SIP: the method of the request being authorised; ACK/CANCEL reuse INVITE's credentials, RFC 3261 §22.1). */
  method: string;
  /** digest-uri: the Request-URI, exactly as it will be sent. */
  uri: string;
  /** "auth", "auth-int", or undefined for the RFC 2617 compatibility response. */
  qop?: 'auth' | 'auth-int';
  /** 8 hex digits, e.g. "00000001" (required with qop). */
  nc?: string;
  cnonce?: string;
  /** Message body, for qop=auth-int. */
  body?: Uint8Array | string;
}

function hasher(algorithm: DigestAlgorithm): { hash: string; sess: boolean } {
  const a = ALGORITHMS[algorithm.toLowerCase()];
  if (!a) throw new TypeError(`unsupported digest algorithm ${algorithm}`);
  return a;
}

function h(hash: string, data: string | Uint8Array): string {
  return createHash(hash).update(data).digest('hex');
}

/** The request-digest (lower-case hex), RFC 7616 §3.4.1 (and RFC 2617 §3.2.2.1 without qop). */
export function digestResponse(x: DigestInput): string {
  const { hash, sess } = hasher(x.algorithm);
  let ha1 = h(hash, `${x.username}:${x.realm}:${x.password}`);
  if (sess) ha1 = h(hash, `${ha1}:${x.nonce}:${x.cnonce ?? ''}`);
  const ha2 = x.qop === 'auth-int' ? h(hash, `${x.method}:${x.uri}:${h(hash, x.body ?? '')}`) : h(hash, `${x.method}:${x.uri}`);
  if (x.qop === undefined) return h(hash, `${ha1}:${x.nonce}:${ha2}`);
  return h(hash, `${ha1}:${x.nonce}:${x.nc ?? '00000001'}:${x.cnonce ?? ''}:${x.qop}:${ha2}`);
}

export interface DigestAuthorizationOptions {
  username: string;
  password: string;
  method: string;
  uri: string;
  body?: Uint8Array | string;
  /** Client nonce; random 128 bits when absent (inject a fixed one in tests). */
  cnonce?: string;
  /** Nonce count, 1 for the first request with this nonce. */
  nc?: number;
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  return `${out}"`;
}

/** Format a nonce count as 8 lower-case hex digits (RFC 7616 §3.4). */
export function formatNonceCount(nc: number): string {
  return (nc >>> 0).toString(16).padStart(8, '0');
}

/**
 * The Authorization / Proxy-Authorization header value answering `challenge`. qop=auth is used
 * when offered, auth-int when it is the only option, and the RFC 2617 compatibility form
 * (no qop, cnonce, nc) when the challenge has no qop.
 */
export function buildDigestAuthorization(challenge: DigestChallenge, o: DigestAuthorizationOptions): string {
  const qop: 'auth' | 'auth-int' | undefined = challenge.qop.includes('auth')
    ? 'auth'
    : challenge.qop.includes('auth-int')
      ? 'auth-int'
      : undefined;
  const { sess, hash } = hasher(challenge.algorithm);
  const needCnonce = qop !== undefined || sess;
  const cnonce = needCnonce ? (o.cnonce ?? randomBytes(16).toString('hex')) : undefined;
  const nc = formatNonceCount(o.nc ?? 1);
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: o.username,
    password: o.password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method: o.method,
    uri: o.uri,
    qop,
    nc,
    cnonce,
    body: o.body,
  });
  const username = challenge.userhash ? h(hash, `${o.username}:${challenge.realm}`) : o.username;
  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(o.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (cnonce !== undefined) parts.push(`cnonce=${quote(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${nc}`);
  if (challenge.userhash) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}
