/**
 * Who the probe says it is: From/To/Contact/Call-ID/User-Agent for the requests, built from
 * the target and the socket's real local address. One `ProbeIdentity` per target.
 */
import { newCallId, newTag } from '../sip/encode.js';
import type { SipAgent } from './sip-agent.js';
import { uriHost, type ProbeTarget } from './target.js';

export const USER_AGENT = 'voipdiag/0.1';

export interface ProbeIdentity {
  /** Our user part (the --user, else "voipdiag"). */
  user: string;
  /** The domain of our AOR: the target host. */
  domain: string;
  fromTag: string;
  callId: string;
  /** `<sip:user@local:port;transport=…>` */
  contact: string;
  contactHost: string;
  contactPort: number;
}

export function makeIdentity(target: ProbeTarget, agent: SipAgent, user?: string): ProbeIdentity {
  const local = agent.transport.local;
  const kind = agent.transport.kind;
  const u = user ?? 'voipdiag';
  const scheme = target.scheme === 'sips' ? 'sips' : 'sip';
  const transportParam = kind === 'udp' || scheme === 'sips' ? '' : `;transport=${kind}`;
  return {
    user: u,
    domain: uriHost(target.host),
    fromTag: newTag(),
    callId: newCallId(local.ip.includes(':') ? local.ip.replace(/:/g, '-') : local.ip),
    contact: `<${scheme}:${u}@${uriHost(local.ip)}:${local.port}${transportParam}>`,
    contactHost: local.ip,
    contactPort: local.port,
  };
}

/** The AOR (address of record) `sip:user@domain`. */
export function aor(target: ProbeTarget, id: ProbeIdentity): string {
  return `${target.scheme}:${id.user}@${id.domain}`;
}
