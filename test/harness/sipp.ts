/**
 * sipp peers for the lab, with the harness's own scenarios (test/harness/sipp/*.xml).
 *  - startSippUas(kind): a long-running UAS (echo with -rtp_echo, busy 486, noanswer, options),
 *    each with its own SIP, media (-mp) and control (-cp) port, bounded by -m and -timeout.
 *    Ready = its UDP SIP port is bound by that PID (ss -Hlunp).
 *  - runSippUac(scenario, opts): one bounded sipp client run (-m, -timeout -timeout_error),
 *    in a temp dir holding audio/ (RTP sources cut from the Debian sip-tester pcaps at run
 *    time), with the message trace parsed into the responses seen.
 */
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIPP_SCENARIO_DIR, SIP_TESTER_SHARE, makeTempDir } from './env.js';
import { allocatePort, labPorts, pidBoundUdp, type LabPorts, type PortRange, type UasKind } from './ports.js';
import { sleep, spawnTracked, stopTracked, waitExit } from './procs.js';
import { cutPcap } from './pcapfile.js';
import { uriHost } from './sip.js';

export interface SippUasOptions {
  ports?: LabPorts;
  /** local address (default 127.0.0.1) */
  ip?: string;
  netns?: string;
  /** -m: calls served before it exits (default 1000) */
  maxCalls?: number;
  /** -timeout: lifetime in s (default 600) */
  lifetimeS?: number;
  /** echo only: ringing time between 180 and 200 (default 200 ms) */
  ringMs?: number;
  readyTimeoutMs?: number;
  /** override the SIP / media / control port of this kind */
  port?: number;
  mediaPort?: number;
  controlPort?: number;
}

export interface SippUasHandle {
  kind: UasKind;
  pid: number;
  ip: string;
  port: number;
  mediaPort: number;
  controlPort: number;
  dir: string;
  logFile: string;
  errorFile: string;
  readyMs: number;
  /** Text sipp wrote so far (stdout+stderr). */
  log(): string;
  stop(graceMs?: number): Promise<{ stopMs: number; killed: boolean; code: number | null }>;
}

const UAS_SCENARIO: Record<UasKind, string> = {
  echo: 'uas_echo.xml',
  busy: 'uas_busy.xml',
  noanswer: 'uas_noanswer.xml',
  options: 'uas_options.xml',
};

function readText(f: string): string {
  return existsSync(f) ? readFileSync(f, 'latin1') : '';
}

export async function startSippUas(kind: UasKind, opts: SippUasOptions = {}): Promise<SippUasHandle> {
  const ports = opts.ports ?? labPorts();
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? ports.uas[kind];
  const mediaPort = opts.mediaPort ?? ports.uasMedia[kind];
  const controlPort = opts.controlPort ?? ports.uasControl[kind];
  const tmp = makeTempDir(`sipp-uas-${kind}`);
  const logFile = join(tmp.dir, 'sipp.log');
  const errorFile = join(tmp.dir, 'errors.log');
  const args = [
    '-sf', join(SIPP_SCENARIO_DIR, UAS_SCENARIO[kind]),
    '-i', ip, '-p', String(port), '-mi', ip, '-mp', String(mediaPort), '-cp', String(controlPort),
    '-nostdin', '-m', String(opts.maxCalls ?? 1000), '-timeout', `${opts.lifetimeS ?? 600}s`,
    '-trace_err', '-error_file', errorFile,
  ];
  if (kind === 'echo') args.push('-rtp_echo', '-d', String(opts.ringMs ?? 200));

  const fd = openSync(logFile, 'a');
  const t0 = Date.now();
  let proc;
  try {
    proc = spawnTracked(`sipp-uas-${kind}`, 'sipp', args, { cwd: tmp.dir, stdio: ['ignore', fd, fd], netns: opts.netns });
  } finally {
    closeSync(fd);
  }
  const deadline = t0 + (opts.readyTimeoutMs ?? 5000);
  let readyMs = -1;
  while (Date.now() < deadline && !proc.exitInfo) {
    if (await pidBoundUdp(proc.pid, port, opts.netns)) {
      readyMs = Date.now() - t0;
      break;
    }
    await sleep(25);
  }
  if (readyMs < 0) {
    await stopTracked(proc, { graceMs: 1000 });
    const text = readText(logFile).slice(-2000);
    tmp.remove();
    throw new Error(
      `sipp UAS ${kind} not ready on ${ip}:${port} (${proc.exitInfo ? `exit ${proc.exitInfo.code}${proc.exitInfo.code === 254 ? ': cannot bind, port in use' : ''}` : 'timeout'}):\n${text}`,
    );
  }
  let stopped: Promise<{ stopMs: number; killed: boolean; code: number | null }> | null = null;
  return {
    kind,
    pid: proc.pid,
    ip,
    port,
    mediaPort,
    controlPort,
    dir: tmp.dir,
    logFile,
    errorFile,
    readyMs,
    log: () => readText(logFile),
    stop(graceMs = 3000) {
      stopped ??= (async () => {
        const s0 = Date.now();
        const r = await stopTracked(proc, { signal: 'SIGTERM', graceMs });
        const stopMs = Date.now() - s0;
        tmp.remove();
        return { stopMs, killed: r.killed, code: r.code };
      })();
      return stopped;
    },
  };
}

