/**
 * `voipdiag trace`: resolve the target, trace the path (FFI sockets with IP_RECVERR on Linux,
 * else mtr / traceroute), feed every probe into the hop statistics engine, judge loss vs rate
 * limiting, look for latency steps and detours, and — when SIP does not reach the target —
 * send UDP-to-another-port and ICMP control probes to find where SIP is filtered. Never prints;
 * per-round snapshots go to `onRound`.
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, networkError, usageError, VoipdiagError, type Warning } from '../errors.js';
import { loadLibc, type Libc, type LibcLoad } from '../net/trace/libc.js';
import { ProbeOpenError, runProber, type ProberOptions } from '../net/trace/prober.js';
import { pickIcmpSocket, type ProbeSocketKind } from '../net/trace/probe-socket.js';
import { runFallback, type FallbackOptions, type FallbackRun } from '../net/trace/fallback.js';
import { pingSipEnd, type SipEndSample } from '../net/trace/sip-end-ping.js';
import { resolveHost, reverseName, type ResolvedHost } from '../net/trace/resolve-host.js';
import { decodeSipAnswer, encodeOptionsProbe } from '../net/trace/sip-probe.js';
import { parseTarget } from '../probe/target.js';
import { builtinProfile, builtinProfileNames, emptyProfile, judge, parseProfileFile, withOverrides, type Profile } from '../report/profiles.js';
import { HopStatsEngine, rttSummary, type HopStats, type TraceSnapshot } from '../trace/hop-stats.js';
import {
  DEFAULT_JUDGE_OPTIONS,
  endToEnd,
  hopStatuses,
  sipFilteredFinding,
  traceFindings,
  type ControlPath,
  type HopStatus,
} from '../trace/judge.js';
import type { ProbeResult, TraceProto } from '../trace/probe.js';
import type { TraceHop, TraceMethod, TraceResult, TraceRoundEvent } from '../trace/result.js';

export type TraceBackend = 'auto' | 'ffi' | 'mtr' | 'traceroute';

export interface TraceOptions {
  /** HOST, an IP literal, or a sip: URI */
  target: string;
  proto: TraceProto;
  /** 0: whatever the name resolves to first */
  family: 0 | 4 | 6;
  /** UDP port (default 5060 for sip, 33434 for udp; a sip: URI's port wins over the default) */
  port?: number;
  rounds: number;
  intervalMs: number;
  maxHops: number;
  timeoutMs: number;
  resolve: boolean;
  backend: TraceBackend;
  stepMs?: number;
  maxLossPct?: number;
  maxRttMs?: number;
  /** built-in profile name or a YAML file */
  profile?: string;
  onRound?(e: TraceRoundEvent): void;
  onProgress?(text: string): void;
  signal?: AbortSignal;
}

/** The I/O the task composes; tests replace it. */
export interface TraceIo {
  loadLibc(): Promise<LibcLoad>;
  runProber: typeof runProber;
  runFallback(o: FallbackOptions): Promise<FallbackRun>;
  pingSipEnd: typeof pingSipEnd;
  resolveHost(host: string, family: 0 | 4 | 6): Promise<ResolvedHost>;
  reverseName(address: string): Promise<string | null>;
  readText(path: string): Promise<string>;
  now(): Date;
}

export const realTraceIo: TraceIo = {
  loadLibc,
  runProber,
  runFallback,
  pingSipEnd,
  resolveHost,
  reverseName: (a) => reverseName(a),
  readText: (p) => readFile(p, 'utf8'),
  now: () => new Date(),
};

export const UDP_DEFAULT_PORT = 33434;
export const SIP_DEFAULT_PORT = 5060;

