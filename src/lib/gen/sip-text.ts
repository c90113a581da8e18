/**
 * SIP message text (RFC 3261 §7) and SDP offer/answer bodies (RFC 4566, RFC 3264) as the
 * generator writes them: CRLF line ends, one header per line in the order real phones use,
 * Content-Length always right (all text is ASCII, so characters = bytes).
 */
import type { GenHost } from './udp-frame.js';

/** Ordered header list; a name may repeat. */
export type SipHeaders = [name: string, value: string][];

/** Reason phrases of the status codes the generator sends (RFC 3261 §21). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  401: 'Unauthorized',
  408: 'Request Timeout',
  486: 'Busy Here',
  487: 'Request Terminated',
  503: 'Service Unavailable',
};

export const PHONE_ALLOW = 'INVITE, INFO, PRACK, ACK, BYE, CANCEL, OPTIONS, NOTIFY, REGISTER, SUBSCRIBE, REFER, PUBLISH, UPDATE, MESSAGE';
export const PBX_ALLOW = 'OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, INVITE, ACK, BYE, CANCEL, UPDATE, PRACK, MESSAGE, REFER';

/** Start line + headers + Content-Type (when there is a body) + Content-Length + CRLF + body. */
export function sipMessage(startLine: string, headers: SipHeaders, body = ''): string {
  let text = startLine + '\r\n';
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  if (body.length > 0) text += 'Content-Type: application/sdp\r\n';
  text += `Content-Length: ${body.length}\r\n\r\n`;
  return text + body;
}

/**
 * A response to `request` (RFC 3261 §8.2.6.2): Via, From, Call-ID and CSeq copied, To copied
 * with `toTag` added unless it already has one; then Server (PBX) or User-Agent (phone), then
 * `extra`.
 */
export function sipResponse(
  request: SipHeaders,
  status: number,
  toTag: string | null,
  responder: GenHost,
  extra: SipHeaders = [],
  body = '',
): string {
  const headers: SipHeaders = [];
  for (const [name, value] of request) {
    if (name === 'Via' || name === 'From' || name === 'Call-ID' || name === 'CSeq') headers.push([name, value]);
    else if (name === 'To') headers.push([name, toTag !== null && !value.includes(';tag=') ? `${value};tag=${toTag}` : value]);
  }
  headers.push([responder.isPbx ? 'Server' : 'User-Agent', responder.userAgent]);
  headers.push(...extra);
  const reason = REASON_PHRASES[status] ?? 'Unknown';
  return sipMessage(`SIP/2.0 ${status} ${reason}`, headers, body);
}

export interface SdpInit {
  /** o= username ("-" for the PBX). */
  user: string;
  ip: string;
  /** RTP port of the m=audio line (RTCP on port + 1). */
  rtpPort: number;
  sessionId: number;
  sessionVersion: number;
  isPbx: boolean;
}

/** PCMU/8000 + telephone-event/8000, 20 ms packets, both directions. */
export function sdpBody(s: SdpInit): string {
  const lines = [
    'v=0',
    `o=${s.user} ${s.sessionId} ${s.sessionVersion} IN IP4 ${s.ip}`,
    s.isPbx ? 's=Asterisk' : 's=SIP Call',
    `c=IN IP4 ${s.ip}`,
    't=0 0',
    `m=audio ${s.rtpPort} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    s.isPbx ? 'a=maxptime:150' : `a=rtcp:${s.rtpPort + 1}`,
    'a=sendrecv',
  ];
  return lines.join('\r\n') + '\r\n';
}
