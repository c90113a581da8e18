/**
 * startTcpdump(): `tcpdump -i IFACE -s 0 -U --immediate-mode -n -Z root -w FILE FILTER`, spawned
 * directly (the PID is tcpdump's own; in a namespace `ip netns exec` execs it, same PID).
 * --immediate-mode: without it the last ~1 s of packets sits in the TPACKET_V3 ring block and is
 * lost when tcpdump is stopped right after a call. -Z root: otherwise the file belongs to user
 * tcpdump. Ready = "listening on" on stderr. stop() = SIGINT, then the "N packets captured /
 * N packets dropped by kernel" lines. Bounded: stopped by itself after maxSeconds.
 */
import { spawnTracked, stopTracked } from './procs.js';

export interface TcpdumpOptions {
  netns?: string;
  /** extra tcpdump arguments before -w (e.g. ['--time-stamp-precision=nano']) */
  extraArgs?: string[];
  readyTimeoutMs?: number;
  /** hard bound on the capture's lifetime (default 600 s) */
  maxSeconds?: number;
}

export interface TcpdumpStats {
  captured: number;
  received: number;
  dropped: number;
  /** tcpdump's stderr */
  stderr: string;
  stopMs: number;
}

export interface TcpdumpHandle {
  pid: number;
  file: string;
  iface: string;
  filter: string;
  /** e.g. "EN10MB (Ethernet)" from tcpdump's "listening on" line */
  linkType: string;
  readyMs: number;
  stop(): Promise<TcpdumpStats>;
}

export async function startTcpdump(iface: string, file: string, filter: string, opts: TcpdumpOptions = {}): Promise<TcpdumpHandle> {
  const args = ['-i', iface, '-s', '0', '-U', '--immediate-mode', '-n', '-Z', 'root', ...(opts.extraArgs ?? []), '-w', file];
  if (filter.trim()) args.push(filter);
  const t0 = Date.now();
  const proc = spawnTracked(`tcpdump-${iface}`, 'tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'], netns: opts.netns });
  let stderr = '';
  proc.child.stderr?.setEncoding('utf8');
  proc.child.stderr?.on('data', (d: string) => (stderr += d));
  const stderrClosed = new Promise<void>((r) => (proc.child.stderr ? proc.child.stderr.once('close', () => r()) : r()));

  const deadline = t0 + (opts.readyTimeoutMs ?? 5000);
  while (!/listening on/.test(stderr) && !proc.exitInfo && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!/listening on/.test(stderr)) {
    await stopTracked(proc, { signal: 'SIGINT', graceMs: 1000 });
    throw new Error(`tcpdump on ${iface} did not start: ${stderr.trim() || 'no output'}`);
  }
  const readyMs = Date.now() - t0;
  const linkType = /link-type (\S+(?: \([^)]*\))?)/.exec(stderr)?.[1] ?? '';
  const bound = setTimeout(() => {
    try {
      process.kill(proc.pid, 'SIGINT');
    } catch {
      /* gone */
    }
  }, (opts.maxSeconds ?? 600) * 1000);
  bound.unref();

  let stopped: Promise<TcpdumpStats> | null = null;
  return {
    pid: proc.pid,
    file,
    iface,
    filter,
    linkType,
    readyMs,
    stop() {
      stopped ??= (async () => {
        const s0 = Date.now();
        clearTimeout(bound);
        await stopTracked(proc, { signal: 'SIGINT', graceMs: 5000 });
        // 'exit' can come before the last stderr bytes (the statistics lines)
        await Promise.race([stderrClosed, new Promise((r) => setTimeout(r, 1000))]);
        const num = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? NaN);
        return {
          captured: num(/(\d+) packets? captured/),
          received: num(/(\d+) packets? received by filter/),
          dropped: num(/(\d+) packets? dropped by kernel/),
          stderr,
          stopMs: Date.now() - s0,
        };
      })();
      return stopped;
    },
  };
}
