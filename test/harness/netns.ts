/**
 * Minimal network-namespace helpers for the suites that need hops or impairment (trace,
 * impairment): create a namespace (lo up), link two namespaces with a veth pair, run a command
 * inside, delete it (after stopping what still runs in it). Namespaces created here are deleted
 * by the safety net (killAllStarted) too. Nothing is linked to the root namespace, so traffic to
 * their addresses cannot leave the box.
 */
import { addCleanupHook, isPidAlive, run, runOk, sleep, type RunResult } from './procs.js';

const created = new Set<string>();
let hookInstalled = false;

function checkName(kind: string, name: string, max: number): void {
  if (!new RegExp(`^[A-Za-z0-9_.-]{1,${max}}$`).test(name)) throw new Error(`bad ${kind} name "${name}" (1-${max} of [A-Za-z0-9_.-])`);
}

export interface Netns {
  name: string;
  /** Run a short command inside (no shell), bounded by timeoutMs. */
  exec(cmd: string, args: string[], timeoutMs?: number): Promise<RunResult>;
  delete(): Promise<void>;
}

export async function netnsExists(name: string): Promise<boolean> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** `ip netns add NAME` + lo up. Fails if it already exists (never reuses someone else's). */
export async function createNetns(name: string): Promise<Netns> {
  checkName('netns', name, 64);
  if (await netnsExists(name)) throw new Error(`netns ${name} already exists`);
  await runOk('ip', ['netns', 'add', name]);
  created.add(name);
  if (!hookInstalled) {
    hookInstalled = true;
    addCleanupHook(async () => {
      for (const n of [...created]) await deleteNetns(n);
    });
  }
  await runOk('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return {
    name,
    exec: (cmd, args, timeoutMs) => run(cmd, args, { netns: name, timeoutMs }),
    delete: () => deleteNetns(name),
  };
}

/** PIDs of the processes running inside a namespace. */
export async function netnsPids(name: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', name]);
  return r.stdout.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
}

/**
 * Stop what runs inside (SIGTERM, SIGKILL after 2 s) and `ip netns del`. Only namespaces this
 * process created, unless force (veths inside go with the namespace).
 */
export async function deleteNetns(name: string, opts: { force?: boolean } = {}): Promise<void> {
  if (!created.has(name) && !opts.force) throw new Error(`netns ${name} was not created by this process`);
  if (await netnsExists(name)) {
    const pids = await netnsPids(name);
    for (const p of pids) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 40 && pids.some(isPidAlive); i++) await sleep(50);
    for (const p of pids.filter(isPidAlive)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await runOk('ip', ['netns', 'del', name]);
  }
  created.delete(name);
}

export interface VethEnd {
  netns: string;
  ifname: string;
  /** CIDR addresses, IPv4 and/or IPv6 (IPv6 added with nodad) */
  addresses?: string[];
}

/** A veth pair between two namespaces, addressed and up. */
export async function linkVeth(a: VethEnd, b: VethEnd): Promise<void> {
  checkName('interface', a.ifname, 15);
  checkName('interface', b.ifname, 15);
  await runOk('ip', ['link', 'add', a.ifname, 'netns', a.netns, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.netns]);
  for (const end of [a, b]) {
    for (const addr of end.addresses ?? []) {
      await runOk('ip', ['-n', end.netns, 'addr', 'add', addr, 'dev', end.ifname, ...(addr.includes(':') ? ['nodad'] : [])]);
    }
    await runOk('ip', ['-n', end.netns, 'link', 'set', end.ifname, 'up']);
  }
}

/** Namespaces created by this process and not deleted yet. */
export function createdNetns(): string[] {
  return [...created];
}
