/**
 * NAT and SIP ALG findings from what comes back:
 * - RFC 3581 `rport` / RFC 3261 §18.2.1 `received` on the top Via of a response are where the
 *   server saw our request come from. Different from our socket's address: we are behind NAT,
 *   and that is the public address.
 * - A top Via whose sent-by or branch differs from the one we sent, or a registered Contact
 *   whose host/port differ from ours, was rewritten on the way: a SIP ALG (or a B2BUA).
 */
import type { Endpoint } from '../net/sip-transport.js';
import type { NameAddr } from '../sip/name-addr.js';
import type { SipMessage } from '../sip/message.js';
import type { Finding } from './result.js';

function sameHost(a: string, b: string): boolean {
  return a.replace(/^\[|\]$/g, '').toLowerCase() === b.replace(/^\[|\]$/g, '').toLowerCase();
}

export interface SentVia {
  host: string;
  port: number;
  branch: string;
}

/** Findings from one response's top Via; `local` is our socket's address. */
export function viaFindings(sent: SentVia, local: Endpoint, response: SipMessage): Finding[] {
  const out: Finding[] = [];
  const top = response.via[0];
  if (!top) {
    out.push({ severity: 'warning', code: 'VIA_MISSING', message: 'the response has no Via header we can read' });
    return out;
  }
  const sentBy = `${sent.host}:${sent.port}`;
  const echoed = `${top.host}:${top.port ?? 5060}`;
  if (top.branch !== sent.branch || !sameHost(top.host, sent.host) || (top.port ?? 5060) !== sent.port) {
    out.push({
      severity: 'warning',
      code: 'ALG_VIA_REWRITTEN',
      message: `the response's top Via (${echoed}${top.branch === sent.branch ? '' : `, branch ${top.branch ?? 'none'}`}) differs from the one we sent (${sentBy}): a SIP ALG or a non-transparent proxy rewrote it`,
      evidence: top.raw,
    });
  }
  const receivedIp = top.received;
  const rport = typeof top.rport === 'number' ? top.rport : undefined;
  const ipDiffers = receivedIp !== undefined && !sameHost(receivedIp, local.ip);
  const portDiffers = rport !== undefined && rport !== local.port;
  if (ipDiffers || portDiffers) {
    const pub = `${receivedIp ?? local.ip}:${rport ?? local.port}`;
    out.push({
      severity: 'info',
      code: 'NAT_DETECTED',
      message: `behind NAT: the server saw this request from ${pub}, it left ${local.ip}:${local.port}`,
      evidence: `received=${receivedIp ?? '-'} rport=${rport ?? '-'}`,
    });
  }
  return out;
}

/** Findings from the Contact bindings of a REGISTER's 2xx. */
export function contactFindings(sent: { user: string; host: string; port: number }, contacts: readonly NameAddr[]): Finding[] {
  const ours = contacts.filter((c) => c.uri.user === sent.user);
  if (ours.length === 0) return [];
  const exact = ours.some((c) => sameHost(c.uri.host, sent.host) && (c.uri.port ?? 5060) === sent.port);
  if (exact) return [];
  const seen = ours.map((c) => `${c.uri.host}:${c.uri.port ?? 5060}`).join(', ');
  return [
    {
      severity: 'warning',
      code: 'ALG_CONTACT_REWRITTEN',
      message: `the registrar bound ${seen} for our Contact, we sent ${sent.host}:${sent.port}: a SIP ALG rewrote it`,
    },
  ];
}
