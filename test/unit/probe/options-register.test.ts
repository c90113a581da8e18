import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../../src/lib/probe/identity.js';
import { viaFindings, contactFindings } from '../../../src/lib/probe/nat.js';
import { pingOptions } from '../../../src/lib/probe/options-pinger.js';
import { register } from '../../../src/lib/probe/registrar-client.js';
import { SipAgent } from '../../../src/lib/probe/sip-agent.js';
import { parseTarget, type ProbeTarget } from '../../../src/lib/probe/target.js';
import { digestResponse, parseDigestAuthorization } from '../../../src/lib/sip/digest.js';
import { decodeSipMessage } from '../../../src/lib/sip/message.js';
import { FakeTransport, ManualClock, reply } from './fakes.js';

function target(text: string): ProbeTarget {
  const r = parseTarget(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function msg(text: string) {
  const d = decodeSipMessage(new TextEncoder().encode(text));
  if (!d.ok) throw new Error(d.error.code);
  return d.value;
}

describe('OPTIONS pinger', () => {
  it('sends count probes on the interval schedule, CSeq up, and summarises the answers', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    let n = 0;
    t.farEnd = (req, _raw, tr) => {
      n++;
      if (n === 2) return; // lost: times out
      // answers after 3 ms, with the Via's received/rport of a NAT in between
      clock.setTimer(() => tr.deliver(reply(req, 200, 'OK', ['Server: test-server/1.0', 'Allow: INVITE, OPTIONS']).replace(';rport', ';rport=40000;received=203.0.113.7')), 3);
    };
    const agent = new SipAgent(t, clock);
    const tg = target('sip:192.0.2.1');
    const seen: number[] = [];
    const run = pingOptions({ agent, target: tg, identity: makeIdentity(tg, agent), count: 3, intervalMs: 1000, timeoutMs: 400, clock, onProbe: (s) => seen.push(s.seq) });
    await clock.advance(5000);
    const out = await run;
    expect(seen).toEqual([1, 2, 3]);
    expect(out.probes.map((p) => [p.status, p.rttMs, p.error])).toEqual([
      [200, 3, undefined],
      [null, null, 'timeout'],
      [200, 3, undefined],
    ]);
    expect(t.requests('OPTIONS').map((r) => /CSeq: (\d+) OPTIONS/.exec(r)?.[1])).toEqual(['1', '2', '3']);
    expect(out.server).toBe('test-server/1.0');
    expect(out.allow).toEqual(['INVITE', 'OPTIONS']);
    expect(out.findings.map((f) => f.code)).toEqual(['NAT_DETECTED']);
    expect(out.findings[0]?.message).toContain('203.0.113.7:40000');
  });

  it('stops at once on ICMP unreachable', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    t.farEnd = (_req, _raw, tr) => tr.fail({ code: 'UNREACHABLE', errno: 'ECONNREFUSED', message: 'port unreachable' });
    const agent = new SipAgent(t, clock);
    const tg = target('sip:192.0.2.1');
    const run = pingOptions({ agent, target: tg, identity: makeIdentity(tg, agent), count: 4, intervalMs: 1000, timeoutMs: 2000, clock });
    await clock.advance(100);
    const out = await run;
    expect(out.probes.length).toBe(1);
    expect(out.probes[0]?.error).toBe('unreachable');
    expect(out.failure?.code).toBe('UNREACHABLE');
  });
});

describe('NAT and ALG findings', () => {
  const base = 'SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n';
  const local = { ip: '10.0.0.5', port: 5099 };
  const sent = { host: '10.0.0.5', port: 5099, branch: 'z9hG4bKabc' };
  it('nothing to say when the Via comes back as sent', () => {
    expect(viaFindings(sent, local, msg(`${base}Via: SIP/2.0/UDP 10.0.0.5:5099;branch=z9hG4bKabc;rport=5099\r\n\r\n`))).toEqual([]);
  });
  it('received/rport that differ: behind NAT, with the public address', () => {
    const f = viaFindings(sent, local, msg(`${base}Via: SIP/2.0/UDP 10.0.0.5:5099;branch=z9hG4bKabc;rport=61000;received=198.51.100.9\r\n\r\n`));
    expect(f.map((x) => x.code)).toEqual(['NAT_DETECTED']);
    expect(f[0]?.message).toContain('198.51.100.9:61000');
  });
  it('a rewritten Via sent-by: SIP ALG', () => {
    const f = viaFindings(sent, local, msg(`${base}Via: SIP/2.0/UDP 198.51.100.9:61000;branch=z9hG4bKabc;rport=61000;received=198.51.100.9\r\n\r\n`));
    expect(f.map((x) => x.code)).toEqual(['ALG_VIA_REWRITTEN', 'NAT_DETECTED']);
  });
  it('a rewritten Contact binding: SIP ALG', () => {
    const m = msg(`${base}Via: SIP/2.0/UDP 10.0.0.5:5099;branch=z9hG4bKabc\r\nContact: <sip:alice@198.51.100.9:61000>;expires=300\r\n\r\n`);
    expect(contactFindings({ user: 'alice', host: '10.0.0.5', port: 5099 }, m.contact).map((x) => x.code)).toEqual(['ALG_CONTACT_REWRITTEN']);
    expect(contactFindings({ user: 'alice', host: '198.51.100.9', port: 61000 }, m.contact)).toEqual([]);
  });
});