/** Start several UAS kinds at once (default all four). */
export async function startSippUasSet(
  kinds: readonly UasKind[] = ['echo', 'busy', 'noanswer', 'options'],
  opts: SippUasOptions = {},
): Promise<Record<UasKind, SippUasHandle | undefined> & { stop(): Promise<void>; all: SippUasHandle[] }> {
  const started = await Promise.allSettled(kinds.map((k) => startSippUas(k, opts)));
  const all = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(all.map((u) => u.stop()));
    throw failed.reason;
  }
  const byKind = Object.fromEntries(all.map((u) => [u.kind, u])) as Record<UasKind, SippUasHandle | undefined>;
  return Object.assign(byKind, {
    all,
    async stop() {
      await Promise.all(all.map((u) => u.stop()));
    },
  });
}

export type UacScenario = 'call' | 'fail' | 'cancel' | 'register' | 'options';

const UAC_SCENARIO: Record<UacScenario, string> = {
  call: 'uac_call.xml',
  fail: 'uac_fail.xml',
  cancel: 'uac_cancel.xml',
  register: 'uac_register.xml',
  options: 'uac_options.xml',
};

export interface SippUacOptions {
  /** -s: user part of the Request-URI (echo, busy, noanswer, dead, authtest, alice...) */
  service: string;
  /** host:port to send to (default: kamailio of the port plan on 127.0.0.1) */
  target?: string;
  ports?: LabPorts;
  transport?: 'udp' | 'tcp';
  /** local address for SIP and media (default 127.0.0.1) */
  localIp?: string;
  netns?: string;
  /** -m (default 1) */
  calls?: number;
  /** -r calls per second (sipp default 10) */
  rate?: number;
  /** -l max simultaneous calls */
  concurrency?: number;
  /** -au / -ap (register, authtest) */
  authUser?: string;
  authPass?: string;
  /** register: Expires value (default 300) */
  expires?: number;
  /** cancel: ringing time before the CANCEL (default 500 ms) */
  ringMs?: number;
  /** call: number of 30 ms PCMA packets from g711a.pcap (default 67 = 2 s; max 236) */
  audioPackets?: number;
  /** call: RFC 2833 digit played after the voice (0-9, star, pound; default 1) */
  dtmfDigit?: string;
  /** -timeout in s (default depends on the scenario) */
  timeoutS?: number;
  /** fixed ports instead of allocating from the plan's UAC ranges */
  sipPort?: number;
  mediaPort?: number;
  controlPort?: number;
  extraArgs?: string[];
  /** keep the run dir (messages.log, stats.csv...) after the run */
  keepDir?: boolean;
}

export interface SippMessage {
  direction: 'sent' | 'received';
  /** epoch seconds as printed by sipp */
  time: number;
  firstLine: string;
  /** status code of a response, else null */
  status: number | null;
  /** method of a request, or the CSeq method of a response */
  method: string;
  callId: string;
  cseq: string;
  text: string;
}

