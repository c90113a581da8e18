import { describe, expect, it } from 'vitest';
import { placeCall } from '../../../src/lib/probe/call-client.js';
import { ToneSource } from '../../../src/lib/probe/g711.js';
import { makeIdentity } from '../../../src/lib/probe/identity.js';
import { SipAgent } from '../../../src/lib/probe/sip-agent.js';
import { parseTarget } from '../../../src/lib/probe/target.js';
import { decodeRtcpCompound, encodeRtcpCompound } from '../../../src/lib/rtcp/compound.js';
import { encodeReceiverReport } from '../../../src/lib/rtcp/receiver-report.js';
import { decodeRtp } from '../../../src/lib/rtp/header.js';
import type { SipMessage } from '../../../src/lib/sip/message.js';
import { FakePort, FakeTransport, ManualClock, reply } from './fakes.js';

const ANSWER = ['v=0', 'o=far 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 40000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');

function setup(farEnd: (req: SipMessage, t: FakeTransport) => void) {
  const clock = new ManualClock();
  clock.autoAdvance = true;
  const t = new FakeTransport('udp', clock);
  t.farEnd = (req, _raw, tr) => farEnd(req, tr);
  const agent = new SipAgent(t, clock);
  const tg = parseTarget('sip:192.0.2.1');
  if (!tg.ok) throw new Error('target');
  const ourRtp = new FakePort({ ip: '192.0.2.10', port: 20000 }, clock);
  const ourRtcp = new FakePort({ ip: '192.0.2.10', port: 20001 }, clock);
  const farRtp = new FakePort({ ip: '192.0.2.1', port: 40000 }, clock);
  const farRtcp = new FakePort({ ip: '192.0.2.1', port: 40001 }, clock);
  ourRtp.peer = farRtp;
  farRtp.peer = ourRtp;
  ourRtcp.peer = farRtcp;
  farRtcp.peer = ourRtcp;
  const call = (callUri: string, extra: Partial<Parameters<typeof placeCall>[0]> = {}) =>
    placeCall({
      agent,
      agentClock: clock,
      callUri,
      identity: makeIdentity(tg.value, agent, 'alice'),
      fromUri: 'sip:alice@192.0.2.1',
      credentials: { username: 'alice', password: 'pw' },
      durationMs: 2000,
      ringTimeoutMs: 30_000,
      timeoutMs: 2000,
      codecs: ['PCMU', 'PCMA'],
      ptimeMs: 20,
      openMedia: async () => ({ rtp: ourRtp, rtcp: ourRtcp }),
      source: new ToneSource(),
      clock,
      ...extra,
    });
  return { clock, t, call, ourRtp, ourRtcp, farRtp, farRtcp };
}

