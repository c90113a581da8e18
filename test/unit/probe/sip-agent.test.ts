import { describe, expect, it } from 'vitest';
import { SipAgent, type OutgoingRequest } from '../../../src/lib/probe/sip-agent.js';
import { decodeSipMessage } from '../../../src/lib/sip/message.js';
import { FakeTransport, ManualClock, reply } from './fakes.js';

const options: OutgoingRequest = {
  method: 'OPTIONS',
  requestUri: 'sip:192.0.2.1',
  headers: [
    ['From', '<sip:t@192.0.2.1>;tag=a'],
    ['To', '<sip:192.0.2.1>'],
    ['Call-ID', 'c1@x'],
    ['CSeq', '1 OPTIONS'],
  ],
};

function lastRequest(t: FakeTransport) {
  const d = decodeSipMessage(new TextEncoder().encode(t.sent[t.sent.length - 1] ?? ''));
  if (!d.ok) throw new Error('bad request');
  return d.value;
}

describe('SipAgent client transactions', () => {
  it('timer E over UDP: retransmits at 0.5, 1.5, 3.5 s; RTT from the first send', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const agent = new SipAgent(t, clock);
    const p = agent.request(options, { timeoutMs: 10_000 });
    expect(t.sent.length).toBe(1);
    expect(t.sent[0]).toMatch(/^OPTIONS sip:192\.0\.2\.1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.10:5099;branch=z9hG4bK[0-9a-f]+;rport\r\n/);
    await clock.advance(3600);
    expect(t.sent.length).toBe(4); // 0, 500, 1500, 3500
    expect(new Set(t.sent).size).toBe(1); // identical retransmissions
    t.deliver(reply(lastRequest(t), 200, 'OK'));
    const r = await p;
    expect(r.kind).toBe('final');
    expect(r.retransmissionsBeforeAnswer).toBe(3);
    expect(Number((r.first?.atNs ?? 0n) - r.sentAtNs) / 1e6).toBe(3600);
  });

  it('timer E is capped at T2 = 4 s', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const agent = new SipAgent(t, clock);
    void agent.request(options, { timeoutMs: 20_000 });
    await clock.advance(15_600);
    // 0, .5, 1.5, 3.5, 7.5, 11.5, 15.5
    expect(t.sent.length).toBe(7);
  });

  it('timer A for INVITE doubles until a provisional, which stops it', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const agent = new SipAgent(t, clock);
    const provisional: number[] = [];
    const p = agent.request({ ...options, method: 'INVITE', headers: [...options.headers.slice(0, 3), ['CSeq', '1 INVITE']] }, { timeoutMs: 30_000, onProvisional: (ev) => provisional.push(ev.message.statusCode ?? 0) });
    await clock.advance(1600); // sends at 0, 0.5, 1.5
    expect(t.sent.length).toBe(3);
    t.deliver(reply(lastRequest(t), 180, 'Ringing'));
    await clock.advance(10_000);
    expect(t.sent.length).toBe(3);
    t.deliver(reply(lastRequest(t), 486, 'Busy Here'));
    const r = await p;
    expect(provisional).toEqual([180]);
    expect(r.kind === 'final' && r.final.message.statusCode).toBe(486);
    expect(r.first?.message.statusCode).toBe(180);
  });

  it('no retransmissions over TCP; the timeout is a result', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('tcp', clock);
    const agent = new SipAgent(t, clock);
    const p = agent.request(options, { timeoutMs: 2000 });
    await clock.advance(2500);
    const r = await p;
    expect(r.kind).toBe('timeout');
    expect(t.sent.length).toBe(1);
    expect(t.sent[0]).toMatch(/Via: SIP\/2\.0\/TCP /);
  });

  it('matches by branch and method; others go to the stray handler', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const agent = new SipAgent(t, clock);
    const strays: number[] = [];
    agent.onStrayResponse((ev) => strays.push(ev.message.statusCode ?? 0));
    const p = agent.request(options, { timeoutMs: 5000 });
    const req = lastRequest(t);
    t.deliver(reply(req, 200, 'OK').replace(/branch=z9hG4bK[0-9a-f]+/, 'branch=z9hG4bKother'));
    t.deliver(reply(req, 200, 'OK').replace('1 OPTIONS', '1 INVITE'));
    t.deliver('garbage\r\n\r\n');
    t.deliver(reply(req, 200, 'OK'));
    const r = await p;
    expect(r.kind).toBe('final');
    expect(strays).toEqual([200, 200]);
    expect(agent.malformed).toBe(1);
  });

  it('a transport failure (ICMP unreachable) ends the live transactions at once', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const agent = new SipAgent(t, clock);
    const p = agent.request(options, { timeoutMs: 5000 });
    t.fail({ code: 'UNREACHABLE', errno: 'ECONNREFUSED', message: 'port unreachable' });
    const r = await p;
    expect(r.kind === 'transport' && r.failure.code).toBe('UNREACHABLE');
  });

  it('answers requests it receives with the dialog headers copied', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const agent = new SipAgent(t, clock);
    agent.onRequest((req) => agent.respond(req, 200, 'OK', { toTag: 'mine' }));
    t.deliver('BYE sip:x@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=f\r\nTo: <sip:x@c>\r\nCall-ID: k\r\nCSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n');
    expect(t.sent[0]).toMatch(/^SIP\/2\.0 200 OK\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.1;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=f\r\nTo: <sip:x@c>;tag=mine\r\nCall-ID: k\r\nCSeq: 5 BYE\r\n/);
  });
});