export interface SippStats {
  created: number;
  successful: number;
  failed: number;
  /** last cumulative row of -trace_stat (column name -> value) */
  raw: Record<string, string>;
}

export interface SippUacResult {
  scenario: UacScenario;
  service: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  stdout: string;
  stats: SippStats;
  /** every SIP message sipp sent/received, in order */
  messages: SippMessage[];
  /** status codes received, in order */
  responses: number[];
  /** Call-IDs used (one per call) */
  callIds: string[];
  sipPort: number;
  mediaPort: number;
  controlPort: number;
  startedAt: number;
  endedAt: number;
  /** the run dir (only left on disk with keepDir) */
  dir: string;
  /** voice packets played per call (call scenario) */
  audioPackets: number;
}

/** Parse a sipp -trace_msg file. */
export function parseSippMessages(text: string): SippMessage[] {
  const out: SippMessage[] = [];
  const blocks = text.split(/^-{20,}[^\n]*\n/m);
  const stamps = [...text.matchAll(/^-{20,}\s*([^\n]*)\n/gm)].map((m) => m[1] ?? '');
  blocks.slice(1).forEach((block, i) => {
    const head = /^(?:UDP|TCP|TLS|SCTP)? ?message (sent|received)[^\n]*\n\n?/.exec(block);
    if (!head) return;
    const body = block.slice(head[0].length).replace(/\n+$/, '');
    const firstLine = body.split('\n', 1)[0]?.trim() ?? '';
    const status = /^SIP\/2\.0 (\d{3})/.exec(firstLine);
    const cseq = /^CSeq:\s*(\d+\s+\S+)/im.exec(body)?.[1] ?? '';
    const ts = /(\d{4})-(\d\d)-(\d\d)\s+(\d\d):(\d\d):(\d\d)(\.\d+)?/.exec(stamps[i] ?? '');
    out.push({
      direction: head[1] === 'sent' ? 'sent' : 'received',
      // sipp prints local time
      time: ts
        ? new Date(+ts[1]!, +ts[2]! - 1, +ts[3]!, +ts[4]!, +ts[5]!, +ts[6]!).getTime() / 1000 + Number(ts[7] ?? 0)
        : NaN,
      firstLine,
      status: status ? Number(status[1]) : null,
      method: status ? (cseq.split(/\s+/)[1] ?? '') : (firstLine.split(' ')[0] ?? ''),
      callId: /^(?:Call-ID|i):\s*(\S+)/im.exec(body)?.[1] ?? '',
      cseq,
      text: body,
    });
  });
  return out;
}

function parseStats(file: string): SippStats {
  const lines = readText(file).split('\n').filter((l) => l.includes(';'));
  const header = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  const raw: Record<string, string> = {};
  if (lines.length >= 2) header.forEach((h, i) => h && (raw[h] = last[i] ?? ''));
  const n = (k: string) => Number(raw[k] ?? NaN);
  return { created: n('TotalCallCreated'), successful: n('SuccessfulCall(C)'), failed: n('FailedCall(C)'), raw };
}

const DEFAULT_TIMEOUT_S: Record<UacScenario, number> = { call: 40, fail: 60, cancel: 30, register: 15, options: 10 };

