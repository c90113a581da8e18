/**
 * The trace lab: four network namespaces A — R1 — R2 — B joined by veth pairs (or by TUN
 * devices with a per-link delay, test/harness/trace/delay-link.py, since this kernel has no
 * netem), IPv4 and IPv6 forwarding on the routers, static routes. From A, B is three hops away:
 *
 *   A  10.77.41.2  fd77:41::2
 *   R1 10.77.41.1  fd77:41::1  |  10.77.42.1  fd77:42::1
 *   R2 10.77.42.2  fd77:42::2  |  10.77.43.1  fd77:43::1
 *   B  10.77.43.2  fd77:43::2
 *
 * Nothing links the namespaces to the root namespace. As a guard, the root namespace gets
 * `unreachable` routes for 10.77.40.0/22 and fd77:40::/30 while the lab is up, so a probe
 * started outside `ip netns exec` by mistake fails locally. Names carry the test process's PID
 * so two runs never share a namespace. down() kills only what runs inside our namespaces and the
 * forwarder we started, deletes the namespaces (their veths and TUNs go with them) and the
 * guard routes we added.
 */
import { join } from 'node:path';
import { HARNESS_DIR, which } from './env.js';
import { addCleanupHook, run, runOk, sleep, spawnTracked, stopTracked, type RunResult, type TrackedProcess } from './procs.js';

export type TraceNode = 'a' | 'r1' | 'r2' | 'b';

export const TRACE_ADDR = {
  a: { v4: '10.77.41.2', v6: 'fd77:41::2' },
  r1: { v4: '10.77.41.1', v6: 'fd77:41::1' }, // as seen from A (its A-side address)
  r2: { v4: '10.77.42.2', v6: 'fd77:42::2' },
  b: { v4: '10.77.43.2', v6: 'fd77:43::2' },
} as const;

export const TRACE_GUARD = { v4: '10.77.40.0/22', v6: 'fd77:40::/30' } as const;

export interface TraceTopologyOptions {
  /** veth pairs (default) or TUN links through delay-link.py */
  links?: 'veth' | 'tun';
  /** one-way delay per link A–R1, R1–R2, R2–B in ms (tun links only) */
  delaysMs?: readonly [number, number, number];
  /** leave the kernel's ICMP error rate limit at its default on the routers (default: off, 0) */
  defaultIcmpRateLimit?: boolean;
  /** namespace name prefix (default vdtr<pid>) */
  prefix?: string;
  /** lifetime bound of the forwarder, s (default 600) */
  maxSeconds?: number;
}

export interface TraceTopology {
  ns: Record<TraceNode, string>;
  links: 'veth' | 'tun';
  /** run a command inside a node's namespace (bounded, never throws on rc != 0) */
  exec(node: TraceNode, cmd: string, args: string[], timeoutMs?: number): Promise<RunResult>;
  execOk(node: TraceNode, cmd: string, args: string[], timeoutMs?: number): Promise<string>;
  /** set the ICMP error rate limit (ms; Linux default 1000, 0 = off) on R1 and R2 */
  setRouterIcmpRateLimit(ms: number): Promise<void>;
  down(): Promise<void>;
}

/** The three links; host ids are the last byte (IPv4) / group (IPv6) of each end's address. */
const LINKS: readonly { a: TraceNode; ifA: string; idA: number; b: TraceNode; ifB: string; idB: number; net: number }[] = [
  { a: 'a', ifA: 'a-r1', idA: 2, b: 'r1', ifB: 'r1-a', idB: 1, net: 41 },
  { a: 'r1', ifA: 'r1-r2', idA: 1, b: 'r2', ifB: 'r2-r1', idB: 2, net: 42 },
  { a: 'r2', ifA: 'r2-b', idA: 1, b: 'b', ifB: 'b-r2', idB: 2, net: 43 },
];

