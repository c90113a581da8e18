/**
 * startKamailio(): the lab's proxy/registrar (test/harness/kamailio/kamailio.cfg) in the
 * foreground (-DD -E, workers forked), runtime dir + pid file + log + self-signed TLS cert in a
 * temp dir, listening on 127.0.0.1 and [::1] (UDP/TCP on `ports.sip`, TLS on `ports.tls`).
 * Ready = it answers an OPTIONS over UDP. stop() = SIGTERM by PID, SIGKILL after a grace period,
 * wait for the main process and its workers to be gone.
 */
import { closeSync, openSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { KAMAILIO_CFG, makeTempDir } from './env.js';
import { labPorts, busyLabPorts, portFree, type LabPorts } from './ports.js';
import { childPidsOf, isPidAlive, runOk, sleep, spawnTracked, stopTracked, waitExit } from './procs.js';
import { sipOptions, sipOptionsInNetns, uriHost } from './sip.js';

export interface KamailioOptions {
  /** Port plan (default labPorts()); kamailio uses .sip, .tls, and targets .uas / .dead. */
  ports?: LabPorts;
  /** IPv4 listen address (default 127.0.0.1). */
  ipv4?: string;
  /** IPv6 listen address (default ::1); false = IPv4 only. */
  ipv6?: string | false;
  /** TLS listener with a self-signed cert (default true). */
  tls?: boolean;
  /** Where the sipp UAS peers listen (default: ipv4). */
  uasHost?: string;
  /** fr_inv timer for sip:noanswer@ before kamailio CANCELs and answers 408 (default 3000). */
  noAnswerMs?: number;
  /** fr timer for sip:dead@ (closed port) before 408 (default 2000). */
  deadMs?: number;
  /** kamailio debug level (default 2; 3 = debug). */
  logLevel?: number;
  /** Run inside this network namespace (readiness then probes from inside it). */
  netns?: string;
  readyTimeoutMs?: number;
  /** Extra kamailio arguments, e.g. ['-A', 'FOO=1']. */
  extraArgs?: string[];
}

export interface KamailioHandle {
  pid: number;
  /** Main pid + the workers it forked (as seen right after readiness). */
  pids: number[];
  host: string;
  host6: string | null;
  ports: { udp: number; tcp: number; tls: number | null };
  dir: string;
  logFile: string;
  pidFile: string;
  certFile: string | null;
  /** ms from spawn to the first 200 OK to OPTIONS */
  readyMs: number;
  /** Current log text. */
  log(): string;
  /** SIGTERM by pid, SIGKILL after graceMs (default 5000); resolves when all its processes are gone. */
  stop(graceMs?: number): Promise<{ stopMs: number; killed: boolean }>;
}

async function makeCert(dir: string, ips: string[]): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const san = [...ips.map((ip) => `IP:${ip}`), 'DNS:localhost'].join(',');
  await runOk('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-keyout', key, '-out', cert, '-subj', `/CN=${ips[0] ?? '127.0.0.1'}`, '-addext', `subjectAltName=${san}`,
  ]);
  return { cert, key };
}

