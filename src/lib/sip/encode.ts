/**
 * SIP message encoder for the probes (OPTIONS, REGISTER, INVITE, ACK, BYE, CANCEL) and for the
 * responses the synthetic-call UAS sends. RFC 3261 §7: start line, headers in the given order,
 * CRLF, body; Content-Length is always computed here and written last (any Content-Length in
 * `headers` is dropped), so framing is right over UDP and TCP alike (RFC 3261 §18.3).
 *
 * Header values with CR or LF would inject headers: that is a caller bug and throws a TypeError.
 */
import { randomBytes } from 'node:crypto';
import { canonicalHeaderKey } from './headers.js';

export type SipHeaderList = readonly (readonly [name: string, value: string])[];

export interface SipRequestSpec {
  method: string;
  requestUri: string;
  headers: SipHeaderList;
  body?: Uint8Array | string;
}

export interface SipResponseSpec {
  statusCode: number;
  reason: string;
  headers: SipHeaderList;
  body?: Uint8Array | string;
}

const encoder = new TextEncoder();

function checkText(what: string, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) throw new TypeError(`SIP ${what} contains CR or LF: ${JSON.stringify(s)}`);
  }
}

function assemble(startLine: string, headers: SipHeaderList, body: Uint8Array | string | undefined): Uint8Array {
  const bodyBytes = body === undefined ? new Uint8Array(0) : typeof body === 'string' ? encoder.encode(body) : body;
  let head = `${startLine}\r\n`;
  for (const [name, value] of headers) {
    checkText('header name', name);
    checkText('header value', value);
    if (canonicalHeaderKey(name) === 'content-length') continue;
    head += `${name}: ${value}\r\n`;
  }
  head += `Content-Length: ${bodyBytes.length}\r\n\r\n`;
  const headBytes = encoder.encode(head);
  const out = new Uint8Array(headBytes.length + bodyBytes.length);
  out.set(headBytes, 0);
  out.set(bodyBytes, headBytes.length);
  return out;
}

/** `Method SP Request-URI SP SIP/2.0` + headers + Content-Length + body. */
export function encodeSipRequest(spec: SipRequestSpec): Uint8Array {
  checkText('method', spec.method);
  checkText('Request-URI', spec.requestUri);
  return assemble(`${spec.method} ${spec.requestUri} SIP/2.0`, spec.headers, spec.body);
}

/** `SIP/2.0 SP Status-Code SP Reason-Phrase` + headers + Content-Length + body. */
export function encodeSipResponse(spec: SipResponseSpec): Uint8Array {
  if (!Number.isInteger(spec.statusCode) || spec.statusCode < 100 || spec.statusCode > 699) {
    throw new TypeError(`SIP status code out of range: ${spec.statusCode}`);
  }
  checkText('reason phrase', spec.reason);
  return assemble(`SIP/2.0 ${spec.statusCode} ${spec.reason}`, spec.headers, spec.body);
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A Via branch for a new client transaction: the RFC 3261 magic cookie + 96 random bits (§8.1.1.7). */
export function newBranch(): string {
  return `z9hG4bK${randomHex(12)}`;
}

/** A From/To tag: 64 random bits (RFC 3261 §19.3 asks for at least 32). */
export function newTag(): string {
  return randomHex(8);
}

/** A Call-ID: 128 random bits "@" host (RFC 3261 §8.1.1.4). IPv6 hosts are bracket-free words. */
export function newCallId(host: string): string {
  return `${randomHex(16)}@${host}`;
}
