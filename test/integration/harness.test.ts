/**
 * Proves the lab harness (test/harness) against the real peers: kamailio answers OPTIONS over
 * UDP/TCP/TLS on 127.0.0.1 and ::1 and refuses to relay, digest REGISTER works, the sipp UAS/UAC
 * scenarios give the expected answers, RTP flows both ways (seen by tcpdump + tshark), the netns
 * helpers link two namespaces, and every process started is gone afterwards (checked by PID).
 * Skips (never fails) without root or the lab binaries.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  allocatePort,
  childPidsOf,
  createNetns,
  createdNetns,
  deleteNetns,
  header,
  isPidAlive,
  labAvailable,
  labCaptureFilter,
  linkVeth,
  netnsExists,
  randomToken,
  run,
  runSippUac,
  sipOptions,
  sipOptionsInNetns,
  sipRequest,
  startKamailio,
  startLab,
  startTcpdump,
  startedProcesses,
  uriHost,
  useLabSafetyNet,
  type KamailioHandle,
  type LabPorts,
  type SipResponse,
  type SipTransport,
  type SippUacResult,
  type SippUasHandle,
} from '../harness/index.js';
import { FIXTURES, parseRtpStreamsText, readCapinfos, readSipMessages, readSipStat, type RtpStreamTruth } from '../helpers/truth.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * Responses with consecutive repeats collapsed: on a loaded machine a UAS may retransmit its
 * 200/486 (or the UAC its INVITE) before the ACK/100 gets through; that is legitimate SIP.
 */
const seq = <T,>(xs: T[]): T[] => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);

/** Status codes received, a retransmission (same status and CSeq as the previous one) counted once. */
const responsesOf = (r: SippUacResult): number[] => {
  const rx = r.messages.filter((m) => m.direction === 'received' && m.status !== null);
  return rx.filter((m, i) => i === 0 || `${m.status} ${m.cseq}` !== `${rx[i - 1]!.status} ${rx[i - 1]!.cseq}`).map((m) => m.status as number);
};

async function rtpStreams(pcap: string): Promise<RtpStreamTruth[]> {
  const r = await run('tshark', ['-r', pcap, '-q', '-o', 'rtp.heuristic_rtp:TRUE', '-z', 'rtp,streams'], { timeoutMs: 30_000 });
  return parseRtpStreamsText(r.stdout);
}