export async function startKamailio(opts: KamailioOptions = {}): Promise<KamailioHandle> {
  const ports = opts.ports ?? labPorts();
  const ipv4 = opts.ipv4 ?? '127.0.0.1';
  const ipv6 = opts.ipv6 === undefined ? '::1' : opts.ipv6;
  const tls = opts.tls ?? true;
  const uasHost = uriHost(opts.uasHost ?? ipv4);

  if (!opts.netns) {
    for (const [port, tcp] of [[ports.sip, true], ...(tls ? [[ports.tls, true]] : [])] as [number, boolean][]) {
      if (!(await portFree(port, { host: ipv4, tcp }))) {
        throw new Error(`kamailio: port ${port} on ${ipv4} is already in use (another lab instance? try labPorts(offset) / pickLabPorts())`);
      }
    }
  }

  const tmp = makeTempDir('kamailio');
  const dir = tmp.dir;
  const logFile = join(dir, 'kamailio.log');
  const pidFile = join(dir, 'kamailio.pid');
  const args = ['-f', KAMAILIO_CFG, '-DD', '-E', '-Y', dir, '-P', pidFile, '-m', '64', '-M', '8'];
  const hosts = [ipv4, ...(ipv6 ? [ipv6] : [])];
  for (const h of hosts) {
    args.push('-l', `udp:${uriHost(h)}:${ports.sip}`, '-l', `tcp:${uriHost(h)}:${ports.sip}`);
  }
  let certFile: string | null = null;
  if (tls) {
    const { cert, key } = await makeCert(dir, hosts);
    certFile = cert;
    for (const h of hosts) args.push('-l', `tls:${uriHost(h)}:${ports.tls}`);
    args.push('-A', 'WITH_TLS', '-A', `TLS_CERT="${cert}"`, '-A', `TLS_KEY="${key}"`);
  }
  args.push(
    '-A', `UAS_ECHO="sip:${uasHost}:${ports.uas.echo}"`,
    '-A', `UAS_BUSY="sip:${uasHost}:${ports.uas.busy}"`,
    '-A', `UAS_NOANSWER="sip:${uasHost}:${ports.uas.noanswer}"`,
    '-A', `UAS_DEAD="sip:${uasHost}:${ports.dead}"`,
    '-A', `NOANSWER_MS=${opts.noAnswerMs ?? 3000}`,
    '-A', `DEAD_MS=${opts.deadMs ?? 2000}`,
    '-A', `LOG_LEVEL=${opts.logLevel ?? 2}`,
    ...(opts.extraArgs ?? []),
  );

  const logFd = openSync(logFile, 'a');
  const t0 = Date.now();
  let proc;
  try {
    proc = spawnTracked('kamailio', 'kamailio', args, { stdio: ['ignore', logFd, logFd], netns: opts.netns, cwd: dir, group: true });
  } finally {
    closeSync(logFd);
  }
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  // readiness: a 200 to OPTIONS over UDP
  const deadline = t0 + (opts.readyTimeoutMs ?? 10_000);
  let readyMs = -1;
  while (Date.now() < deadline) {
    if (proc.exitInfo) break;
    let status: number | null = null;
    if (opts.netns) {
      status = await sipOptionsInNetns(opts.netns, ipv4, ports.sip, 500);
    } else {
      status = await sipOptions({ host: ipv4, port: ports.sip, timeoutMs: 300 })
        .then((r) => r.status)
        .catch(() => null);
    }
    if (status === 200) {
      readyMs = Date.now() - t0;
      break;
    }
    await sleep(50);
  }
  if (readyMs < 0) {
    await stopTracked(proc, { graceMs: 2000 });
    const tail = log().split('\n').slice(-25).join('\n');
    const why = proc.exitInfo ? `exited (code ${proc.exitInfo.code}, signal ${proc.exitInfo.signal})` : 'did not answer OPTIONS';
    const busy = opts.netns ? [] : await busyLabPorts(ports).catch(() => [] as number[]);
    tmp.remove();
    throw new Error(`kamailio ${why}; busy lab ports: ${busy.join(',') || 'none'}; log tail:\n${tail}`);
  }

  const main = proc;
  const pids = [main.pid, ...childPidsOf(main.pid)];
  let stopped: Promise<{ stopMs: number; killed: boolean }> | null = null;

  const handle: KamailioHandle = {
    pid: main.pid,
    pids,
    host: ipv4,
    host6: ipv6 || null,
    ports: { udp: ports.sip, tcp: ports.sip, tls: tls ? ports.tls : null },
    dir,
    logFile,
    pidFile,
    certFile,
    readyMs,
    log,
    stop(graceMs = 5000) {
      stopped ??= (async () => {
        const s0 = Date.now();
        const workers = [...new Set([...pids.slice(1), ...childPidsOf(main.pid)])];
        const r = await stopTracked(main, { signal: 'SIGTERM', graceMs });
        // the workers die with the main process; make sure (they are ours)
        for (let i = 0; i < 40 && workers.some(isPidAlive); i++) await sleep(50);
        for (const w of workers.filter(isPidAlive)) {
          try {
            process.kill(w, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        await waitExit(main, 100);
        const stopMs = Date.now() - s0;
        tmp.remove();
        return { stopMs, killed: r.killed };
      })();
      return stopped;
    },
  };
  return handle;
}
