/**
 * Real SIP messages from the public captures (see real-messages.ts), checked against the fields
 * tshark 4.0 printed for the same frames (fixtures/public/<capture>.truth/sip-messages.tsv).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readSipMessages, type SipMessageTruth } from '../../helpers/truth.js';
import { parseDigestAuthorization, parseDigestChallenge } from '../../../src/lib/sip/digest.js';
import { decodeSipMessage, type SipMessage } from '../../../src/lib/sip/message.js';
import { parseUserAgent } from '../../../src/lib/sip/user-agent.js';
import { REAL_SIP_MESSAGES } from './real-messages.js';

const truthCache = new Map<string, SipMessageTruth[]>();
function truthFor(capture: string, frame: number): SipMessageTruth | undefined {
  let rows = truthCache.get(capture);
  if (!rows) {
    rows = readSipMessages(join(FIXTURES, 'public', capture));
    truthCache.set(capture, rows);
  }
  return rows.find((r) => r.frame === frame);
}

function find(capture: string, frame: number): SipMessage {
  const m = REAL_SIP_MESSAGES.find((x) => x.capture === capture && x.frame === frame);
  if (!m) throw new Error(`no ${capture} #${frame}`);
  const r = decodeSipMessage(m.bytes, 0, m.bytes.length, { stream: m.transport === 'tcp' });
  if (!r.ok) throw new Error(`${capture} #${frame}: ${r.error.code}`);
  return r.value;
}

describe('real SIP messages agree with tshark', () => {
  it.each(REAL_SIP_MESSAGES.map((m) => [m.capture, m.frame, m] as const))('%s frame %i', (capture, frame, m) => {
    const r = decodeSipMessage(m.bytes, 0, m.bytes.length, { stream: m.transport === 'tcp' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.end).toBe(m.bytes.length);
    const msg = r.value;
    const t = truthFor(capture, frame);
    expect(t).toBeDefined();
    if (!t) return;
    expect(msg.method ?? '').toBe(t.method);
    expect(msg.statusCode === undefined ? '' : String(msg.statusCode)).toBe(t.status);
    expect(msg.callId).toBe(t.callId);
    expect(`${msg.cseq?.seq} ${msg.cseq?.method}`).toBe(t.cseq);
    // Every typed accessor runs without a throw; only the IPv6 capture has defects.
    const defects = msg.validate();
    if (capture !== 'sip-ipv6-udp-basic-call.pcap') expect(defects).toEqual([]);
  });
});

describe('real SIP messages, typed views', () => {
  it('AudioCodes 100rel: 180 with Require/RSeq, PRACK with RAck, BYE with Reason', () => {
    const ringing = find('sip-prack-rtp-rtcp-audiocodes.pcap', 3);
    expect(ringing.require).toEqual(['100rel']);
    expect(ringing.rseq).toBe(1);
    expect(ringing.to?.tag).toBe('1c866624559');
    expect(ringing.server).toBe('IPP/v.6.20A.027.012');
    const prack = find('sip-prack-rtp-rtcp-audiocodes.pcap', 4);
    expect(prack.rack).toEqual({ rseq: 1, cseq: 1, method: 'INVITE' });
    const invite = find('sip-prack-rtp-rtcp-audiocodes.pcap', 1);
    expect(invite.supported).toContain('100rel');
    expect(invite.allow).toHaveLength(12);
    expect(invite.requestUri?.params.user).toBe('phone');
    expect(invite.from?.uri.user).toBe('MP114.FXS1');
    expect(invite.contentType).toBe('application/sdp');
    expect(invite.body.length).toBe(227);
    expect(parseUserAgent(invite.userAgent ?? '')).toEqual({ vendor: 'AudioCodes', model: 'GW', firmware: '6.20A.027.012', raw: 'GW/v.6.20A.027.012' });
    const bye = find('sip-prack-rtp-rtcp-audiocodes.pcap', 258);
    expect(bye.getAll('reason')).toEqual(['Q.850 ;cause=16 ;text="local"']);
  });

  it('FreePBX 401 challenge and Linphone credentials', () => {
    const c = find('sip-488-codec-reject-401-options.pcapng', 8);
    expect(c.via[0]).toMatchObject({ rport: 5060, received: '192.168.8.183', branch: 'z9hG4bK.8RiLA5Cnw' });
    const ch = parseDigestChallenge(c.get('www-authenticate') ?? '');
    expect(ch.ok && ch.value).toMatchObject({ realm: 'asterisk', algorithm: 'MD5', qop: ['auth'], opaque: '3ba09d470ec4e448' });
    const inv = find('sip-488-codec-reject-401-options.pcapng', 10);
    const cred = parseDigestAuthorization(inv.get('authorization') ?? '');
    expect(cred.ok && cred.value).toMatchObject({ username: '8801', uri: 'sip:8802@192.168.8.13', nc: '00000001', qop: 'auth', cnonce: 'JsV1V0p7dvXCgmiJ' });
    expect(inv.contact[0]?.params['+sip.instance']).toBe('<urn:uuid:615f3a97-c4e0-485c-9af7-b388bc70e9bb>');
    expect(parseUserAgent(inv.userAgent ?? '')).toMatchObject({ vendor: 'Linphone', firmware: '3.12.0' });
    expect(parseUserAgent(c.server ?? '')).toMatchObject({ vendor: 'FreePBX', firmware: '14.0.13.4', model: '13.27.0' });
  });

  it('Huawei SoftX3000 REGISTER: quoted display name glued to <, Expires, challenge with domain/stale', () => {
    const reg = find('sip-keepalive-register-401.pcapng', 9);
    expect(reg.from?.displayName).toBe('26841945');
    expect(reg.expires).toBe(600);
    expect(reg.via[0]?.rport).toBe(true);
    const ch = find('sip-keepalive-register-401.pcapng', 10);
    const d = parseDigestChallenge(ch.get('WWW-Authenticate') ?? '');
    expect(d.ok && d.value).toMatchObject({ realm: 'Huawei', domain: 'sip:Huawei.com', stale: false, qop: [] });
    expect(parseUserAgent(ch.server ?? '')).toMatchObject({ vendor: 'Huawei', model: 'SoftX3000', firmware: 'V300R011' });
  });

  it('IPv6 call written without brackets: decoded, hosts recovered, defects recorded', () => {
    const inv = find('sip-ipv6-udp-basic-call.pcap', 1);
    expect(inv.requestUri).toMatchObject({ user: '4321', host: 'fec0:0:0:0:216:d3ff:fe0d:22c', port: 5060 });
    expect(inv.via[0]).toMatchObject({ host: 'fe80:0:0:0:21a:a0ff:fe07:32e0', port: 5060, branch: 'z9hG4bKkdjuw8376' });
    expect(inv.from?.tag).toBe('a3bhg');
    expect(inv.validate().map((d) => d.code)).toContain('BAD_REQUEST_URI');
  });

  it('sipp INVITE: addr-spec Contact, padded Content-Length', () => {
    const inv = find('sipp-5-calls-udp.pcap', 1);
    expect(inv.contact[0]?.uri).toMatchObject({ user: 'sipp', host: '127.0.1.1', port: 5060 });
    expect(inv.contentLength).toBe(129);
    expect(inv.from?.displayName).toBe('sipp');
    expect(inv.get('subject')).toBe('Performance Test');
  });

  it('TCP call: transport=tcp URI parameter, decoded in stream mode', () => {
    const ack = find('sip-tcp-call-g711-rtp-rtcp.pcap', 11);
    expect(ack.requestUri?.params.transport).toBe('tcp');
    expect(ack.via[0]?.transport).toBe('TCP');
  });
});