/** A registrar: 401 with a SHA-256 challenge, checks the digest against `password`. */
function registrar(password: string, log: string[]) {
  return (req: ReturnType<typeof msg>, _raw: string, tr: FakeTransport) => {
    const auth = req.get('authorization');
    const expires = req.expires ?? 0;
    if (!auth) {
      log.push('challenge');
      tr.deliver(reply(req, 401, 'Unauthorized', ['WWW-Authenticate: Digest realm="lab", nonce="n0nce", qop="auth", algorithm=SHA-256']));
      return;
    }
    const a = parseDigestAuthorization(auth);
    if (!a.ok) throw new Error('bad Authorization');
    const c = a.value;
    const want = digestResponse({ algorithm: 'SHA-256', username: c.username, password, realm: c.realm, nonce: c.nonce, method: 'REGISTER', uri: c.uri, qop: 'auth', nc: c.nc, cnonce: c.cnonce });
    if (want !== c.response) {
      log.push(`reject nc=${c.nc}`);
      tr.deliver(reply(req, 401, 'Unauthorized', ['WWW-Authenticate: Digest realm="lab", nonce="n0nce2", qop="auth", algorithm=SHA-256']));
      return;
    }
    log.push(`ok nc=${c.nc} expires=${expires}`);
    tr.deliver(reply(req, 200, 'OK', [`Contact: <sip:alice@192.0.2.10:5099>;expires=${expires === 0 ? 0 : 120}`]));
  };
}

describe('REGISTER with digest', () => {
  it('answers the 401 (SHA-256, qop=auth, nc), measures RRD, reads the expiry, unregisters', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const log: string[] = [];
    t.farEnd = registrar('s3cret', log);
    const agent = new SipAgent(t, clock);
    const tg = target('sip:192.0.2.1');
    const out = await register({ agent, target: tg, identity: makeIdentity(tg, agent, 'alice'), credentials: { username: 'alice', password: 's3cret' }, expiresSec: 300, timeoutMs: 1000, keep: false });
    expect(log).toEqual(['challenge', 'ok nc=00000001 expires=300', 'ok nc=00000002 expires=0']);
    expect(out.result).toMatchObject({ status: 200, expires: 120, unregistered: true, unregisterStatus: 200, auth: { scheme: 'Digest', algorithm: 'SHA-256', qop: 'auth', challenges: 1 } });
    expect(out.result.rrdMs).toBe(0);
    expect(out.probes.map((p) => p.status)).toEqual([401, 200]);
    for (const s of t.sent) expect(s).not.toContain('s3cret');
    expect(t.sent[0]).toMatch(/To: <sip:alice@192\.0\.2\.1>\r\n/);
  });

  it('a wrong password is an auth failure after one answer, never a loop', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('udp', clock);
    const log: string[] = [];
    t.farEnd = registrar('right', log);
    const agent = new SipAgent(t, clock);
    const tg = target('sip:192.0.2.1');
    const out = await register({ agent, target: tg, identity: makeIdentity(tg, agent, 'alice'), credentials: { username: 'alice', password: 'wrong' }, expiresSec: 300, timeoutMs: 1000, keep: false });
    expect(log).toEqual(['challenge', 'reject nc=00000001']);
    expect(out.result.status).toBe(401);
    expect(out.result.unregistered).toBe(false);
    expect(out.findings.map((f) => f.code)).toContain('AUTH_FAILED');
    expect(JSON.stringify(out)).not.toContain('wrong');
  });

  it('--keep leaves the binding; no credentials: AUTH_REQUIRED', async () => {
    const clock = new ManualClock();
    const t = new FakeTransport('tcp', clock);
    const log: string[] = [];
    t.farEnd = registrar('pw', log);
    const agent = new SipAgent(t, clock);
    const tg = target('sip:192.0.2.1;transport=tcp');
    const kept = await register({ agent, target: tg, identity: makeIdentity(tg, agent, 'alice'), credentials: { username: 'alice', password: 'pw' }, expiresSec: 60, timeoutMs: 1000, keep: true });
    expect(kept.result.unregistered).toBe(false);
    expect(log).toEqual(['challenge', 'ok nc=00000001 expires=60']);
    expect(t.sent[0]).toMatch(/^REGISTER sip:192\.0\.2\.1;transport=tcp SIP\/2\.0/);
    const none = await register({ agent, target: tg, identity: makeIdentity(tg, agent, 'alice'), credentials: undefined, expiresSec: 60, timeoutMs: 1000, keep: true });
    expect(none.findings.map((f) => f.code)).toEqual(['AUTH_REQUIRED']);
  });
});
