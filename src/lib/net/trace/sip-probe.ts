/**
 * The SIP side of a trace probe: an OPTIONS request (RFC 3261 §11) per probe, addressed to the
 * target, with a Via naming the probe socket's own address and port (rport, RFC 3581, so a NAT
 * in between still gets the answer back), and the decoding of what comes back.
 */
import { isIPv6 } from 'node:net';
import { decodeSipMessage } from '../../sip/message.js';
import { encodeSipRequest, newBranch, newCallId, newTag } from '../../sip/encode.js';
import type { SipAnswer } from '../../trace/probe.js';
import type { SocketAddress } from './sockaddr.js';

export interface SipProbeTarget {
  /** address or host name as it goes in the Request-URI */
  host: string;
  port: number;
  /** user part of the Request-URI (default "ping") */
  user?: string;
}

const hostText = (h: string) => (isIPv6(h) ? `[${h}]` : h);

export function encodeOptionsProbe(target: SipProbeTarget, local: SocketAddress | null, ttl: number): Uint8Array {
  const localHost = local ? hostText(local.address) : 'invalid';
  const localPort = local?.port ?? 9;
  const uri = `sip:${target.user ?? 'ping'}@${hostText(target.host)}:${target.port}`;
  return encodeSipRequest({
    method: 'OPTIONS',
    requestUri: uri,
    headers: [
      ['Via', `SIP/2.0/UDP ${localHost}:${localPort};branch=${newBranch()};rport`],
      ['Max-Forwards', '70'],
      ['From', `<sip:voipdiag@${localHost}>;tag=${newTag()}`],
      ['To', `<${uri}>`],
      ['Call-ID', newCallId(local ? local.address : 'voipdiag')],
      ['CSeq', `${ttl} OPTIONS`],
      ['Accept', 'application/sdp'],
      ['User-Agent', 'voipdiag-trace'],
    ],
  });
}

/** A SIP response's status and who answered; null when the bytes are not a SIP response. */
export function decodeSipAnswer(data: Uint8Array): SipAnswer | null {
  const d = decodeSipMessage(data, 0, data.length);
  if (!d.ok || d.value.kind !== 'response' || d.value.statusCode === undefined) return null;
  const m = d.value;
  return {
    status: m.statusCode!,
    reason: m.reason ?? '',
    server: m.get('server') ?? null,
    userAgent: m.get('user-agent') ?? null,
  };
}
