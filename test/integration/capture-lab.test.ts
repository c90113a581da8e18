/**
 * `voipdiag capture` against real traffic: sipp through kamailio on loopback (an answered call
 * with RTP echo, a busy call, a call cancelled while ringing, REGISTER with its 401 challenge
 * and a REGISTER with a wrong password), captured live by two CLI processes at once:
 *  - A: the whole lab (`--filter` = the lab's ports) with `--duration`, `--write out.pcap` and
 *    `--json`: its report must equal `voipdiag analyze out.pcap --json` of the same packets
 *    (analyze is proven equal to tshark by the analyze suites), and its calls, registrations and
 *    answers must be the ones sipp reports;
 *  - B: only the UAC leg (the sipp clients' own ports) with `--ndjson`, stopped by SIGINT as an
 *    operator's Ctrl-C would: one `{"type":"call"}` line per call as it ends, then the findings
 *    and one summary line whose SIP counts equal sipp's own message trace, message for message.
 * Plus the failure paths: no privilege (exit 4, the fixes, no stack trace), a missing interface,
 * a bad filter. Everything stays on 127.0.0.0/8; every process is ours and stopped by PID.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  allocatePort,
  labAvailable,
  labCaptureFilter,
  run,
  runSippUac,
  spawnTracked,
  startLab,
  stopTracked,
  useLabSafetyNet,
  waitExit,
  type Lab,
  type SippUacResult,
  type TrackedProcess,
} from '../harness/index.js';
import { BIN, ROOT, hasStackTrace, runCli } from '../helpers/cli.js';
import type { AnalyzeResult, CallRow, RtpStreamRow } from '../../src/lib/engine/analysis-result.js';

const built = existsSync(join(ROOT, 'dist', 'commands', 'capture.js'));

interface Envelope {
  status: string;
  result: AnalyzeResult;
  warnings: { code: string; message: string }[];
  error?: { code: string; message: string; hints: string[] };
}

/** A `voipdiag capture` process: stdout lines as they arrive (with their arrival time), stderr text. */
interface CaptureCli {
  proc: TrackedProcess;
  lines: { atMs: number; text: string }[];
  stdout(): string;
  stderr(): string;
  /** Resolves once the first --progress line shows the capturer is listening. */
  ready: Promise<void>;
  done: Promise<{ code: number | null }>;
}