/** Parse `Digest realm="x", nonce="y", qop="auth"` */
function digestParams(h: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of h.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

describe.skipIf(!labAvailable())('lab harness (kamailio + sipp + tcpdump on loopback)', () => {
  useLabSafetyNet();

  let ports: LabPorts;
  let kam: KamailioHandle;
  let uas: SippUasHandle[];
  let capDir: string;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    capDir = mkdtempSync(join(tmpdir(), 'voipdiag-harness-test-'));
    // a free port plan (offset 0, 200, ... if another lab holds the defaults), kamailio, 4 UAS
    const lab = await startLab({ kamailio: { noAnswerMs: 3000, deadMs: 2000 } });
    ports = lab.ports;
    kam = lab.kamailio;
    uas = lab.uasList;
    timings.portOffset = ports.offset;
    timings.kamailioReadyMs = kam.readyMs;
    timings.uasReadyMs = Math.max(...uas.map((u) => u.readyMs));
    timings.labReadyMs = lab.readyMs;
  });

  afterAll(async () => {
    // normally done (and checked) by the last test; this is for early failures
    await Promise.all((uas ?? []).map((u) => u.stop()));
    await kam?.stop();
    if (capDir) rmSync(capDir, { recursive: true, force: true });
    console.log(`harness timings (ms): ${JSON.stringify(timings)}`);
  });

  describe('kamailio', () => {
    const cases: [SipTransport, string][] = [
      ['udp', '127.0.0.1'],
      ['tcp', '127.0.0.1'],
      ['tls', '127.0.0.1'],
      ['udp', '::1'],
      ['tcp', '::1'],
      ['tls', '::1'],
    ];
    test.each(cases)('answers OPTIONS over %s on %s with 200 and Allow', async (transport, host) => {
      const port = transport === 'tls' ? kam.ports.tls! : kam.ports.udp;
      const r = await sipOptions({ transport, host, port, timeoutMs: 3000 });
      expect(r.status).toBe(200);
      const allow = header(r, 'allow') ?? '';
      for (const m of ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER']) expect(allow).toContain(m);
      expect(header(r, 'server')).toContain('voipdiag-harness-kamailio');
    });

    test('is not an open relay: a request for a foreign host gets 403', async () => {
      const rs = await sipRequest({
        transport: 'udp',
        host: '127.0.0.1',
        port: kam.ports.udp,
        message: (l) =>
          `OPTIONS sip:someone@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP ${uriHost(l.address)}:${l.port};branch=z9hG4bK-${randomToken()};rport\r\n` +
          `Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=${randomToken(4)}\r\nTo: <sip:someone@192.0.2.10>\r\nCall-ID: ${randomToken()}@t\r\n` +
          `CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      });
      expect(rs.at(-1)?.status).toBe(403);
    });

    describe('REGISTER with digest (computed here with node:crypto MD5)', () => {
      async function register(user: string, authUser: string, password: string): Promise<{ first: SipResponse; second: SipResponse; challenge: Record<string, string> }> {
        const callId = `${randomToken()}@voipdiag-harness-test`;
        const tag = randomToken(4);
        const uri = `sip:127.0.0.1:${kam.ports.udp}`;
        const build = (cseq: number, auth: string) => (l: { address: string; port: number }) =>
          `REGISTER ${uri} SIP/2.0\r\n` +
          `Via: SIP/2.0/UDP ${l.address}:${l.port};branch=z9hG4bK-${randomToken()};rport\r\n` +
          `Max-Forwards: 70\r\nFrom: <sip:${user}@127.0.0.1>;tag=${tag}\r\nTo: <sip:${user}@127.0.0.1>\r\n` +
          `Call-ID: ${callId}\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:${user}@${l.address}:${l.port}>\r\nExpires: 60\r\n` +
          auth +
          `Content-Length: 0\r\n\r\n`;
        const first = (await sipRequest({ transport: 'udp', host: '127.0.0.1', port: kam.ports.udp, message: build(1, '') })).at(-1)!;
        const challenge = digestParams(header(first, 'www-authenticate') ?? '');
        const nonce = challenge.nonce ?? '';
        const realm = challenge.realm ?? '';
        const ha1 = md5(`${authUser}:${realm}:${password}`);
        const ha2 = md5(`REGISTER:${uri}`);
        let auth: string;
        if (challenge.qop?.split(',').includes('auth')) {
          const nc = '00000001';
          const cnonce = randomBytes(8).toString('hex');
          const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
          auth = `Authorization: Digest username="${authUser}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"\r\n`;
        } else {
          auth = `Authorization: Digest username="${authUser}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${md5(`${ha1}:${nonce}:${ha2}`)}", algorithm=MD5\r\n`;
        }
        const second = (await sipRequest({ transport: 'udp', host: '127.0.0.1', port: kam.ports.udp, message: build(2, auth) })).at(-1)!;
        return { first, second, challenge };
      }

      test('alice with the right password: 401 then 200 with her contact', async () => {
        const { first, second, challenge } = await register('alice', 'alice', 'alicepw');
        expect(first.status).toBe(401);
        expect(challenge.realm).toBe('voipdiag.lab');
        expect(challenge.nonce).toBeTruthy();
        expect(second.status).toBe(200);
        expect(header(second, 'contact')).toMatch(/sip:alice@127\.0\.0\.1:\d+.*expires=60/);
      });

      test('one contact per AoR: a new REGISTER replaces the previous binding', async () => {
        const one = await register('alice', 'alice', 'alicepw');
        const two = await register('alice', 'alice', 'alicepw');
        const contacts = (r: SipResponse) => (r.headers.get('contact') ?? []).join(',').match(/<sip:[^>]+>/g) ?? [];
        expect(contacts(one.second)).toHaveLength(1);
        expect(contacts(two.second)).toHaveLength(1);
        expect(contacts(two.second)[0]).not.toBe(contacts(one.second)[0]); // each request came from a new local port
      });

      test('a wrong password gets a fresh 401, another user\'s credentials a 403', async () => {
        expect((await register('alice', 'alice', 'not-the-password')).second.status).toBe(401);
        expect((await register('alice', 'bob', 'bobpw')).second.status).toBe(403);
      });
    });
  });

  describe('sipp UAS peers', () => {
    test('each UAS is up on its own SIP/media/control port and the options UAS answers 200', async () => {
      expect(uas.map((u) => u.kind).sort()).toEqual(['busy', 'echo', 'noanswer', 'options']);
      expect(new Set(uas.map((u) => u.controlPort)).size).toBe(4);
      expect(new Set(uas.map((u) => u.mediaPort)).size).toBe(4);
      for (const u of uas) expect(isPidAlive(u.pid)).toBe(true);
      const r = await sipOptions({ host: '127.0.0.1', port: ports.uas.options });
      expect(r.status).toBe(200);
      expect(header(r, 'server')).toBe('voipdiag-harness-uas-options');
    });
  });

  describe.concurrent('sipp UAC scenarios through kamailio', () => {
    const finalOf = (r: SippUacResult) => r.responses.filter((c) => c >= 200).at(-1);

    test('echo: answered call, exit 0, RTP both ways in a tcpdump capture', async ({ expect }) => {
      const file = join(capDir, 'echo.pcap');
      // this test's call only: its UAC media port is reserved here and captured alone
      const media = await allocatePort(ports.uacMedia, { step: 10, span: 4 });
      const mediaPort = media.port;
      const cap = await startTcpdump('lo', file, `udp and port ${mediaPort}`);
      timings.tcpdumpReadyMs = cap.readyMs;
      const r = await runSippUac('call', { service: 'echo', ports, mediaPort }).finally(() => media.release());
      const stats = await cap.stop();
      timings.tcpdumpStopMs = stats.stopMs;
      timings.echoCallMs = r.durationMs;
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([100, 180, 200, 200]);
      expect(r.stats.successful).toBe(1);
      expect(cap.linkType).toMatch(/EN10MB/);
      expect(stats.dropped).toBe(0);
      const streams = await rtpStreams(file);
      const out = streams.filter((s) => s.payload === 'g711A' && s.srcPort === mediaPort && s.dstPort === ports.uasMedia.echo);
      const back = streams.filter((s) => s.payload === 'g711A' && s.srcPort === ports.uasMedia.echo && s.dstPort === mediaPort);
      expect(out, JSON.stringify(streams)).toHaveLength(1);
      expect(back, JSON.stringify(streams)).toHaveLength(1);
      expect(out[0]!.packets).toBe(r.audioPackets);
      expect(back[0]!.packets).toBe(r.audioPackets);
      expect(back[0]!.ssrc).toBe(out[0]!.ssrc); // sipp -rtp_echo returns the packets unchanged
      // the RFC 2833 digit went out and came back too (tshark names PT 101 "rtpevent" when it
      // has no SDP, "telephone-event" when it has)
      const dtmf = streams.filter((s) => s.payload === 'rtpevent' || s.payload === 'telephone-event');
      expect(dtmf).toHaveLength(2);
      expect(dtmf.every((s) => s.packets === 10)).toBe(true);
      expect(stats.captured, JSON.stringify(streams)).toBe(streams.reduce((n, s) => n + s.packets, 0));
    });

    test('busy: 486', async ({ expect }) => {
      const r = await runSippUac('fail', { service: 'busy', ports });
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([100, 486]);
      expect(seq(r.messages.filter((m) => m.direction === 'sent').map((m) => m.method))).toEqual(['INVITE', 'ACK']);
    });

    test('noanswer: rings, then 408 from kamailio after its 3 s timer', async ({ expect }) => {
      const r = await runSippUac('fail', { service: 'noanswer', ports });
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([100, 180, 408]);
      expect(r.durationMs).toBeGreaterThanOrEqual(3000);
      expect(r.durationMs).toBeLessThan(10_000); // generous: sipp start-up on a loaded box
    });

    test('dead: closed port behind kamailio, 408 after 2 s', async ({ expect }) => {
      const r = await runSippUac('fail', { service: 'dead', ports });
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([100, 408]);
      expect(r.durationMs).toBeGreaterThanOrEqual(2000);
      expect(r.durationMs).toBeLessThan(9000);
    });

    test('cancelled: CANCEL after 180, 200 to the CANCEL and 487 to the INVITE', async ({ expect }) => {
      const r = await runSippUac('cancel', { service: 'noanswer', ports, ringMs: 500 });
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([100, 180, 200, 487]);
      expect(seq(r.messages.map((m) => `${m.direction === 'sent' ? '>' : '<'}${m.status ?? m.method}`))).toEqual([
        '>INVITE', '<100', '<180', '>CANCEL', '<200', '<487', '>ACK',
      ]);
      const ok = r.messages.find((m) => m.status === 200)!;
      expect(ok.method).toBe('CANCEL');
      // the 487 came back through kamailio with the UAC's Via (the UAS kept the INVITE's Vias)
      const r487 = r.messages.find((m) => m.status === 487)!;
      expect(r487.text).toMatch(new RegExp(`Via: SIP/2.0/UDP 127.0.0.1:${r.sipPort};`));
      expect(r487.method).toBe('INVITE');
    });

    test('register: 401 then 200', async ({ expect }) => {
      const r = await runSippUac('register', { service: 'bob', authUser: 'bob', authPass: 'bobpw', ports });
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([401, 200]);
    });

    test('register-bad: 401 401, exit 1, nothing sent after the refusal', async ({ expect }) => {
      const r = await runSippUac('register', { service: 'bob', authUser: 'bob', authPass: 'wrong', ports });
      expect(r.exitCode).toBe(1);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([401, 401]);
      expect(seq(r.messages.filter((m) => m.direction === 'sent').map((m) => m.method))).toEqual(['REGISTER']);
      expect(r.messages.filter((m) => m.direction === 'sent' && m.method === 'REGISTER').map((m) => m.cseq)).toEqual(['1 REGISTER', '2 REGISTER']);
      expect(r.stats.failed).toBe(1);
    });

    test('authtest: 407 challenge, then the authenticated INVITE is answered', async ({ expect }) => {
      const r = await runSippUac('call', { service: 'authtest', authUser: 'alice', authPass: 'alicepw', ports, audioPackets: 10 });
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([407, 100, 180, 200, 200]);
    });

    test('unknown user: 404', async ({ expect }) => {
      const r = await runSippUac('fail', { service: 'nobody', ports });
      expect(r.exitCode).toBe(0);
      expect(finalOf(r)).toBe(404);
    });

    test('options UAC against kamailio: 200', async ({ expect }) => {
      const r = await runSippUac('options', { service: 'ping', ports });
      expect(r.exitCode).toBe(0);
      expect(responsesOf(r), r.stdout.slice(-800)).toEqual([200]);
    });
  });

  describe('network namespaces', () => {
    test('two namespaces linked by a veth: kamailio in one answers OPTIONS from the other, tcpdump inside sees it', async () => {
      const tag = `${process.pid % 100000}`;
      const a = await createNetns(`vdh-${tag}-a`);
      const b = await createNetns(`vdh-${tag}-b`);
      try {
        await linkVeth(
          { netns: a.name, ifname: `vdh${tag}a`, addresses: ['10.199.1.1/24', 'fd99:1::1/64'] },
          { netns: b.name, ifname: `vdh${tag}b`, addresses: ['10.199.1.2/24', 'fd99:1::2/64'] },
        );
        const k = await startKamailio({ netns: b.name, ipv4: '10.199.1.2', ipv6: 'fd99:1::2', tls: false, ports });
        try {
          const file = join(capDir, 'netns.pcap');
          const cap = await startTcpdump(`vdh${tag}a`, file, `udp port ${ports.sip}`, { netns: a.name });
          expect(await sipOptionsInNetns(a.name, '10.199.1.2', ports.sip)).toBe(200);
          expect(await sipOptionsInNetns(a.name, 'fd99:1::2', ports.sip)).toBe(200);
          // from inside B itself (its lo, not the veth: not in A's capture)
          expect(await sipOptionsInNetns(b.name, '10.199.1.2', ports.sip)).toBe(200);
          const st = await cap.stop();
          expect(st.captured).toBe(4);
        } finally {
          await k.stop();
        }
        expect(isPidAlive(k.pid)).toBe(false);
      } finally {
        await deleteNetns(a.name);
        await deleteNetns(b.name);
      }
      expect(await netnsExists(a.name)).toBe(false);
      expect(await netnsExists(b.name)).toBe(false);
      expect(createdNetns()).toEqual([]);
    });
  });

  test('stopping the peers leaves no process behind (checked by PID)', async () => {
    const kamPids = [...new Set([...kam.pids, ...childPidsOf(kam.pid)])];
    expect(kamPids.length).toBeGreaterThan(1); // main + workers
    const t0 = Date.now();
    const [u, k] = await Promise.all([
      Promise.all(uas.map((x) => x.stop())),
      kam.stop(),
    ]);
    timings.stopAllMs = Date.now() - t0;
    timings.kamailioStopMs = k.stopMs;
    timings.uasStopMs = Math.max(...u.map((x) => x.stopMs));
    expect(k.killed).toBe(false);
    for (const pid of kamPids) expect(isPidAlive(pid), `kamailio pid ${pid}`).toBe(false);
    for (const p of startedProcesses()) expect(isPidAlive(p.pid), `${p.name} pid ${p.pid}`).toBe(false);
    expect(existsSync(kam.dir)).toBe(false);
    for (const x of uas) expect(existsSync(x.dir)).toBe(false);
  });
});

/** The captures made with this harness (scripts/make-lab-captures.sh): sidecar vs tshark truth. No root needed. */
describe('fixtures/lab-made: each scenario sidecar agrees with its tshark truth', () => {
  const dir = join(FIXTURES, 'lab-made');
  const captures = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pcap')) : [];

  test('the expected captures are there, small', () => {
    expect(captures.sort()).toEqual(['answered-echo-call.pcap', 'busy.pcap', 'cancelled.pcap', 'mixed.pcap', 'noanswer.pcap', 'register-401.pcap']);
  });

  test.each(captures)('%s', (file) => {
    const cap = join(dir, file);
    interface Sidecar {
      calls: { attempted: number; answered: number; busy: number; noanswer: number; cancelled: number; failedOther: number; expectedFinalCodes: Record<string, number> };
      registrations: { attempted: number; succeeded: number; failed: number };
      sipStat: { messages: number; resent: number; methods: Record<string, number>; statusCodes: Record<string, number> };
      rtp: { streams: number; packets: number };
      events: { kind: string; callId: string; uacLeg: string[]; uasLeg: string[]; expectedFinal: number }[];
    }
    const sc = JSON.parse(readFileSync(`${cap}.scenario.json`, 'utf8')) as Sidecar;
    const stat = readSipStat(cap);
    expect(stat).toEqual({ messages: sc.sipStat.messages, resent: 0, methods: sc.sipStat.methods, statusCodes: sc.sipStat.statusCodes });
    const msgs = readSipMessages(cap);
    expect(msgs).toHaveLength(sc.sipStat.messages);
    const streams = parseRtpStreamsText(readFileSync(`${cap}.truth/rtp-streams.txt`, 'utf8'));
    expect(streams).toHaveLength(sc.rtp.streams);
    expect(streams.reduce((n, r) => n + r.packets, 0)).toBe(sc.rtp.packets);
    expect(readCapinfos(cap).packets).toBe(sc.sipStat.messages + sc.rtp.packets);
    // per event: its Call-ID carries exactly the modelled messages (both legs), in a valid order
    for (const ev of sc.events) {
      const mine = msgs.filter((m) => m.callId === ev.callId);
      expect(mine, ev.callId).toHaveLength(ev.uacLeg.length + ev.uasLeg.length);
      expect(mine.map((m) => m.method || m.status).sort()).toEqual([...ev.uacLeg, ...ev.uasLeg].sort());
    }
    const calls = sc.events.filter((e) => !e.kind.startsWith('register'));
    expect(calls).toHaveLength(sc.calls.attempted);
    expect(sc.calls.answered + sc.calls.busy + sc.calls.noanswer + sc.calls.cancelled + sc.calls.failedOther).toBe(sc.calls.attempted);
    expect(sc.registrations.succeeded + sc.registrations.failed).toBe(sc.registrations.attempted);
    const finals: Record<string, number> = {};
    for (const e of calls) finals[e.expectedFinal] = (finals[e.expectedFinal] ?? 0) + 1;
    expect(finals).toEqual(sc.calls.expectedFinalCodes);
  });
});