export async function runTrace(opts: TraceOptions, io: TraceIo = realTraceIo): Promise<{ result: TraceResult; warnings: Warning[] }> {
  const warnings: Warning[] = [];
  checkLimits(opts);
  const parsed = parseTarget(opts.target);
  if (!parsed.ok) throw usageError('BAD_TARGET', parsed.message, ['give a host name, an IP address or a sip: URI, e.g. sip:pbx.example.com']);
  const t = parsed.value;
  const port = opts.proto === 'icmp' ? null : (opts.port ?? t.port ?? (opts.proto === 'sip' ? SIP_DEFAULT_PORT : UDP_DEFAULT_PORT));
  if (opts.family !== 0 && t.hostFamily !== 0 && t.hostFamily !== opts.family) {
    throw usageError('BAD_FLAG', `${t.host} is an IPv${t.hostFamily} address: --ipv${opts.family} does not apply`);
  }
  const resolved = await io.resolveHost(t.host, opts.family);
  if (!resolved.ok) throw networkError('RESOLVE_FAILED', resolved.message, ['check the name, or give an IP address']);
  const { address, family } = resolved;
  const profile = await loadProfile(opts, io);

  const started = io.now();
  const judgeOpts = { ...DEFAULT_JUDGE_OPTIONS, stepMs: opts.stepMs ?? DEFAULT_JUDGE_OPTIONS.stepMs };

  let snapshot: TraceSnapshot;
  let method: TraceMethod;
  let fallback = false;
  let note: string;
  let sipEnd: SipEndSample[] | null = null;
  const controls: ControlPath[] = [];

  const lib = opts.backend === 'auto' || opts.backend === 'ffi' ? await io.loadLibc() : null;
  if (lib && lib.ok) {
    const kind = socketKind(lib.libc, opts.proto, family);
    method = kind === 'udp' ? 'udp-recverr' : kind === 'icmp-ping' ? 'icmp-ping-socket' : 'icmp-raw-socket';
    opts.onProgress?.(`tracing ${address} (${opts.proto})`);
    snapshot = await traceWithFfi(lib.libc, io, { ...opts, kind, family, address, port: port ?? 0, emitRounds: true, host: t.host, user: t.user });
    note =
      kind === 'udp'
        ? `${opts.proto === 'sip' ? 'SIP OPTIONS' : 'UDP'} probes with rising TTL on unprivileged UDP sockets; ICMP errors read from the socket error queue (IP_RECVERR), RTT from kernel timestamps`
        : `ICMP echo with rising TTL on a ${kind === 'icmp-ping' ? 'ping socket' : 'raw socket'}; RTT from kernel timestamps`;
    if (opts.proto === 'sip' && snapshot.destinationTtl === null && snapshot.terminalTtl === null) {
      opts.onProgress?.('SIP did not reach the target: sending control probes');
      controls.push(...(await controlPaths(lib.libc, io, { ...opts, family, address, port: port ?? SIP_DEFAULT_PORT })));
    }
  } else {
    if (opts.backend === 'ffi') throw networkError('FFI_UNAVAILABLE', `trace cannot use its own sockets here: ${lib && !lib.ok ? lib.reason : 'not loaded'}`, ['use --backend auto to fall back to mtr or traceroute']);
    const reason = lib && !lib.ok ? lib.reason : `--backend ${opts.backend}`;
    const tools: ('mtr' | 'traceroute')[] = opts.backend === 'traceroute' ? ['traceroute'] : opts.backend === 'mtr' ? ['mtr'] : ['mtr', 'traceroute'];
    let run: FallbackRun | null = null;
    const failures: string[] = [];
    for (const tool of tools) {
      opts.onProgress?.(`tracing ${address} with ${tool}`);
      run = await io.runFallback({ tool, proto: opts.proto, family, target: address, port: port ?? UDP_DEFAULT_PORT, rounds: opts.rounds, intervalMs: opts.intervalMs, maxHops: opts.maxHops, timeoutMs: opts.timeoutMs, signal: opts.signal });
      if (run.ok) break;
      failures.push(run.reason);
    }
    if (!run || !run.ok) {
      throw networkError('TRACE_UNAVAILABLE', `no way to trace here: ${reason}; ${failures.join('; ')}`, [
        'on Linux, reinstall so the koffi prebuilt binary is present (npm ci)',
        'or install mtr (Debian: mtr-tiny) or traceroute',
      ]);
    }
    method = run.tool;
    fallback = true;
    snapshot = fallbackSnapshot(run, address, opts.proto);
    if (opts.proto === 'sip') {
      sipEnd = await io.pingSipEnd({ family, target: address, port: port ?? SIP_DEFAULT_PORT, count: opts.rounds, intervalMs: opts.intervalMs, timeoutMs: opts.timeoutMs, signal: opts.signal });
    }
    note =
      `fallback (${reason}): the path was traced by ${run.note}` +
      (opts.proto === 'sip' ? `, the end checked by ${opts.rounds} direct SIP OPTIONS (RTT timed in JavaScript)` : '');
    warnings.push({ code: 'TRACE_FALLBACK', message: `traced with ${run.tool} instead of voipdiag's own sockets (${reason})` });
  }

  const statuses = hopStatuses(snapshot);
  const hops = await Promise.all(snapshot.hops.map(async (h) => toTraceHop(h, statuses.get(h.ttl) ?? 'ok', opts.resolve && h.address ? await io.reverseName(h.address) : null)));
  const e2e = endToEnd(snapshot);
  let destination: TraceResult['destination'];
  const destHop = snapshot.hops.find((h) => h.isDestination);
  if (sipEnd) {
    const rtts = sipEnd.map((s) => s.rttMs);
    const got = rtts.filter((x): x is number => x !== null);
    const summary = rttSummary(got);
    const lastSip = [...sipEnd].reverse().find((s) => s.sip)?.sip ?? null;
    destination = {
      reached: got.length > 0 || e2e.reached,
      answered: got.length > 0,
      ttl: e2e.ttl,
      answeredBy: got.length > 0 ? 'sip' : e2e.answeredBy,
      sent: sipEnd.length,
      received: got.length,
      lossPct: sipEnd.length > 0 ? Math.round(((sipEnd.length - got.length) / sipEnd.length) * 100000) / 1000 : null,
      rttMs: { best: summary.bestMs, avg: summary.avgMs, worst: summary.worstMs, stdev: summary.stdevMs, jitter: summary.jitterMs },
      address,
      sip: lastSip,
    };
  } else {
    const answered =
      e2e.reached && (opts.proto === 'sip' ? e2e.answeredBy === 'sip' : opts.proto === 'icmp' ? e2e.answeredBy === 'echo-reply' : true);
    destination = { ...e2e, answered, address, sip: destHop?.sip ?? null };
  }

  const findings = traceFindings(snapshot, statuses, judgeOpts);
  if (opts.proto === 'sip') {
    const f = sipFilteredFinding(snapshot, port ?? SIP_DEFAULT_PORT, controls);
    if (f) findings.push(f);
  }

  const hopLoss = hops.filter((h) => h.status === 'loss').map((h) => h.lossPct);
  const breaches = judge(
    {
      rtt_ms: destination.rttMs.avg,
      loss_pct: destination.lossPct,
      jitter_ms: destination.rttMs.jitter,
      hop_loss_pct: hopLoss.length > 0 ? Math.max(...hopLoss) : 0,
    },
    profile,
  );

  const result: TraceResult = {
    target: { input: opts.target, host: t.host, address, family, proto: opts.proto, port },
    method: { name: method, fallback, note },
    settings: { rounds: opts.rounds, intervalMs: opts.intervalMs, maxHops: opts.maxHops, timeoutMs: opts.timeoutMs, resolve: opts.resolve },
    startedAt: started.toISOString(),
    durationMs: io.now().getTime() - started.getTime(),
    hops,
    destination,
    controls,
    findings,
    thresholds: { profile: profile.name === 'none' ? null : profile.name, breaches },
  };
  return { result, warnings };
}

