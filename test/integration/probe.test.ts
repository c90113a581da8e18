/**
 * `voipdiag probe` against real peers on loopback: kamailio (UDP/TCP 5060+o, TLS 5061+o, IPv4
 * and [::1], digest users alice/bob) and sipp UASes (echo, busy, noanswer), through the built
 * CLI (`npm test` builds first) and through the task for the call metrics. A tiny DNS server on
 * loopback serves NAPTR/SRV/A for the RFC 3263 test; nothing leaves 127.0.0.0/8 and ::1.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { labAvailable, startLab, useLabSafetyNet, type Lab } from '../harness/index.js';
import { startDnsServer, type DnsServer } from '../harness-probe/dns-server.js';
import { runProbe } from '../../src/lib/tasks/probe.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'run.js');
const built = existsSync(join(ROOT, 'dist', 'commands', 'probe.js'));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  json: any;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'probe', ...args], { env: { ...process.env, NO_COLOR: '1', CI: '1', ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        /* not JSON */
      }
      resolve({ code, stdout, stderr, ms: Date.now() - t0, json });
    });
  });
}

/** A PCM WAV: 16-bit mono at `rate` Hz, a 440 Hz tone. */
function wavFile(dir: string, name: string, rate: number, seconds: number): string {
  const n = Math.round(rate * seconds);
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + 2 * n, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + 2 * i);
  const path = join(dir, name);
  writeFileSync(path, buf);
  return path;
}

/** What to show when an exit code is not the expected one (under --json the error is on stdout). */
function why(r: CliRun): string {
  return `stderr: ${r.stderr.slice(0, 1500)}\nstdout: ${r.stdout.slice(0, 1500)}`;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'probe.schema.json'), 'utf8')));
function expectSchema(doc: unknown): void {
  const ok = validate(doc);
  expect(ok, JSON.stringify(validate.errors)).toBe(true);
}