function startCaptureCli(args: string[], name: string): CaptureCli {
  const proc = spawnTracked(name, process.execPath, [BIN, 'capture', ...args, '--progress'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', NODE_NO_WARNINGS: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const lines: { atMs: number; text: string }[] = [];
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  proc.child.stdout?.setEncoding('utf8');
  proc.child.stdout?.on('data', (d: string) => {
    out += d;
    partial += d;
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      lines.push({ atMs: Date.now(), text: partial.slice(0, i) });
      partial = partial.slice(i + 1);
    }
  });
  proc.child.stderr?.setEncoding('utf8');
  proc.child.stderr?.on('data', (d: string) => {
    err += d;
    if (/\d+ s: \d+ packets/.test(err)) readyResolve();
  });
  const closed = new Promise<void>((r) => proc.child.stdout?.once('close', () => r()));
  const done = (async () => {
    const e = await proc.exit;
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
    return { code: e.code };
  })();
  void done.then(() => readyResolve());
  return { proc, lines, stdout: () => out, stderr: () => err, ready, done };
}

/** Responses as sipp received them, a retransmission (same status and CSeq as the one before) once. */
function finalOf(r: SippUacResult, method = 'INVITE'): number | undefined {
  return r.messages.filter((m) => m.direction === 'received' && m.status !== null && m.status >= 200 && m.method === method).at(-1)?.status ?? undefined;
}

/** The fields of a call row that describe the call (not where the row was built). */
function callView(c: CallRow) {
  return {
    callId: c.callId,
    from: c.from,
    to: c.to,
    caller: c.caller,
    callee: c.callee,
    start: c.start,
    srdMs: c.srdMs,
    setupMs: c.setupMs,
    durationMs: c.durationMs,
    sddMs: c.sddMs,
    finalStatus: c.finalStatus,
    finalReason: c.finalReason,
    endedBy: c.endedBy,
    userAgents: c.userAgents,
    authChallenges: c.authChallenges,
    forks: c.forks,
    media: c.media,
    streams: [...c.streams].sort(),
    mos: c.mos,
  };
}

function streamView(s: RtpStreamRow) {
  return {
    id: s.id,
    ssrc: s.ssrc,
    src: s.src,
    dst: s.dst,
    callId: s.callId,
    payload: s.payload,
    packets: s.packets,
    expected: s.expected,
    lost: s.lost,
    lostPct: s.lostPct,
    minDeltaMs: s.minDeltaMs,
    meanDeltaMs: s.meanDeltaMs,
    maxDeltaMs: s.maxDeltaMs,
    minJitterMs: s.minJitterMs,
    meanJitterMs: s.meanJitterMs,
    maxJitterMs: s.maxJitterMs,
    duplicates: s.duplicates,
    outOfOrder: s.outOfOrder,
    detectedBy: s.detectedBy,
    mos: s.mos,
  };
}

const count = <T,>(xs: T[], key: (x: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};

describe.skipIf(!labAvailable() || !built)('capture: sipp through kamailio on loopback, live', () => {
  useLabSafetyNet();
  let lab: Lab;
  let dir: string;
  const DURATION_S = 10;

  // what the run produced (filled by beforeAll, checked by the tests)
  let sipp: { call: SippUacResult; busy: SippUacResult; cancel: SippUacResult; reg: SippUacResult; regBad: SippUacResult };
  let a: CaptureCli;
  let b: CaptureCli;
  let aEnv: Envelope;
  let analyzed: Envelope;
  let scenarioEndMs = 0;
  let bStopSentMs = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'voipdiag-capture-lab-'));
    lab = await startLab({ uas: ['echo', 'busy', 'noanswer'], kamailio: { tls: false, ipv6: false } });
    const p = lab.ports;
    // the UAC ports are reserved here so capture B can filter on exactly the UAC leg
    const sipPorts = await Promise.all([0, 1, 2, 3, 4].map(() => allocatePort(p.uacSip)));
    const mediaPorts = await Promise.all([0, 1, 2].map(() => allocatePort(p.uacMedia, { step: 10, span: 4 })));
    const uacFilter =
      'udp and (' +
      [...sipPorts.map((s) => `port ${s.port}`), ...mediaPorts.map((m) => `portrange ${m.port}-${m.port + 3}`)].join(' or ') +
      ')';
    const out = join(dir, 'out.pcap');
    a = startCaptureCli(['-i', 'lo', '--filter', labCaptureFilter(p), '--duration', String(DURATION_S), '--write', out, '--json'], 'capture-A');
    b = startCaptureCli(['-i', 'lo', '--filter', uacFilter, '--ndjson'], 'capture-B');
    await Promise.all([a.ready, b.ready]);
    const startedMs = Date.now();
    try {
      const [s0, s1, s2, s3, s4] = sipPorts.map((s) => s.port) as [number, number, number, number, number];
      const [m0, m1, m2] = mediaPorts.map((m) => m.port) as [number, number, number];
      const [call, busy, cancel, reg, regBad] = await Promise.all([
        runSippUac('call', { service: 'echo', ports: p, sipPort: s0, mediaPort: m0 }),
        runSippUac('fail', { service: 'busy', ports: p, sipPort: s1, mediaPort: m1 }),
        runSippUac('cancel', { service: 'noanswer', ports: p, sipPort: s2, mediaPort: m2, ringMs: 500 }),
        runSippUac('register', { service: 'alice', ports: p, sipPort: s3, authUser: 'alice', authPass: 'alicepw', expires: 60 }),
        runSippUac('register', { service: 'bob', ports: p, sipPort: s4, authUser: 'bob', authPass: 'wrong-password', expires: 60 }),
      ]);
      sipp = { call, busy, cancel, reg, regBad };
    } finally {
      for (const x of [...sipPorts, ...mediaPorts]) x.release();
    }
    scenarioEndMs = Date.now();
    // B: the operator's Ctrl-C, once every call is over
    await new Promise((r) => setTimeout(r, 300));
    bStopSentMs = Date.now();
    process.kill(b.proc.pid, 'SIGINT');
    await b.done;
    if (!(await waitExit(a.proc, (DURATION_S + 15) * 1000))) await stopTracked(a.proc, { signal: 'SIGINT', graceMs: 5000 });
    await a.done;
    expect(scenarioEndMs - startedMs, 'the scenarios must end inside capture A\'s --duration').toBeLessThan((DURATION_S - 1.5) * 1000);
    aEnv = JSON.parse(a.stdout()) as Envelope;
    const an = await runCli(['analyze', out, '--json']);
    expect(an.exitCode, an.stderr).toBe(0);
    analyzed = JSON.parse(an.stdout) as Envelope;
  }, 90_000);

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('sipp: every scenario did what it was meant to', () => {
    expect(sipp.call.exitCode, sipp.call.stdout.slice(-600)).toBe(0);
    expect(sipp.call.stats.successful).toBe(1);
    expect(finalOf(sipp.call)).toBe(200);
    expect(finalOf(sipp.busy)).toBe(486);
    expect(finalOf(sipp.cancel)).toBe(487);
    expect(sipp.reg.exitCode).toBe(0);
    expect(finalOf(sipp.reg, 'REGISTER')).toBe(200);
    expect(finalOf(sipp.regBad, 'REGISTER')).toBe(401);
  });

  test('capture A: exit 0, JSON envelope, nothing dropped, the pcap written', () => {
    expect(aEnv.status).toBe('ok');
    const drops = aEnv.result.capture.drops;
    expect(drops?.dropped).toBe(0);
    expect(drops?.received).toBeGreaterThan(0);
    expect(aEnv.warnings.filter((w) => w.code === 'CAPTURE_DROPS')).toEqual([]);
    expect(statSync(join(dir, 'out.pcap')).size).toBeGreaterThan(24);
  });

  test('capture A equals analyze of the pcap it wrote: packets, SIP counts, RFC 6076, registrations', () => {
    const live = aEnv.result;
    const off = analyzed.result;
    expect(live.capture.packets).toBe(off.capture.packets);
    expect(live.capture.bytes).toBe(off.capture.bytes);
    expect(live.capture.start).toBe(off.capture.start);
    expect(live.capture.end).toBe(off.capture.end);
    expect(live.capture.malformed).toEqual(off.capture.malformed);
    const sipOf = (r: AnalyzeResult) => ({ messages: r.sip.messages, retransmissions: r.sip.retransmissions, methods: r.sip.methods, statusCodes: r.sip.statusCodes });
    expect(sipOf(live)).toEqual(sipOf(off));
    expect(live.rfc6076).toEqual(off.rfc6076);
    expect(live.registrations).toEqual(off.registrations);
  });

  test('capture A equals analyze of the pcap: every call, field by field', () => {
    const live = aEnv.result.calls.map(callView);
    const off = analyzed.result.calls.map(callView);
    expect(live.map((c) => c.callId).sort()).toEqual(off.map((c) => c.callId).sort());
    for (const c of live) expect(c, c.callId).toEqual(off.find((x) => x.callId === c.callId));
  });

  test('capture A equals analyze of the pcap: every RTP stream, RTCP and DTMF', () => {
    const byId = (xs: RtpStreamRow[]) => xs.map(streamView).sort((x, y) => x.id.localeCompare(y.id));
    expect(byId(aEnv.result.rtp.streams)).toEqual(byId(analyzed.result.rtp.streams));
    expect(aEnv.result.rtp.dtmf).toEqual(analyzed.result.rtp.dtmf);
    const codes = (r: AnalyzeResult) => r.findings.map((f) => f.code).sort();
    expect(codes(aEnv.result)).toEqual(codes(analyzed.result));
  });

  test('capture A: the calls and registrations are the ones sipp made', () => {
    const r = aEnv.result;
    const inviteRuns = [sipp.call, sipp.busy, sipp.cancel];
    // one call per INVITE dialog sipp created, with the final answer sipp received
    expect(r.calls.length).toBe(inviteRuns.reduce((n, x) => n + x.stats.created, 0));
    for (const run of inviteRuns) {
      for (const id of run.callIds) {
        const c = r.calls.find((x) => x.callId === id);
        expect(c, `${run.service}: ${id}`).toBeDefined();
        expect(c?.finalStatus).toBe(finalOf(run));
      }
    }
    expect(count(r.calls, (c) => c.endedBy)).toEqual({ 'caller-bye': 1, error: 1, cancel: 1 });
    expect(r.rfc6076.answered).toBe(sipp.call.stats.successful);
    // RFC 6076 §4.7 SER = answered ÷ (INVITEs − 3xx) = 1 of 3
    expect(r.rfc6076.serPct).toBeCloseTo(100 / 3, 2);
    // the answered call: two PCMA streams (out and echoed back) of the packets sipp played, and
    // the RFC 2833 digit both ways; a clean loopback call scores above MOS 4.2
    const answered = r.calls.find((c) => c.finalStatus === 200)!;
    const streams = r.rtp.streams.filter((s) => answered.streams.includes(s.id));
    const pcma = streams.filter((s) => s.payload.toUpperCase().startsWith('PCMA') || s.payload === 'g711A');
    expect(pcma.map((s) => s.packets)).toEqual([sipp.call.audioPackets, sipp.call.audioPackets]);
    expect(pcma.every((s) => s.lost === 0)).toBe(true);
    expect(answered.mos).toBeGreaterThan(4.2);
    expect(r.rtp.dtmf.map((d) => d.digit)).toEqual(['1', '1']);
    // registrations: alice challenged then registered; bob challenged and refused
    const alice = r.registrations.find((x) => x.aor.includes('alice@'))!;
    const bob = r.registrations.find((x) => x.aor.includes('bob@'))!;
    expect({ attempts: alice.attempts, challenges: alice.challenges, successes: alice.successes, failures: alice.failures }).toEqual({ attempts: 1, challenges: 1, successes: 1, failures: {} });
    expect({ attempts: bob.attempts, challenges: bob.challenges, successes: bob.successes, failures: bob.failures }).toEqual({ attempts: 1, challenges: 1, successes: 0, failures: { '401': 1 } });
    expect(alice.expiresSec).toBe(60);
  });

  test('capture B (UAC leg, --ndjson, SIGINT): one call line per call as it ends, then findings and the summary', () => {
    expect(b.proc.exitInfo?.code, b.stderr()).toBe(0);
    const events = b.lines.map((l) => ({ atMs: l.atMs, ev: JSON.parse(l.text) as Record<string, unknown> & { type: string } }));
    const types = events.map((e) => e.ev.type);
    const calls = events.filter((e) => e.ev.type === 'call');
    expect(calls).toHaveLength(3);
    // order: every call line, then the findings, then one summary line, last
    expect(types.at(-1)).toBe('summary');
    expect(types.filter((t) => t === 'summary')).toHaveLength(1);
    const lastCall = types.lastIndexOf('call');
    const firstOther = types.findIndex((t) => t !== 'call');
    expect(firstOther).toBeGreaterThan(lastCall);
    expect(types.slice(lastCall + 1, -1).every((t) => t === 'finding')).toBe(true);
    // as they end: each call line came within the capturer's delivery delay (tcpdump without
    // --immediate-mode hands packets over in ring blocks, ≤ 1 s) of sipp ending that call
    const summaryAt = events.at(-1)!.atMs;
    for (const run of [sipp.call, sipp.busy, sipp.cancel]) {
      const line = calls.find((c) => c.ev.callId === run.callIds[0]);
      expect(line, run.service).toBeDefined();
      expect(line!.atMs - run.endedAt, `${run.service}: call line after sipp ended it (ms)`).toBeLessThan(2000);
      expect(line!.atMs).toBeLessThan(summaryAt);
    }
    expect(summaryAt).toBeGreaterThan(bStopSentMs);
    // the busy call's line came out before the answered call had even ended
    const busyLine = calls.find((c) => c.ev.callId === sipp.busy.callIds[0]);
    expect(busyLine).toBeDefined();
    expect(busyLine!.atMs).toBeLessThan(sipp.call.endedAt);
    const byId = Object.fromEntries(calls.map((c) => [c.ev.callId as string, c.ev as unknown as CallRow]));
    expect(byId[sipp.call.callIds[0]!]?.finalStatus).toBe(200);
    expect(byId[sipp.call.callIds[0]!]?.endedBy).toBe('caller-bye');
    expect(byId[sipp.busy.callIds[0]!]?.finalStatus).toBe(486);
    expect(byId[sipp.cancel.callIds[0]!]?.finalStatus).toBe(487);
    expect(byId[sipp.cancel.callIds[0]!]?.endedBy).toBe('cancel');
    // and the rows match capture A's for the same calls: A sees both legs, but times come from
    // the caller's leg, which B sees too (two tcpdump sockets stamp a packet ≤ a few µs apart)
    for (const id of Object.keys(byId)) {
      const full = aEnv.result.calls.find((c) => c.callId === id)!;
      const leg = byId[id]!;
      expect(leg.finalStatus, id).toBe(full.finalStatus);
      expect(leg.endedBy, id).toBe(full.endedBy);
      for (const k of ['srdMs', 'setupMs', 'durationMs', 'sddMs'] as const) {
        if (full[k] === null) expect(leg[k], `${id} ${k}`).toBeNull();
        else expect(Math.abs((leg[k] ?? NaN) - full[k]), `${id} ${k}`).toBeLessThan(0.05);
      }
    }
  });

  test("capture B's summary counts every SIP message sipp sent and received, by method and status", () => {
    const summary = JSON.parse(b.lines.at(-1)!.text) as { sip: AnalyzeResult['sip']; capture: AnalyzeResult['capture'] };
    const all = Object.values(sipp).flatMap((r) => r.messages);
    expect(summary.sip.messages).toBe(all.length);
    const methods = count(all.filter((m) => m.status === null), (m) => m.method);
    const codes = count(all.filter((m) => m.status !== null), (m) => String(m.status));
    expect(summary.sip.methods).toEqual(methods);
    expect(summary.sip.statusCodes).toEqual(codes);
    expect(summary.capture.drops?.dropped).toBe(0);
  });
});

