/**
 * Process bookkeeping for the lab harness: every peer (kamailio, sipp, tcpdump, helpers in a
 * namespace) is spawned directly — never through a shell — so the PID we hold is the real one,
 * and it is remembered here until it has exited. `killAllStarted()` is the safety net
 * (wired to vitest's afterAll by `useLabSafetyNet()` in ./vitest.ts, and to process exit).
 */
import { spawn, execFile, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited (never rejects). */
  readonly exit: Promise<ExitInfo>;
  /** Set once it has exited. */
  exitInfo: ExitInfo | null;
  startedAt: number;
  /** Leader of its own process group (its children are killed with it on SIGKILL). */
  group: boolean;
}

export interface SpawnTrackedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  /** Run inside this network namespace (`ip netns exec NS` execs the command: same PID). */
  netns?: string;
  /**
   * Make it the leader of a new process group (pgid = its pid) so that a SIGKILL also reaches
   * the workers it forked (kamailio): killing only the main process orphans them.
   */
  group?: boolean;
}

/** SIGKILL a tracked process, and its process group if it leads one. */
function hardKill(p: { pid: number; group: boolean }): void {
  try {
    process.kill(p.group ? -p.pid : p.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

const live = new Map<number, TrackedProcess>();
const everStarted: { name: string; pid: number }[] = [];
let exitHookInstalled = false;

/** Hooks run by killAllStarted() after the processes (e.g. netns deletion). */
const cleanupHooks = new Set<() => Promise<void>>();

export function addCleanupHook(fn: () => Promise<void>): () => void {
  cleanupHooks.add(fn);
  return () => cleanupHooks.delete(fn);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the test process exits without cleaning up: SIGKILL, synchronously.
  process.on('exit', () => {
    for (const p of live.values()) hardKill(p);
  });
}

/** Spawn a command directly (no shell) and track its PID until it exits. */
export function spawnTracked(name: string, cmd: string, args: string[], opts: SpawnTrackedOptions = {}): TrackedProcess {
  installExitHook();
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    detached: opts.group ?? false,
  });
  if (child.pid === undefined) {
    // spawn failure (ENOENT...): surface it synchronously-ish
    throw new Error(`cannot start ${name}: ${file} did not get a pid`);
  }
  const pid = child.pid;
  let resolveExit!: (e: ExitInfo) => void;
  const exit = new Promise<ExitInfo>((r) => (resolveExit = r));
  const tracked: TrackedProcess = { name, pid, child, exit, exitInfo: null, startedAt: Date.now(), group: opts.group ?? false };
  child.on('exit', (code, signal) => {
    tracked.exitInfo = { code, signal };
    live.delete(pid);
    resolveExit(tracked.exitInfo);
  });
  child.on('error', () => {
    // 'exit' may not follow an 'error' (e.g. ENOENT): settle anyway
    if (!tracked.exitInfo) {
      tracked.exitInfo = { code: -1, signal: null };
      live.delete(pid);
      resolveExit(tracked.exitInfo);
    }
  });
  live.set(pid, tracked);
  everStarted.push({ name, pid });
  return tracked;
}

/** Wait for exit up to `ms`; true if it exited. */
export async function waitExit(p: TrackedProcess, ms: number): Promise<boolean> {
  if (p.exitInfo) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = await Promise.race([p.exit.then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}

/**
 * Stop a tracked process by PID: `signal` (default SIGTERM), then SIGKILL after `graceMs`,
 * then wait for the exit. Returns how it ended.
 */
export async function stopTracked(
  p: TrackedProcess,
  opts: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<ExitInfo & { killed: boolean }> {
  if (p.exitInfo) return { ...p.exitInfo, killed: false };
  const signal = opts.signal ?? 'SIGTERM';
  try {
    process.kill(p.pid, signal);
  } catch {
    /* raced with exit */
  }
  const info = (): ExitInfo => (p as { exitInfo: ExitInfo | null }).exitInfo ?? { code: null, signal: 'SIGKILL' };
  if (await waitExit(p, opts.graceMs ?? 3000)) return { ...info(), killed: false };
  hardKill(p);
  await waitExit(p, 5000);
  return { ...info(), killed: true };
}

/** True if the PID exists and is not a zombie. */
export function isPidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The command name (/proc/PID/comm) or null. */
export function pidComm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Direct children of `pid` (from /proc/<n>/stat's ppid field). */
export function childPidsOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) === pid) out.push(Number(d));
    } catch {
      /* vanished */
    }
  }
  return out;
}

/** PIDs this process started that are still running. */
export function livePids(): number[] {
  return [...live.keys()].filter(isPidAlive);
}

/** Every process this process ever started through spawnTracked (name + pid). */
export function startedProcesses(): readonly { name: string; pid: number }[] {
  return everStarted;
}

/**
 * Safety net: SIGTERM everything still running that we started, SIGKILL after a short grace,
 * then run the cleanup hooks (namespaces...). Returns the names/PIDs that had to be stopped.
 */
export async function killAllStarted(graceMs = 2000): Promise<{ name: string; pid: number }[]> {
  const left = [...live.values()];
  await Promise.all(left.map((p) => stopTracked(p, { graceMs })));
  for (const hook of [...cleanupHooks]) {
    try {
      await hook();
    } catch {
      /* best effort */
    }
  }
  return left.map((p) => ({ name: p.name, pid: p.pid }));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a short command (no shell) to completion, bounded by `timeoutMs`. Never throws on rc != 0. */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; netns?: string; cwd?: string } = {}): Promise<RunResult> {
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    execFile(
      file,
      argv,
      { timeout: opts.timeoutMs ?? 15_000, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, cwd: opts.cwd },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Like run() but throws with stderr when rc != 0. */
export async function runOk(cmd: string, args: string[], opts: { timeoutMs?: number; netns?: string; cwd?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')} failed (rc ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