describe.skipIf(!labAvailable() || !built)('probe against kamailio and sipp on loopback', () => {
  useLabSafetyNet();
  let lab: Lab;
  let sip: number;
  let tls: number;
  let dns: DnsServer;

  beforeAll(async () => {
    lab = await startLab({ uas: ['echo', 'busy', 'noanswer'] });
    sip = lab.ports.sip;
    tls = lab.ports.tls;
    dns = await startDnsServer(
      {
        'lab.test': [
          { type: 'NAPTR', order: 10, preference: 10, flags: 's', service: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.lab.test' },
          { type: 'NAPTR', order: 20, preference: 10, flags: 's', service: 'SIP+D2U', regexp: '', replacement: '_sip._udp.lab.test' },
        ],
        '_sip._tcp.lab.test': [{ type: 'SRV', priority: 10, weight: 0, port: sip, target: 'pbx.lab.test' }],
        'pbx.lab.test': [{ type: 'A', value: '127.0.0.1' }, { type: 'AAAA', value: '::1' }],
        'nosrv.lab.test': [{ type: 'A', value: '127.0.0.1' }],
      },
      { maxSeconds: 170 },
    );
  });
  afterAll(async () => {
    await dns?.close();
    await lab?.stop();
  });

  test('OPTIONS over UDP, TCP and TLS and IPv6, several targets at once', async () => {
    const r = await cli([
      `sip:127.0.0.1:${sip}`,
      `sip:127.0.0.1:${sip};transport=tcp`,
      `sips:127.0.0.1:${tls}`,
      `sip:[::1]:${sip}`,
      '--count', '3', '--interval', '50ms', '--insecure', '--json',
    ]);
    expect(r.code, why(r)).toBe(0);
    expectSchema(r.json);
    const targets = r.json.result.targets;
    expect(targets.map((t: any) => t.transport)).toEqual(['udp', 'tcp', 'tls', 'udp']);
    for (const t of targets) {
      expect(t.outcome).toBe('ok');
      expect(t.summary).toMatchObject({ sent: 3, answered: 3, lossPct: 0 });
      expect(t.summary.rttMs.max).toBeLessThan(200);
      expect(t.probes.every((p: any) => p.status === 200 && p.retransmitted === false)).toBe(true);
      expect(t.server).toMatch(/kamailio/);
      expect(t.allow).toContain('REGISTER');
    }
    expect(targets[3].remote.ip).toBe('::1');
    expect(targets[3].local.ip).toBe('::1');
    // TLS: certificate shown, self-signed (not verified under --insecure), 2-day certificate: expiring
    expect(targets[2].tls).toMatchObject({ subject: 'CN=127.0.0.1', issuer: 'CN=127.0.0.1', verified: false });
    expect(targets[2].tls.daysToExpiry).toBeLessThanOrEqual(2);
    expect(targets[2].findings.map((f: any) => f.code)).toEqual(expect.arrayContaining(['TLS_CERT_EXPIRING', 'TLS_NOT_VERIFIED']));
    expect(r.json.warnings.some((w: any) => w.code === 'TLS_CERT_EXPIRING')).toBe(true);
  });

  test('TLS verification is on by default (exit 4), and passes with the CA given', async () => {
    const bad = await cli([`sips:127.0.0.1:${tls}`, '--count', '1', '--json']);
    expect(bad.code).toBe(4);
    expectSchema(bad.json);
    expect(bad.json.result.targets[0].outcome).toBe('tls-failed');
    expect(bad.json.result.targets[0].tls.verifyError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const good = await cli([`sips:127.0.0.1:${tls}`, '--count', '1', '--ca-file', lab.kamailio.certFile as string, '--json']);
    expect(good.code, why(good)).toBe(0);
    expect(good.json.result.targets[0].tls.verified).toBe(true);
  });

  test('a closed port: exit 4 at once from the ICMP port unreachable', async () => {
    const r = await cli([`sip:127.0.0.1:${lab.ports.dead}`, '--timeout', '10s', '--json']);
    expect(r.code).toBe(4);
    expect(r.json.status).toBe('error');
    const t = r.json.result.targets[0];
    expect(t.outcome).toBe('unreachable');
    expect(t.probes[0].error).toBe('unreachable');
    expect(r.ms).toBeLessThan(5000); // CLI start-up included, far below the 10 s timeout
  });

  test('RFC 3263: NAPTR → SRV → A/AAAA from a DNS server on loopback; --no-srv', async () => {
    // kamailio is not authoritative for lab.test: it answers 403 (never an open relay), which is
    // the answer we expect here: what matters is that it came over the NAPTR/SRV-chosen path
    const r = await cli(['sip:lab.test', '--dns-server', `127.0.0.1:${dns.port}`, '--count', '1', '--expect', '403', '--json']);
    expect(r.code, why(r)).toBe(0);
    const t = r.json.result.targets[0];
    expect(t.transport).toBe('tcp');
    expect(t.resolved).toEqual([{ ip: '127.0.0.1', port: sip }, { ip: '::1', port: sip }]);
    expect(t.dns.map((s: any) => s.type)).toEqual(['NAPTR', 'SRV', 'A', 'AAAA']);
    expect(t.probes[0].status).toBe(403);
    expect(t.server).toMatch(/kamailio/);
    const n = await cli([`sip:nosrv.lab.test:${sip}`, '--no-srv', '--dns-server', `127.0.0.1:${dns.port}`, '--count', '1', '--expect', '403', '--json']);
    expect(n.code, why(n)).toBe(0);
    expect(n.json.result.targets[0].dns.map((s: any) => s.type)).toEqual(['A', 'AAAA']);
    const human = await cli(['sip:lab.test', '--dns-server', `127.0.0.1:${dns.port}`, '--count', '1', '--expect', '403']);
    expect(human.stdout).toMatch(/DNS NAPTR\s+lab\.test → 10 10 "s" "SIP\+D2T" _sip\._tcp\.lab\.test/);
    expect(human.stdout).toMatch(new RegExp(`addresses\\s+127\\.0\\.0\\.1:${sip}, \\[::1\\]:${sip}`));
  });

  test('REGISTER with digest: alice and bob with the right password; unregistered afterwards', async () => {
    for (const [user, pw] of [['alice', 'alicepw'], ['bob', 'bobpw']] as const) {
      const r = await cli([`sip:127.0.0.1:${sip}`, '--register', '--user', user, '--password-env', 'VD_PW', '--json'], { VD_PW: pw });
      expect(r.code, why(r)).toBe(0);
      expectSchema(r.json);
      const reg = r.json.result.targets[0].register;
      expect(reg).toMatchObject({ status: 200, expires: 300, unregistered: true, unregisterStatus: 200, auth: { scheme: 'Digest', algorithm: 'MD5', qop: 'auth', challenges: 1 } });
      expect(reg.rrdMs).toBeGreaterThan(0);
      expect(reg.rrdMs).toBeLessThan(500);
      expect(r.stdout + r.stderr).not.toContain(pw);
    }
  });

  test('REGISTER with a wrong password: auth failure, exit 5, no loop, password never shown', async () => {
    const secret = 'Wr0ng-S3cret-xyz';
    const r = await cli([`sip:127.0.0.1:${sip}`, '--register', '--user', 'alice', '--password-env', 'VD_PW', '--json'], { VD_PW: secret });
    expect(r.code).toBe(5);
    expectSchema(r.json);
    const t = r.json.result.targets[0];
    expect(t.outcome).toBe('auth-failed');
    expect(t.probes.length).toBe(2); // first try + one answer to the challenge, then stop
    expect(t.findings.map((f: any) => f.code)).toContain('AUTH_FAILED');
    const human = await cli([`sip:127.0.0.1:${sip}`, '--register', '--user', 'alice', '--password-env', 'VD_PW'], { VD_PW: secret });
    expect(human.code).toBe(5);
    for (const out of [r.stdout, r.stderr, human.stdout, human.stderr]) expect(out).not.toContain(secret);
    const missing = await cli([`sip:127.0.0.1:${sip}`, '--register', '--user', 'alice', '--password-env', 'VD_NOT_SET_X', '--json']);
    expect(missing.code).toBe(2);
  });

  test('a call to echo: setup metrics, RTP both ways, MOS ≥ 4.2 on clean loopback', async () => {
    const { result, verdict } = await runProbe({
      targets: [`sip:127.0.0.1:${sip}`],
      mode: 'call',
      callUri: `sip:echo@127.0.0.1:${sip}`,
      durationMs: 3000,
      count: 1,
      watch: false,
      intervalMs: 1000,
      timeoutMs: 2000,
    });
    expect(verdict).toBe('ok');
    const t = result.targets[0];
    const call = t?.call;
    expect(call).toBeDefined();
    if (!call) return;
    expect(call).toMatchObject({ status: 200, endedBy: 'us', codec: 'PCMA' });
    expect(call.srdMs).toBeGreaterThan(0);
    expect(call.setupMs).toBeGreaterThanOrEqual(call.srdMs ?? 0);
    expect(call.sddMs).toBeGreaterThan(0);
    expect(call.sdtMs).toBeGreaterThan(2900);
    expect(call.tx.packets).toBe(150);
    expect(call.rx.packets).toBeGreaterThanOrEqual(148);
    expect(call.rx.lossPct).toBe(0);
    expect(call.rx.mos).toBeGreaterThanOrEqual(4.2);
    expect(call.tx.mos).toBeGreaterThanOrEqual(4.2);
    expect(call.tx.source).toBe('echo');
    expect(call.rtcp.sent).toBeGreaterThanOrEqual(2);
  });

  test('busy (486), no answer (408), dead (408): results with exit 5', async () => {
    const [busy, noanswer, dead] = await Promise.all(
      ['busy', 'noanswer', 'dead'].map((who) => cli([`sip:127.0.0.1:${sip}`, '--call', `sip:${who}@127.0.0.1:${sip}`, '--duration', '1s', '--json'])),
    );
    for (const [r, status] of [[busy, 486], [noanswer, 408], [dead, 408]] as const) {
      expect(r?.code, r ? why(r) : 'no run').toBe(5);
      expectSchema(r?.json);
      const t = r?.json.result.targets[0];
      expect(t.call.status).toBe(status);
      expect(t.outcome).toBe('call-failed');
      expect(t.call.endedBy).toBe('rejected');
    }
    expect(noanswer?.json.result.targets[0].call.srdMs).toBeGreaterThan(0); // it rang (180) first
  });

  test('INVITE challenged with 407: answered with the credentials; --audio plays a WAV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'voipdiag-probe-audio-'));
    try {
      const wav = wavFile(dir, 'tone.wav', 8000, 0.5);
      const r = await cli(
        [`sip:127.0.0.1:${sip}`, '--call', `sip:authtest@127.0.0.1:${sip}`, '--user', 'alice', '--password-env', 'VD_PW', '--audio', wav, '--duration', '1s', '--codec', 'pcma', '--json'],
        { VD_PW: 'alicepw' },
      );
      expect(r.code, why(r)).toBe(0);
      const t = r.json.result.targets[0];
      expect(t.probes.map((p: any) => p.status)).toEqual([407, 200]);
      expect(t.call).toMatchObject({ status: 200, codec: 'PCMA', endedBy: 'us' });
      expect(t.call.rx.packets).toBeGreaterThanOrEqual(45);
      expect(r.stdout).not.toContain('alicepw');
      const bad = await cli([`sip:127.0.0.1:${sip}`, '--call', `sip:echo@127.0.0.1:${sip}`, '--audio', wavFile(dir, 'cd.wav', 44100, 0.1)]);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/needs 8000 Hz mono 16-bit PCM, this file is PCM, 1 channel\(s\), 44100 Hz, 16-bit/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--source-ip and --source-port: the probe leaves from there', async () => {
    const r = await cli([`sip:127.0.0.1:${sip}`, '--source-ip', '127.0.0.2', '--source-port', String(sip + 37), '--count', '1', '--json']);
    expect(r.code, why(r)).toBe(0);
    expect(r.json.result.targets[0].local).toEqual({ ip: '127.0.0.2', port: sip + 37 });
  });

  test('SNI and name check: sips:localhost verifies against the certificate\'s DNS:localhost', async () => {
    const r = await cli([`sips:localhost:${tls}`, '--ipv4', '--count', '1', '--ca-file', lab.kamailio.certFile as string, '--json']);
    expect(r.code, why(r)).toBe(0);
    expect(r.json.result.targets[0].tls).toMatchObject({ verified: true, servername: 'localhost' });
  });

  test('CANCEL when the ring timeout passes: 487', async () => {
    const r = await cli([`sip:127.0.0.1:${sip}`, '--call', `sip:noanswer@127.0.0.1:${sip}`, '--ring-timeout', '800ms', '--json']);
    expect(r.code).toBe(5);
    const call = r.json.result.targets[0].call;
    // 487 proves our CANCEL: kamailio itself would answer 408 only after 3 s
    expect(call).toMatchObject({ status: 487, endedBy: 'cancel' });
    expect(call.srdMs).toBeLessThan(800);
  });

  test('thresholds: --max-rtt and --profile breach with exit 5, still printing the result', async () => {
    const r = await cli([`sip:127.0.0.1:${sip}`, '--count', '2', '--interval', '50ms', '--max-rtt', '0.0001', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.status).toBe('breached');
    expect(r.json.result.targets[0].breaches[0]).toMatchObject({ key: 'rtt_ms', kind: 'max', limit: 0.0001 });
    const p = await cli([`sip:127.0.0.1:${sip}`, '--count', '2', '--interval', '50ms', '--profile', 'pbx', '--json']);
    expect(p.code, why(p)).toBe(0);
    expect(p.json.result.profile.name).toBe('pbx');
    const e = await cli([`sip:127.0.0.1:${sip}`, '--count', '1', '--expect', '404', '--json']);
    expect(e.code).toBe(5);
    expect(e.json.result.targets[0].outcome).toBe('unexpected-status');
  });

  test('--watch --ndjson: a line per probe until SIGINT, then the summary', async () => {
    const child = spawn(process.execPath, [BIN, 'probe', `sip:127.0.0.1:${sip}`, '--watch', '--ndjson', '--interval', '100ms'], { env: { ...process.env, CI: '1' } });
    const lines: string[] = [];
    let buf = '';
    const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
      if (lines.length === 3 && child.pid) process.kill(child.pid, 'SIGINT');
    });
    const code = await done;
    clearTimeout(killer);
    lines.push(...buf.split('\n').filter((l) => l.length > 0));
    expect(code).toBe(0);
    const objs = lines.map((l) => JSON.parse(l));
    expect(objs.slice(0, 3).every((o) => o.type === 'probe' && o.status === 200 && typeof o.rttMs === 'number')).toBe(true);
    const summary = objs[objs.length - 1];
    expect(summary.type).toBe('summary');
    expect(summary.result.targets[0].summary.sent).toBeGreaterThanOrEqual(3);
  });
});