describe.skipIf(!labAvailable() || !built)('capture: failures an operator can act on', () => {
  useLabSafetyNet();

  /**
   * How to run the CLI without capture privileges: as nobody (runuser), when nobody can read the
   * project tree; otherwise (a checkout under a private home) as root with CAP_NET_RAW and
   * CAP_NET_ADMIN removed from the bounding set, which tcpdump meets the same way.
   */
  async function unprivileged(): Promise<[string, string[]]> {
    const canRead = async (f: string) => (await run('runuser', ['-u', 'nobody', '--', 'test', '-r', f], { timeoutMs: 10_000 })).code === 0;
    if ((await canRead(join(ROOT, 'dist', 'commands', 'capture.js'))) && (await canRead(join(ROOT, 'node_modules', '@oclif', 'core', 'package.json')))) {
      return ['runuser', ['-u', 'nobody', '--', process.execPath]];
    }
    console.warn(`capture: ${ROOT} is not readable by nobody; testing as root without CAP_NET_RAW/CAP_NET_ADMIN instead`);
    return ['setpriv', ['--bounding-set', '-net_raw,-net_admin', '--inh-caps', '-all', '--', process.execPath]];
  }

  test('unprivileged user: exit 4, says which capability or command fixes it, no stack trace', async () => {
    const [cmd, pre] = await unprivileged();
    const r = await run(cmd, [...pre, BIN, 'capture', '-i', 'lo', '--duration', '1'], { timeoutMs: 30_000, cwd: '/' });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/tcpdump may not capture on lo: permission denied/);
    expect(r.stderr).toMatch(/sudo/);
    expect(r.stderr).toMatch(/setcap cap_net_raw,cap_net_admin=eip/);
    expect(r.stderr).toMatch(/AmbientCapabilities=CAP_NET_RAW/);
    expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
    // the same as JSON: code and hints as data
    const j = await run(cmd, [...pre, BIN, 'capture', '-i', 'lo', '--duration', '1', '--json'], { timeoutMs: 30_000, cwd: '/' });
    expect(j.code).toBe(4);
    const env = JSON.parse(j.stdout) as Envelope;
    expect(env.status).toBe('error');
    expect(env.error?.code).toBe('CAPTURE_PERMISSION');
    expect(env.error?.hints.join('\n')).toMatch(/setcap/);
  });

  test('a missing interface: a clear usage error naming it, no stack trace', async () => {
    const r = await runCli(['capture', '-i', 'voipdiag-nope0', '--duration', '1']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no interface named voipdiag-nope0/);
    expect(r.stderr).toMatch(/ip -br link/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  test('a filter tcpdump rejects: a usage error quoting tcpdump', async () => {
    const r = await runCli(['capture', '-i', 'lo', '--duration', '1', '--filter', 'udp and port potato']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/capture filter was rejected/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