describe('synthetic call', () => {
  it('INVITE → 183 with 100rel (PRACK) → 200 → ACK, RTP both ways, RTCP from the far end, BYE', async () => {
    const seen: string[] = [];
    const env = setup((req, tr) => {
      seen.push(req.method ?? '');
      if (req.method === 'INVITE') {
        tr.deliver(reply(req, 100, 'Trying'));
        tr.deliver(reply(req, 183, 'Session Progress', ['Require: 100rel', 'RSeq: 7', 'Contact: <sip:far@192.0.2.1:5070>']));
      } else if (req.method === 'PRACK') {
        expect(req.get('rack')).toBe('7 1 INVITE');
        tr.deliver(reply(req, 200, 'OK'));
        // the INVITE's 200 once the PRACK is answered
        const inv = lastInvite;
        if (inv) tr.deliver(reply(inv, 200, 'OK', ['Contact: <sip:far@192.0.2.1:5070>', 'Record-Route: <sip:192.0.2.1;lr>', 'Content-Type: application/sdp'], ANSWER));
      } else if (req.method === 'BYE') {
        expect(req.get('route')).toBe('<sip:192.0.2.1;lr>');
        expect(req.requestUriText).toBe('sip:far@192.0.2.1:5070');
        tr.deliver(reply(req, 200, 'OK'));
      }
      if (req.method === 'INVITE') lastInvite = req;
    });
    let lastInvite: SipMessage | undefined;
    // far end: echo RTP (dropping every 10th), answer each SR with an RR about the sender
    let echoed = 0;
    let highest = -1;
    env.farRtp.onMessage((bytes, from) => {
      const p = decodeRtp(bytes);
      if (p.ok) highest = p.value.sequenceNumber;
      if (++echoed % 10 === 0) return;
      env.farRtp.send(bytes, from);
    });
    env.farRtcp.onMessage((bytes, from) => {
      const d = decodeRtcpCompound(bytes);
      const sr = d.ok ? d.value.find((p) => p.type === 'sr') : undefined;
      if (!sr || sr.type !== 'sr') return;
      const rr = encodeReceiverReport({
        ssrc: 0x1234,
        reports: [{ ssrc: sr.ssrc, fractionLost: 0, cumulativeLost: 2, extendedHighestSeq: highest, jitter: 40, lastSr: 0, delaySinceLastSr: 0 }],
        extension: new Uint8Array(0),
      });
      if (rr.ok) env.farRtcp.send(encodeRtcpCompound([rr.value]), from);
    });
    const out = await env.call('sip:echo@192.0.2.1');
    expect(seen).toEqual(['INVITE', 'PRACK', 'ACK', 'BYE']);
    const r = out.result;
    expect(r).toMatchObject({ status: 200, codec: 'PCMU', prack: true, endedBy: 'us', remoteMedia: { ip: '192.0.2.1', port: 40000 } });
    expect(r.srdMs).not.toBeNull();
    expect(r.sddMs).not.toBeNull();
    expect(r.tx.packets).toBe(100);
    // every RTP packet went to the SDP answer's address, PCMU, 160 bytes, 20 ms of timestamp apart
    const rtp = env.ourRtp.sent.map((s) => ({ to: s.to, p: decodeRtp(s.bytes) }));
    expect(rtp.every((x) => x.to.ip === '192.0.2.1' && x.to.port === 40000)).toBe(true);
    const pkts = rtp.map((x) => (x.p.ok ? x.p.value : null));
    expect(pkts.every((p) => p?.payloadType === 0 && p.payload.length === 160)).toBe(true);
    expect(((pkts[1]?.timestamp ?? 0) - (pkts[0]?.timestamp ?? 0)) >>> 0).toBe(160);
    expect(((pkts[1]?.sequenceNumber ?? 0) - (pkts[0]?.sequenceNumber ?? 0)) & 0xffff).toBe(1);
    expect(pkts[0]?.marker).toBe(true);
    // rx: 10 % of the echo dropped; tx from the far end's RTCP
    expect(r.rx.packets).toBe(90);
    expect(r.rx.lossPct).toBeCloseTo(9.09, 2); // 9 of 99: the 100th (dropped) is past the last received, RFC 3550 cannot count it
    expect(r.rx.source).toBe('measured');
    expect(r.tx.source).toBe('rtcp');
    expect(r.tx.jitterMs).toBe(5); // 40 timestamp units at 8 kHz
    expect(r.tx.lossPct).toBeGreaterThan(2); // 2 lost of what the far end expected when it reported (< 100)
    expect(r.rx.mos).toBeLessThan(4.2);
    expect(r.rtcp.sent).toBeGreaterThanOrEqual(1);
    expect(r.rtcp.received).toBeGreaterThanOrEqual(1);
  });

  it('401 on the INVITE: ACK, then again with credentials; 486 is a result', async () => {
    const env = setup((req, tr) => {
      if (req.method !== 'INVITE') return;
      if (!req.get('authorization')) tr.deliver(reply(req, 401, 'Unauthorized', ['WWW-Authenticate: Digest realm="lab", nonce="abc", qop="auth"']));
      else tr.deliver(reply(req, 486, 'Busy Here'));
    });
    const out = await env.call('sip:busy@192.0.2.1');
    expect(out.result).toMatchObject({ status: 486, endedBy: 'rejected' });
    expect(env.t.requests('INVITE').length).toBe(2);
    expect(env.t.requests('ACK').length).toBe(2);
    expect(env.t.requests('INVITE')[1]).toMatch(/CSeq: 2 INVITE/);
    expect(env.t.requests('ACK')[1]).toMatch(/CSeq: 2 ACK/);
    expect(out.findings.map((f) => f.code)).toContain('CALL_REJECTED');
    expect(env.ourRtp.sent.length).toBe(0);
  });

  it('no RTP back: one-way audio is an error finding', async () => {
    const env = setup((req, tr) => {
      if (req.method === 'INVITE') tr.deliver(reply(req, 200, 'OK', ['Contact: <sip:far@192.0.2.1>', 'Content-Type: application/sdp'], ANSWER));
      if (req.method === 'BYE') tr.deliver(reply(req, 200, 'OK'));
    });
    const out = await env.call('sip:echo@192.0.2.1', { durationMs: 400 });
    expect(out.result.rx.packets).toBe(0);
    expect(out.findings.map((f) => f.code)).toContain('NO_RTP_RECEIVED');
  });

  it('no codec in common: BYE right away, NO_COMMON_CODEC', async () => {
    const env = setup((req, tr) => {
      if (req.method === 'INVITE') tr.deliver(reply(req, 200, 'OK', ['Contact: <sip:far@192.0.2.1>', 'Content-Type: application/sdp'], ANSWER.replace('RTP/AVP 0 101', 'RTP/AVP 18').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000')));
      if (req.method === 'BYE') tr.deliver(reply(req, 200, 'OK'));
    });
    const out = await env.call('sip:echo@192.0.2.1');
    expect(out.findings.map((f) => f.code)).toContain('NO_COMMON_CODEC');
    expect(env.t.requests('BYE').length).toBe(1);
  });

  it('a BYE from the far end ends the media early and is answered', async () => {
    const env = setup((req, tr) => {
      if (req.method === 'INVITE') {
        tr.deliver(reply(req, 200, 'OK', ['Contact: <sip:far@192.0.2.1>', 'Content-Type: application/sdp'], ANSWER));
      }
      if (req.method === 'ACK') {
        setTimeout(() => {
          tr.deliver(`BYE sip:alice@192.0.2.10:5099 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKfar\r\nFrom: <sip:echo@192.0.2.1>;tag=far1\r\nTo: <sip:alice@192.0.2.1>;tag=x\r\nCall-ID: ${req.callId ?? ''}\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n`);
        }, 5);
      }
    });
    env.clock.autoAdvance = false;
    const run = env.call('sip:echo@192.0.2.1', { durationMs: 60_000 });
    for (let i = 0; i < 200 && env.t.requests('ACK').length === 0; i++) await env.clock.advance(20);
    for (let i = 0; i < 20; i++) await env.clock.advance(20);
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 40; i++) await env.clock.advance(20);
    const out = await run;
    expect(out.result.endedBy).toBe('peer');
    expect(env.t.sent.some((s) => s.startsWith('SIP/2.0 200 OK') && /CSeq: 1 BYE/.test(s))).toBe(true);
    expect(env.t.requests('BYE').length).toBe(0);
    expect(out.result.tx.packets).toBeLessThan(3000);
  });
});