function checkLimits(o: TraceOptions): void {
  const bad = (flag: string, what: string) => usageError('BAD_FLAG', `${flag} ${what}`);
  if (!Number.isInteger(o.rounds) || o.rounds < 1 || o.rounds > 1000) throw bad('--rounds', 'must be 1–1000');
  if (!Number.isInteger(o.maxHops) || o.maxHops < 1 || o.maxHops > 64) throw bad('--max-hops', 'must be 1–64');
  if (!(o.intervalMs >= 10 && o.intervalMs <= 60_000)) throw bad('--interval', 'must be 10ms–60s');
  if (!(o.timeoutMs >= 10 && o.timeoutMs <= 30_000)) throw bad('--timeout', 'must be 10ms–30s');
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535)) throw bad('--port', 'must be 1–65535');
  if (o.proto === 'icmp' && o.port !== undefined) throw bad('--port', 'does not apply to --proto icmp');
}

async function loadProfile(o: TraceOptions, io: TraceIo): Promise<Profile> {
  let base = emptyProfile();
  if (o.profile !== undefined) {
    const builtin = builtinProfile(o.profile);
    if (builtin) base = builtin;
    else {
      let text: string;
      try {
        text = await io.readText(o.profile);
      } catch {
        throw usageError('BAD_PROFILE', `--profile ${o.profile}: neither a built-in profile (${builtinProfileNames().join(', ')}) nor a readable file`);
      }
      const p = parseProfileFile(text, o.profile);
      if (!p.ok) throw new VoipdiagError('BAD_PROFILE', p.message, { exitCode: ExitCode.badInput });
      base = p.value;
    }
  }
  return withOverrides(base, { loss_pct: o.maxLossPct, rtt_ms: o.maxRttMs });
}

