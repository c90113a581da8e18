/**
 * Probe targets as typed on the command line:
 *
 *   sip:[user@]host[:port][;transport=udp|tcp|tls]     RFC 3261 §19.1 SIP URI
 *   sips:[user@]host[:port]                            always TLS (RFC 3261 §26.2.2)
 *   host | host:port | [v6]:port | v6                 a bare host, taken as sip:host
 *
 * Pure: no DNS here. Resolution (RFC 3263) happens in `net/resolve.ts`.
 */
import { isIP } from 'node:net';
import { defaultPort, type SipTransportName } from '../net/transport-name.js';

export { defaultPort, type SipTransportName };

export interface ProbeTarget {
  /** What the user typed, for display. */
  text: string;
  scheme: 'sip' | 'sips';
  /** User part, when the URI had one (`echo` in `sip:echo@pbx`). */
  user: string | undefined;
  /** Host without brackets: a name, an IPv4 or an IPv6 literal. */
  host: string;
  /** 4 or 6 for an IP literal, 0 for a name. */
  hostFamily: 0 | 4 | 6;
  /** Explicit port, when given. */
  port: number | undefined;
  /** Explicit `;transport=` (or `tls` implied by sips:), when given. */
  transport: SipTransportName | undefined;
}

export type ParseTargetResult = { ok: true; value: ProbeTarget } | { ok: false; message: string };

const TRANSPORTS: readonly SipTransportName[] = ['udp', 'tcp', 'tls'];
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

export function parseTarget(text: string): ParseTargetResult {
  const input = text.trim();
  if (input === '') return { ok: false, message: 'empty target' };
  let scheme: 'sip' | 'sips' = 'sip';
  let rest = input;
  const lower = input.toLowerCase();
  if (lower.startsWith('sips:')) {
    scheme = 'sips';
    rest = input.slice(5);
  } else if (lower.startsWith('sip:')) {
    rest = input.slice(4);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    return { ok: false, message: `unsupported scheme in "${text}" (use sip:, sips: or a bare host)` };
  } else if (isIP(input) === 6) {
    // a bare IPv6 literal without brackets: the whole text is the host
    return { ok: true, value: { text, scheme, user: undefined, host: input, hostFamily: 6, port: undefined, transport: undefined } };
  }

  // URI parameters (;transport=…) and headers (?…) follow the hostport.
  const headersAt = rest.indexOf('?');
  if (headersAt >= 0) rest = rest.slice(0, headersAt);
  const params = rest.split(';');
  let hostport = params.shift() ?? '';
  let transport: SipTransportName | undefined;
  for (const p of params) {
    const [name, value] = p.split('=');
    if (name?.toLowerCase() !== 'transport') continue;
    const t = (value ?? '').toLowerCase();
    if (!(TRANSPORTS as readonly string[]).includes(t)) return { ok: false, message: `unsupported transport "${value ?? ''}" in "${text}" (udp, tcp or tls)` };
    transport = t as SipTransportName;
  }
  if (scheme === 'sips') {
    if (transport !== undefined && transport !== 'tls') return { ok: false, message: `sips: needs TLS, not ${transport}, in "${text}"` };
    transport = 'tls';
  }

  let user: string | undefined;
  const at = hostport.lastIndexOf('@');
  if (at >= 0) {
    user = hostport.slice(0, at).split(':')[0];
    hostport = hostport.slice(at + 1);
  }

  let host: string;
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) return { ok: false, message: `unclosed "[" in "${text}"` };
    host = hostport.slice(1, close);
    const after = hostport.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return { ok: false, message: `unexpected "${after}" after the IPv6 address in "${text}"` };
      portText = after.slice(1);
    }
    if (isIP(host) !== 6) return { ok: false, message: `"${host}" is not an IPv6 address` };
  } else {
    const colon = hostport.lastIndexOf(':');
    if (colon >= 0 && hostport.indexOf(':') !== colon) {
      return { ok: false, message: `IPv6 addresses in a URI need brackets: sip:[${hostport}]` };
    }
    host = colon >= 0 ? hostport.slice(0, colon) : hostport;
    portText = colon >= 0 ? hostport.slice(colon + 1) : undefined;
  }

  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return { ok: false, message: `bad port "${portText}" in "${text}"` };
    }
    port = Number(portText);
  }
  const family = isIP(host);
  if (host === '') return { ok: false, message: `no host in "${text}"` };
  if (family === 0 && !HOSTNAME.test(host)) return { ok: false, message: `"${host}" is not a valid host name or address` };
  return {
    ok: true,
    value: { text, scheme, user: user === '' ? undefined : user, host, hostFamily: family as 0 | 4 | 6, port, transport },
  };
}

/** `host` as it goes in a URI or Via: IPv6 in brackets. */
export function uriHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The Request-URI for a request to this target (`sip:user@host[:port][;transport=…]`). */
export function requestUri(t: ProbeTarget, user?: string): string {
  const u = user ?? t.user;
  const port = t.port === undefined ? '' : `:${t.port}`;
  const transport = t.transport && t.scheme === 'sip' && t.transport !== 'udp' ? `;transport=${t.transport}` : '';
  return `${t.scheme}:${u ? `${u}@` : ''}${uriHost(t.host)}${port}${transport}`;
}