/** Run one bounded sipp UAC and collect what happened. Never throws for a failed call: check exitCode. */
export async function runSippUac(scenario: UacScenario, opts: SippUacOptions): Promise<SippUacResult> {
  const ports = opts.ports ?? labPorts();
  const localIp = opts.localIp ?? '127.0.0.1';
  const target = opts.target ?? `${uriHost('127.0.0.1')}:${ports.sip}`;
  const tmp = makeTempDir(`sipp-uac-${scenario}`);
  const allocs: { release(): void }[] = [];
  try {
    const take = async (fixed: number | undefined, range: PortRange, o: { step?: number; span?: number; tcp?: boolean } = {}): Promise<number> => {
      if (fixed !== undefined) return fixed;
      const a = await allocatePort(range, o);
      allocs.push(a);
      return a.port;
    };
    const sipPort = await take(opts.sipPort, ports.uacSip, { tcp: opts.transport === 'tcp' });
    const mediaPort = await take(opts.mediaPort, ports.uacMedia, { step: 10, span: 4 });
    const controlPort = await take(opts.controlPort, ports.uacControl);

    const calls = opts.calls ?? 1;
    const messagesFile = join(tmp.dir, 'messages.log');
    const statsFile = join(tmp.dir, 'stats.csv');
    const args = [
      '-sf', join(SIPP_SCENARIO_DIR, UAC_SCENARIO[scenario]),
      '-s', opts.service, target,
      '-i', localIp, '-p', String(sipPort), '-mi', localIp, '-mp', String(mediaPort), '-cp', String(controlPort),
      '-t', opts.transport === 'tcp' ? 't1' : 'u1',
      '-m', String(calls), '-nostdin',
      '-timeout', `${opts.timeoutS ?? DEFAULT_TIMEOUT_S[scenario] + (calls - 1) * 10}s`, '-timeout_error',
      '-trace_msg', '-message_file', messagesFile,
      '-trace_stat', '-stf', statsFile, '-fd', '1',
      '-trace_err', '-error_file', join(tmp.dir, 'errors.log'),
    ];
    if (opts.rate !== undefined) args.push('-r', String(opts.rate));
    if (opts.concurrency !== undefined) args.push('-l', String(opts.concurrency));
    if (opts.authUser !== undefined) args.push('-au', opts.authUser);
    if (opts.authPass !== undefined) args.push('-ap', opts.authPass);
    // a refused REGISTER must not be followed by sipp's default clean-up BYE
    if (scenario === 'register') args.push('-key', 'expires', String(opts.expires ?? 300), '-default_behaviors', 'all,-bye');

    let audioPackets = 0;
    if (scenario === 'call') {
      const audio = join(tmp.dir, 'audio');
      mkdirSync(audio);
      const cut = cutPcap(join(SIP_TESTER_SHARE, 'g711a.pcap'), join(audio, 'voice.pcap'), Math.max(1, Math.min(opts.audioPackets ?? 67, 236)));
      audioPackets = cut.packets;
      copyFileSync(join(SIP_TESTER_SHARE, `dtmf_2833_${opts.dtmfDigit ?? '1'}.pcap`), join(audio, 'dtmf.pcap'));
      // talk time: the voice (last packet time + one ptime) + 300 ms, then the digit
      args.push('-d', String(Math.round(cut.durationS * 1000) + 30 + 300));
    } else if (scenario === 'cancel') {
      args.push('-d', String(opts.ringMs ?? 500));
    }
    args.push(...(opts.extraArgs ?? []));

    const outFile = join(tmp.dir, 'stdout.log');
    const fd = openSync(outFile, 'a');
    const startedAt = Date.now();
    let proc;
    try {
      proc = spawnTracked(`sipp-uac-${scenario}-${opts.service}`, 'sipp', args, { cwd: tmp.dir, stdio: ['ignore', fd, fd], netns: opts.netns });
    } finally {
      closeSync(fd);
    }
    // sipp bounds itself with -timeout; this is the backstop if it hangs anyway
    const hardMs = ((opts.timeoutS ?? DEFAULT_TIMEOUT_S[scenario] + (calls - 1) * 10) + 15) * 1000;
    if (!(await waitExit(proc, hardMs))) await stopTracked(proc, { graceMs: 2000 });
    const info = await proc.exit;
    const endedAt = Date.now();

    const messages = parseSippMessages(readText(messagesFile));
    const callIds = [...new Set(messages.map((m) => m.callId).filter(Boolean))];
    return {
      scenario,
      service: opts.service,
      exitCode: info.code,
      signal: info.signal,
      durationMs: endedAt - startedAt,
      stdout: readText(outFile),
      stats: parseStats(statsFile),
      messages,
      responses: messages.filter((m) => m.direction === 'received' && m.status !== null).map((m) => m.status as number),
      callIds,
      sipPort,
      mediaPort,
      controlPort,
      startedAt,
      endedAt,
      dir: tmp.dir,
      audioPackets,
    };
  } finally {
    for (const a of allocs) a.release();
    if (!opts.keepDir) tmp.remove();
  }
}
