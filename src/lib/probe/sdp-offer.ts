/**
 * The synthetic call's SDP offer (RFC 4566, RFC 3264): one audio stream, PCMU and PCMA
 * (RFC 3551 static types 0 and 8) in preference order, telephone-event (RFC 4733) on 101,
 * 20 ms packets, sendrecv. And the choice of codec from the answer.
 */
import { isIP } from 'node:net';
import type { MediaEndpoint } from '../sdp/sdp.js';
import type { G711Law } from './g711.js';

export type G711Codec = 'PCMU' | 'PCMA';

export const G711: Readonly<Record<G711Codec, { pt: number; law: G711Law }>> = {
  PCMU: { pt: 0, law: 'ulaw' },
  PCMA: { pt: 8, law: 'alaw' },
};
export const TELEPHONE_EVENT_PT = 101;

export function buildSdpOffer(opts: { ip: string; rtpPort: number; sessionId: number; codecs: readonly G711Codec[]; ptimeMs: number }): string {
  const ipv = isIP(opts.ip) === 6 ? 'IP6' : 'IP4';
  const pts = opts.codecs.map((c) => G711[c].pt);
  const lines = [
    'v=0',
    `o=voipdiag ${opts.sessionId} ${opts.sessionId} IN ${ipv} ${opts.ip}`,
    's=voipdiag probe',
    `c=IN ${ipv} ${opts.ip}`,
    't=0 0',
    `m=audio ${opts.rtpPort} RTP/AVP ${[...pts, TELEPHONE_EVENT_PT].join(' ')}`,
    ...opts.codecs.map((c) => `a=rtpmap:${G711[c].pt} ${c}/8000`),
    `a=rtpmap:${TELEPHONE_EVENT_PT} telephone-event/8000`,
    `a=fmtp:${TELEPHONE_EVENT_PT} 0-16`,
    `a=ptime:${opts.ptimeMs}`,
    'a=sendrecv',
  ];
  return lines.join('\r\n') + '\r\n';
}

/** The first G.711 codec of the answer's audio stream that we offered; undefined: none. */
export function chooseCodec(ep: MediaEndpoint, offered: readonly G711Codec[]): G711Codec | undefined {
  for (const p of ep.payloads) {
    const name = p.name.toUpperCase();
    if ((name === 'PCMU' || name === 'PCMA') && offered.includes(name)) return name;
  }
  return undefined;
}