function socketKind(libc: Libc, proto: TraceProto, family: 4 | 6): ProbeSocketKind {
  if (proto !== 'icmp') return 'udp';
  const pick = pickIcmpSocket(libc, family);
  if (pick.ok) return pick.kind;
  throw networkError('ICMP_NOT_PERMITTED', `ICMP probes need a ping socket or a raw socket, and this user may open neither (${libc.strerror(pick.errno)})`, [
    'allow ping sockets for your group: sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"',
    `give node the raw-socket capability: sudo setcap cap_net_raw+ep ${process.execPath}`,
    'run voipdiag with sudo',
    'or trace with --proto udp or --proto sip, which need no privileges',
  ]);
}

interface FfiRun {
  kind: ProbeSocketKind;
  family: 4 | 6;
  address: string;
  host: string;
  user?: string;
  port: number;
  rounds: number;
  intervalMs: number;
  maxHops: number;
  timeoutMs: number;
  proto: TraceProto;
  emitRounds: boolean;
  onRound?(e: TraceRoundEvent): void;
  signal?: AbortSignal;
}

async function traceWithFfi(libc: Libc, io: TraceIo, r: FfiRun): Promise<TraceSnapshot> {
  const engine = new HopStatsEngine({ target: r.address, proto: r.proto });
  const sip = r.proto === 'sip';
  const po: ProberOptions = {
    kind: r.kind,
    family: r.family,
    target: r.address,
    port: r.port,
    rounds: r.rounds,
    intervalMs: r.intervalMs,
    maxHops: r.maxHops,
    timeoutMs: r.timeoutMs,
    payload: sip ? (local, ttl) => encodeOptionsProbe({ host: r.host, port: r.port, user: r.user }, local, ttl) : undefined,
    decodeSip: sip ? decodeSipAnswer : undefined,
    onResult: (p) => engine.push(p),
    onRoundComplete: r.emitRounds && r.onRound ? (round) => r.onRound!(roundEvent(round, engine.snapshot())) : undefined,
    signal: r.signal,
  };
  try {
    await io.runProber(libc, po);
  } catch (err) {
    if (err instanceof ProbeOpenError) {
      throw networkError('PROBE_SOCKET_FAILED', `cannot send probes to ${r.address}: ${err.step}: ${libc.strerror(err.errno)}`, [
        r.family === 6 ? 'check that this host has IPv6 connectivity (a route to the target)' : 'check that this host has a route to the target',
      ]);
    }
    throw err;
  }
  return engine.snapshot();
}