export async function traceTopologyUp(opts: TraceTopologyOptions = {}): Promise<TraceTopology> {
  const prefix = opts.prefix ?? `vdtr${process.pid}`;
  const links = opts.links ?? 'veth';
  const ns: Record<TraceNode, string> = { a: `${prefix}-a`, r1: `${prefix}-r1`, r2: `${prefix}-r2`, b: `${prefix}-b` };
  const nodes: TraceNode[] = ['a', 'r1', 'r2', 'b'];
  const created: string[] = [];
  let forwarder: TrackedProcess | null = null;
  const guardsAdded: { fam: '-4' | '-6'; pfx: string }[] = [];
  let isDown = false;

  const ip = (args: string[]) => runOk('ip', args, { timeoutMs: 10_000 });
  const inNs = (node: TraceNode, cmd: string, args: string[]) => runOk(cmd, args, { netns: ns[node], timeoutMs: 10_000 });

  const down = async (): Promise<void> => {
    if (isDown) return;
    isDown = true;
    if (forwarder) await stopTracked(forwarder, { graceMs: 2000 });
    for (const name of created) {
      const pids = (await run('ip', ['netns', 'pids', name])).stdout.split(/\s+/).filter(Boolean).map(Number);
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    for (const name of created) await run('ip', ['netns', 'del', name]);
    for (const g of guardsAdded) await run('ip', [g.fam, 'route', 'del', 'unreachable', g.pfx]);
    removeHook();
  };
  const removeHook = addCleanupHook(down);

  try {
    for (const n of nodes) {
      await ip(['netns', 'add', ns[n]]);
      created.push(ns[n]);
      await inNs(n, 'ip', ['link', 'set', 'lo', 'up']);
      const rl = n === 'r1' || n === 'r2' ? (opts.defaultIcmpRateLimit ? '1000' : '0') : '0';
      await inNs(n, 'sysctl', ['-qw', `net.ipv4.icmp_ratelimit=${rl}`, `net.ipv6.icmp.ratelimit=${rl}`,
        'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    }
    if (links === 'tun') {
      const d = opts.delaysMs ?? [0, 0, 0];
      const args = [join(HARNESS_DIR, 'trace', 'delay-link.py'), '--max-seconds', String(opts.maxSeconds ?? 600)];
      // the forwarder runs in A and makes every TUN there, moving all but A's own out
      LINKS.forEach((l, i) => args.push('--link', `${l.ifA}:${l.a === 'a' ? '-' : ns[l.a]}:${l.ifB}:${ns[l.b]}:${d[i] ?? 0}`));
      // real-time priority (chrt execs python: same PID) keeps the delays steady on a loaded box
      forwarder = which('chrt')
        ? spawnTracked('delay-link', 'chrt', ['-f', '50', 'python3', ...args], { netns: ns.a, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawnTracked('delay-link', 'python3', args, { netns: ns.a, stdio: ['ignore', 'pipe', 'pipe'] });
      await waitForLine(forwarder, 'READY', 10_000);
    }
    for (const l of LINKS) {
      const [a4, b4] = [`10.77.${l.net}.${l.idA}`, `10.77.${l.net}.${l.idB}`];
      const [a6, b6] = [`fd77:${l.net}::${l.idA}`, `fd77:${l.net}::${l.idB}`];
      if (links === 'veth') {
        await ip(['link', 'add', l.ifA, 'netns', ns[l.a], 'type', 'veth', 'peer', 'name', l.ifB, 'netns', ns[l.b]]);
        await inNs(l.a, 'ip', ['addr', 'add', `${a4}/24`, 'dev', l.ifA]);
        await inNs(l.b, 'ip', ['addr', 'add', `${b4}/24`, 'dev', l.ifB]);
      } else {
        await inNs(l.a, 'ip', ['addr', 'add', a4, 'peer', b4, 'dev', l.ifA]);
        await inNs(l.b, 'ip', ['addr', 'add', b4, 'peer', a4, 'dev', l.ifB]);
      }
      await inNs(l.a, 'ip', ['-6', 'addr', 'add', `${a6}/64`, 'dev', l.ifA, 'nodad']);
      await inNs(l.b, 'ip', ['-6', 'addr', 'add', `${b6}/64`, 'dev', l.ifB, 'nodad']);
      await inNs(l.a, 'ip', ['link', 'set', l.ifA, 'up']);
      await inNs(l.b, 'ip', ['link', 'set', l.ifB, 'up']);
    }
    for (const r of ['r1', 'r2'] as const) {
      await inNs(r, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    }
    // routes: via the neighbour on veth; device routes on TUN (no link layer, "via" is refused for IPv6)
    const route = async (node: TraceNode, fam: '-4' | '-6', dst: string, via: string, dev: string) =>
      inNs(node, 'ip', links === 'veth' ? [fam, 'route', 'add', dst, 'via', via] : [fam, 'route', 'add', dst, 'dev', dev]);
    await route('a', '-4', 'default', '10.77.41.1', 'a-r1');
    await route('a', '-6', 'default', 'fd77:41::1', 'a-r1');
    await route('b', '-4', 'default', '10.77.43.1', 'b-r2');
    await route('b', '-6', 'default', 'fd77:43::1', 'b-r2');
    await route('r1', '-4', '10.77.43.0/24', '10.77.42.2', 'r1-r2');
    await route('r1', '-6', 'fd77:43::/64', 'fd77:42::2', 'r1-r2');
    await route('r2', '-4', '10.77.41.0/24', '10.77.42.1', 'r2-r1');
    await route('r2', '-6', 'fd77:41::/64', 'fd77:42::1', 'r2-r1');

    // root-namespace guard (only if not already there; removed by down() only if we added it)
    for (const [fam, pfx] of [['-4', TRACE_GUARD.v4], ['-6', TRACE_GUARD.v6]] as const) {
      const have = (await run('ip', [fam, 'route', 'show', 'type', 'unreachable', pfx])).stdout.trim();
      if (!have) {
        await ip([fam, 'route', 'add', 'unreachable', pfx]);
        guardsAdded.push({ fam, pfx });
      }
    }

    // ready: A reaches B over both families (bounded: 50 tries). No ping binary is assumed:
    // a UDP datagram to a closed port of B must come back as "port unreachable" (ECONNREFUSED).
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = (await udpRefused(ns.a, TRACE_ADDR.b.v4)) && (await udpRefused(ns.a, TRACE_ADDR.b.v6));
      if (!ok) await sleep(100);
    }
    if (!ok) throw new Error('trace topology: A cannot reach B over IPv4 and IPv6');
  } catch (err) {
    await down();
    throw err;
  }

  return {
    ns,
    links,
    exec: (node, cmd, args, timeoutMs = 30_000) => run(cmd, args, { netns: ns[node], timeoutMs }),
    execOk: (node, cmd, args, timeoutMs = 30_000) => runOk(cmd, args, { netns: ns[node], timeoutMs }),
    async setRouterIcmpRateLimit(ms) {
      for (const r of ['r1', 'r2'] as const) {
        await inNs(r, 'sysctl', ['-qw', `net.ipv4.icmp_ratelimit=${ms}`, `net.ipv6.icmp.ratelimit=${ms}`]);
      }
    },
    down,
  };
}

async function waitForLine(p: TrackedProcess, word: string, ms: number): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${p.name}: no "${word}" within ${ms} ms: ${seen}`)), ms);
    const onData = (b: Buffer) => {
      seen += b.toString();
      if (seen.includes(word)) {
        clearTimeout(timer);
        resolve();
      }
    };
    p.child.stdout?.on('data', onData);
    p.child.stderr?.on('data', (b: Buffer) => (seen += b.toString()));
    void p.exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${p.name} exited: ${seen}`));
    });
  });
}

/** From inside `netns`, does a UDP datagram to `addr`:9 come back refused within 300 ms? */
async function udpRefused(netns: string, addr: string): Promise<boolean> {
  const code = `
const d=require('node:dgram'),net=require('node:net');const h=process.argv[1];
const s=d.createSocket(net.isIPv6(h)?'udp6':'udp4');
s.on('error',e=>process.exit(e.code==='ECONNREFUSED'?0:2));setTimeout(()=>process.exit(1),300);
s.connect(9,h,()=>s.send('reach?'));`;
  const r = await run(process.execPath, ['-e', code, addr], { netns, timeoutMs: 5000 });
  return r.code === 0;
}
