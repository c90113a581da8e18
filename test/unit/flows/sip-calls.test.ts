/**
 * The dialog tracker on hand-written call flows (RFC 3261 §12–§15, RFC 3262, RFC 3311, RFC 3665
 * style): forking, re-INVITE, CANCEL, authentication rounds, PRACK, UPDATE, BYE from either side,
 * retransmissions, registrations. Messages are real SIP text decoded by the project's codec.
 */
import { describe, expect, it } from 'vitest';
import { decodeSipMessage } from '../../../src/lib/sip/message.js';
import { SipCallTracker, type SipContext } from '../../../src/lib/flows/sip-calls.js';

const A = { ip: '192.0.2.10', port: 5060 };
const B = { ip: '192.0.2.20', port: 5060 };

function sdp(ip: string, port: number): string {
  return `v=0\r\no=- 1 1 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n`;
}

interface Msg {
  t: number;
  from: { ip: string; port: number };
  to: { ip: string; port: number };
  text: string;
}

function req(method: string, cseq: number, opts: { callId?: string; toTag?: string; fromTag?: string; branch?: string; body?: string; extra?: string[] } = {}): string {
  const body = opts.body ?? '';
  return [
    `${method} sip:bob@192.0.2.20 SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${opts.branch ?? `z9hG4bK-${method}-${cseq}`}`,
    `From: <sip:alice@192.0.2.10>;tag=${opts.fromTag ?? 'a1'}`,
    `To: <sip:bob@192.0.2.20>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${opts.callId ?? 'call-1'}`,
    `CSeq: ${cseq} ${method}`,
    ...(opts.extra ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function res(code: number, reason: string, method: string, cseq: number, opts: { callId?: string; toTag?: string; branch?: string; body?: string; fromTag?: string } = {}): string {
  const body = opts.body ?? '';
  return [
    `SIP/2.0 ${code} ${reason}`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${opts.branch ?? `z9hG4bK-${method}-${cseq}`}`,
    `From: <sip:alice@192.0.2.10>;tag=${opts.fromTag ?? 'a1'}`,
    `To: <sip:bob@192.0.2.20>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${opts.callId ?? 'call-1'}`,
    `CSeq: ${cseq} ${method}`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function run(messages: Msg[]): SipCallTracker {
  const tracker = new SipCallTracker();
  let frame = 0;
  for (const m of messages) {
    const r = decodeSipMessage(new TextEncoder().encode(m.text));
    if (!r.ok) throw new Error(`bad test message: ${r.error.code}\n${m.text}`);
    const ctx: SipContext = { tSec: m.t, src: m.from.ip, srcPort: m.from.port, dst: m.to.ip, dstPort: m.to.port, transport: 'udp', frame: ++frame, fileIndex: 0 };
    tracker.push(r.value, ctx);
  }
  return tracker;
}

const up = (t: number, text: string): Msg => ({ t, from: A, to: B, text });
const down = (t: number, text: string): Msg => ({ t, from: B, to: A, text });

describe('SipCallTracker', () => {
  it('a basic call: SRD to 180, setup to 200, callee BYE, SDP media both sides', () => {
    const tr = run([
      up(0, req('INVITE', 1, { body: sdp('192.0.2.10', 4000) })),
      down(0.01, res(100, 'Trying', 'INVITE', 1)),
      down(0.2, res(180, 'Ringing', 'INVITE', 1, { toTag: 'b1' })),
      down(2.5, res(200, 'OK', 'INVITE', 1, { toTag: 'b1', body: sdp('192.0.2.20', 5000) })),
      up(2.51, req('ACK', 1, { toTag: 'b1', branch: 'z9hG4bK-ack' })),
      { t: 12.5, from: B, to: A, text: req('BYE', 7, { toTag: 'a1', fromTag: 'b1', branch: 'z9hG4bK-bye' }) },
      up(12.52, res(200, 'OK', 'BYE', 7, { toTag: 'a1', fromTag: 'b1', branch: 'z9hG4bK-bye' })),
    ]);
    const [c] = tr.callList();
    expect(c).toMatchObject({ finalStatus: 200, inviteSec: 0, ringSec: 0.2, answerSec: 2.5, byeSec: 12.5, byeFromCaller: false });
    expect(c?.byeAnsweredSec).toBe(12.52);
    expect(c?.media.map((m) => `${m.side} ${m.ip}:${m.rtpPort}`)).toEqual(['caller 192.0.2.10:4000', 'callee 192.0.2.20:5000']);
    expect(c?.media[0]?.payloads).toEqual([
      { pt: 0, name: 'PCMU', clockRate: 8000 },
      { pt: 101, name: 'telephone-event', clockRate: 8000 },
    ]);
  });

  it('forking: two early dialogs, the first 2xx wins, forks counted', () => {
    const tr = run([
      up(0, req('INVITE', 1)),
      down(0.1, res(180, 'Ringing', 'INVITE', 1, { toTag: 'fork1' })),
      down(0.2, res(180, 'Ringing', 'INVITE', 1, { toTag: 'fork2' })),
      down(1.0, res(200, 'OK', 'INVITE', 1, { toTag: 'fork2' })),
      down(1.1, res(200, 'OK', 'INVITE', 1, { toTag: 'fork1' })),
    ]);
    const [c] = tr.callList();
    expect(c?.toTags.size).toBe(2);
    expect(c?.answeredToTag).toBe('fork2');
    expect(c?.answerSec).toBe(1.0);
    expect(tr.callList()).toHaveLength(1);
  });

  it('CANCEL before answer ends the call with 487; retransmitted INVITE counted once', () => {
    const tr = run([
      up(0, req('INVITE', 1)),
      up(0.5, req('INVITE', 1)),
      down(0.6, res(180, 'Ringing', 'INVITE', 1, { toTag: 'b1' })),
      up(3, req('CANCEL', 1)),
      down(3.01, res(200, 'OK', 'CANCEL', 1)),
      down(3.02, res(487, 'Request Terminated', 'INVITE', 1, { toTag: 'b1' })),
    ]);
    expect(tr.retransmissions).toBe(1);
    expect(tr.methods).toEqual({ INVITE: 2, CANCEL: 1 });
    const [c] = tr.callList();
    expect(c).toMatchObject({ finalStatus: 487, cancelSec: 3, inviteSec: 0 });
  });

  it('a 407 challenge answered by a new INVITE is one call, timed from the first INVITE', () => {
    const tr = run([
      up(0, req('INVITE', 1)),
      down(0.05, res(407, 'Proxy Authentication Required', 'INVITE', 1, { toTag: 'x' })),
      up(0.06, req('ACK', 1, { toTag: 'x' })),
      up(0.1, req('INVITE', 2, { extra: ['Proxy-Authorization: Digest username="alice"'] })),
      down(0.3, res(180, 'Ringing', 'INVITE', 2, { toTag: 'b1' })),
      down(1.3, res(200, 'OK', 'INVITE', 2, { toTag: 'b1' })),
    ]);
    const calls = tr.callList();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ finalStatus: 200, challenged: 1, inviteSec: 0, ringSec: 0.3, answerSec: 1.3 });
  });

  it('re-INVITE moves the media; PRACK and UPDATE are counted and carry SDP', () => {
    const tr = run([
      up(0, req('INVITE', 1, { body: sdp('192.0.2.10', 4000), extra: ['Supported: 100rel'] })),
      down(0.1, res(183, 'Session Progress', 'INVITE', 1, { toTag: 'b1', body: sdp('192.0.2.20', 5000) })),
      up(0.2, req('PRACK', 2, { toTag: 'b1' })),
      down(0.25, res(200, 'OK', 'PRACK', 2, { toTag: 'b1' })),
      up(0.3, req('UPDATE', 3, { toTag: 'b1', body: sdp('192.0.2.10', 4002) })),
      down(0.35, res(200, 'OK', 'UPDATE', 3, { toTag: 'b1', body: sdp('192.0.2.20', 5002) })),
      down(1, res(200, 'OK', 'INVITE', 1, { toTag: 'b1' })),
      up(5, req('INVITE', 4, { toTag: 'b1', body: sdp('192.0.2.10', 4010) })),
      down(5.1, res(200, 'OK', 'INVITE', 4, { toTag: 'b1', body: sdp('192.0.2.20', 5010) })),
    ]);
    const [c] = tr.callList();
    expect(c).toMatchObject({ prack: 1, updates: 1, reInvites: 1, finalStatus: 200, answerSec: 1 });
    const ports = c?.media.map((m) => `${m.side}:${m.rtpPort}`);
    expect(ports).toEqual(expect.arrayContaining(['caller:4000', 'callee:5000', 'caller:4002', 'callee:5002', 'caller:4010', 'callee:5010']));
  });

  it('registrations: challenge then 200 with RRD; a rejected credential is a failure', () => {
    const reg = (cseq: number, user: string, callId: string, auth: boolean) =>
      [
        `REGISTER sip:192.0.2.20 SIP/2.0`,
        `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r${cseq}${user}`,
        `From: <sip:${user}@192.0.2.20>;tag=r${user}`,
        `To: <sip:${user}@192.0.2.20>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${user}@192.0.2.10>;expires=300`,
        ...(auth ? ['Authorization: Digest username="x"'] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const ans = (code: number, reason: string, cseq: number, user: string, callId: string) =>
      [
        `SIP/2.0 ${code} ${reason}`,
        `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r${cseq}${user}`,
        `From: <sip:${user}@192.0.2.20>;tag=r${user}`,
        `To: <sip:${user}@192.0.2.20>;tag=srv`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        ...(code === 200 ? ['Expires: 300'] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const tr = run([
      up(0, reg(1, 'alice', 'r-a', false)),
      down(0.01, ans(401, 'Unauthorized', 1, 'alice', 'r-a')),
      up(0.02, reg(2, 'alice', 'r-a', true)),
      down(0.05, ans(200, 'OK', 2, 'alice', 'r-a')),
      up(1, reg(1, 'bob', 'r-b', false)),
      down(1.01, ans(401, 'Unauthorized', 1, 'bob', 'r-b')),
      up(1.02, reg(2, 'bob', 'r-b', true)),
      down(1.03, ans(401, 'Unauthorized', 2, 'bob', 'r-b')),
    ]);
    const alice = tr.registrations.get('sip:alice@192.0.2.20');
    const bob = tr.registrations.get('sip:bob@192.0.2.20');
    expect(alice).toMatchObject({ attempts: 1, challenges: 1, successes: 1, failures: {}, lastExpiresSec: 300 });
    expect(alice?.rrd.count).toBe(1);
    expect(alice?.rrd.summary().min).toBeCloseTo(50, 3);
    expect(bob).toMatchObject({ attempts: 1, challenges: 1, successes: 0, failures: { '401': 1 } });
  });
});