function roundEvent(round: number, s: TraceSnapshot): TraceRoundEvent {
  const st = hopStatuses(s);
  return {
    type: 'round',
    round,
    hops: s.hops.map((h) => ({
      ttl: h.ttl,
      address: h.address,
      sent: h.sent,
      received: h.received,
      lossPct: h.lossPct,
      lastMs: h.lastMs,
      avgMs: h.avgMs,
      bestMs: h.bestMs,
      worstMs: h.worstMs,
      answeredBy: h.answeredBy,
      status: st.get(h.ttl) ?? 'ok',
    })),
  };
}

/** UDP to another port and ICMP echo, a few rounds each, to see whether they pass where SIP stops. */
async function controlPaths(libc: Libc, io: TraceIo, o: TraceOptions & { family: 4 | 6; address: string; port: number }): Promise<ControlPath[]> {
  const out: ControlPath[] = [];
  const base = { rounds: Math.min(o.rounds, 3), intervalMs: Math.min(o.intervalMs, 500), maxHops: o.maxHops, timeoutMs: o.timeoutMs, signal: o.signal };
  const udpPort = o.port === UDP_DEFAULT_PORT ? UDP_DEFAULT_PORT + 1 : UDP_DEFAULT_PORT;
  const runs: { proto: TraceProto; kind: ProbeSocketKind | null; port: number | null }[] = [{ proto: 'udp', kind: 'udp', port: udpPort }];
  const icmp = pickIcmpSocket(libc, o.family);
  if (icmp.ok) runs.push({ proto: 'icmp', kind: icmp.kind, port: null });
  for (const r of runs) {
    const s = await traceWithFfi(libc, io, { ...base, kind: r.kind!, family: o.family, address: o.address, host: o.address, port: r.port ?? 0, proto: r.proto, emitRounds: false });
    const last = [...s.hops].reverse().find((h) => h.received > 0);
    out.push({ proto: r.proto, port: r.port, reached: s.destinationTtl !== null, lastTtl: last?.ttl ?? null, lastAddress: last?.address ?? null });
  }
  return out;
}

function fallbackSnapshot(run: Extract<FallbackRun, { ok: true }>, target: string, proto: TraceProto): TraceSnapshot {
  if (run.results) {
    const engine = new HopStatsEngine({ target, proto });
    for (const r of run.results as ProbeResult[]) engine.push(r);
    return engine.snapshot();
  }
  const hops: HopStats[] = run.hops ?? [];
  const dest = hops.find((h) => h.isDestination);
  const cut = dest ? hops.filter((h) => h.ttl <= dest.ttl) : hops;
  return { target, proto, rounds: Math.max(0, ...cut.map((h) => h.sent)), destinationTtl: dest?.ttl ?? null, terminalTtl: null, hops: cut };
}

function toTraceHop(h: HopStats, status: HopStatus, name: string | null): TraceHop {
  return {
    ttl: h.ttl,
    address: h.address,
    name,
    addresses: h.addresses,
    sent: h.sent,
    received: h.received,
    lossPct: h.lossPct,
    lastMs: h.lastMs,
    bestMs: h.bestMs,
    avgMs: h.avgMs,
    worstMs: h.worstMs,
    stdevMs: h.stdevMs,
    jitterMs: h.jitterMs,
    answers: h.answers,
    answeredBy: h.answeredBy,
    status,
    isDestination: h.isDestination,
    sip: h.sip,
  };
}
