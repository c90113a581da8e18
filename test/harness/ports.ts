/**
 * Loopback port plan of the lab. Defaults follow the shared lab (kamailio 5060/5061, sipp UAS
 * 5070-5073, "dead" 5079, media 6000+, control 8870+); `labPorts(offset)` shifts every port by
 * `offset` so two suites can coexist (use multiples of 200), and `pickLabPorts()` finds the first
 * offset whose fixed ports are all free.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { run } from './procs.js';

export type UasKind = 'echo' | 'busy' | 'noanswer' | 'options';
export const UAS_KINDS: readonly UasKind[] = ['echo', 'busy', 'noanswer', 'options'];

export interface PortRange {
  first: number;
  last: number;
}

export interface LabPorts {
  offset: number;
  /** kamailio UDP and TCP */
  sip: number;
  /** kamailio TLS */
  tls: number;
  /** sipp UAS SIP ports (UDP) */
  uas: Record<UasKind, number>;
  /** nothing listens here: kamailio's "dead" target */
  dead: number;
  /** sipp UAS media ports (echo binds mp and mp+2) */
  uasMedia: Record<UasKind, number>;
  /** sipp UAS control ports (-cp, UDP on 0.0.0.0) */
  uasControl: Record<UasKind, number>;
  /** UAC SIP ports (-p), one per concurrent sipp UAC */
  uacSip: PortRange;
  /** UAC media ports (-mp), step 10 */
  uacMedia: PortRange;
  /** UAC control ports (-cp) */
  uacControl: PortRange;
}

export function labPorts(offset: number = Number(process.env.VOIPDIAG_LAB_PORT_OFFSET ?? 0)): LabPorts {
  const o = Number.isInteger(offset) && offset >= 0 ? offset : 0;
  return {
    offset: o,
    sip: 5060 + o,
    tls: 5061 + o,
    uas: { echo: 5070 + o, busy: 5071 + o, noanswer: 5072 + o, options: 5073 + o },
    dead: 5079 + o,
    uasMedia: { echo: 6000 + o, busy: 6010 + o, noanswer: 6020 + o, options: 6030 + o },
    uasControl: { echo: 8870 + o, busy: 8871 + o, noanswer: 8872 + o, options: 8873 + o },
    uacSip: { first: 5090 + o, last: 5099 + o },
    uacMedia: { first: 6100 + o, last: 6199 + o },
    uacControl: { first: 8880 + o, last: 8899 + o },
  };
}

/** Every port a lab instance with this plan may bind or talk to (for capture filters). */
export function labPortList(p: LabPorts): number[] {
  return [p.sip, p.tls, ...Object.values(p.uas), p.dead];
}

/** BPF filter matching the lab's SIP and media traffic only (lo is shared with other tests). */
export function labCaptureFilter(p: LabPorts, opts: { tcp?: boolean } = {}): string {
  const sipRange = `portrange ${p.sip}-${p.uacSip.last}`;
  const media = `portrange ${p.uasMedia.echo}-${p.uacMedia.last}`;
  const udp = `(udp and (${sipRange} or ${media}))`;
  return opts.tcp ? `${udp} or (tcp and (port ${p.sip} or port ${p.tls}))` : udp;
}

export interface Listener {
  proto: 'udp' | 'tcp';
  local: string;
  port: number;
  users: string;
}

/** Sockets bound/listening on `port` (ss -Hlunp / -Hltnp), optionally inside a netns. */
export async function listenersOn(port: number, opts: { netns?: string; proto?: 'udp' | 'tcp' | 'both' } = {}): Promise<Listener[]> {
  const protos: ('udp' | 'tcp')[] = opts.proto === 'udp' ? ['udp'] : opts.proto === 'tcp' ? ['tcp'] : ['udp', 'tcp'];
  const out: Listener[] = [];
  for (const proto of protos) {
    const r = await run('ss', [proto === 'udp' ? '-Hlunp' : '-Hltnp', `sport = :${port}`], { netns: opts.netns, timeoutMs: 5000 });
    for (const line of r.stdout.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      const local = f[3] ?? '';
      out.push({ proto, local, port, users: f.slice(5).join(' ') });
    }
  }
  return out;
}

/** True if some socket of process `pid` is bound to UDP `port`. */
export async function pidBoundUdp(pid: number, port: number, netns?: string): Promise<boolean> {
  const l = await listenersOn(port, { netns, proto: 'udp' });
  return l.some((x) => x.users.includes(`pid=${pid},`));
}

/** Can we bind UDP (and TCP if asked) on host:port right now? (bind + close) */
export async function portFree(port: number, opts: { host?: string; tcp?: boolean } = {}): Promise<boolean> {
  const host = opts.host ?? '0.0.0.0';
  const udpOk = await new Promise<boolean>((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind({ port, address: host, exclusive: true }, () => s.close(() => resolve(true)));
  });
  if (!udpOk || !opts.tcp) return udpOk;
  return new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Ports handed out by allocatePort() and not yet released (this process only). */
const reserved = new Set<number>();

/**
 * A port of `range` (stepping by `step`, round-robin) where every port in [p, p+span) is free
 * for UDP (and TCP when asked) and not reserved by another allocation of this process.
 * Release it after use.
 */
export function allocatePort(range: PortRange, opts: { step?: number; span?: number; tcp?: boolean } = {}): Promise<{ port: number; release(): void }> {
  // serialised: two concurrent allocations must not both find the same port free
  const next = allocQueue.then(() => allocateNow(range, opts));
  allocQueue = next.then(
    () => undefined,
    () => undefined,
  );
  return next;
}

let allocQueue: Promise<void> = Promise.resolve();

/** Round-robin start per range, so a port just released is not handed out again at once
 * (a late retransmission for the previous call would reach the next sipp on that port). */
const cursors = new Map<string, number>();

async function allocateNow(range: PortRange, opts: { step?: number; span?: number; tcp?: boolean }): Promise<{ port: number; release(): void }> {
  const step = opts.step ?? 1;
  const span = opts.span ?? 1;
  const key = `${range.first}-${range.last}/${step}`;
  const slots = Math.floor((range.last - span + 1 - range.first) / step) + 1;
  const start = cursors.get(key) ?? 0;
  for (let i = 0; i < slots; i++) {
    const slot = (start + i) % slots;
    const p = range.first + slot * step;
    let ok = true;
    for (let q = p; q < p + span && ok; q++) ok = !reserved.has(q) && (await portFree(q, { tcp: opts.tcp }));
    if (!ok) continue;
    for (let q = p; q < p + span; q++) reserved.add(q);
    cursors.set(key, slot + 1);
    return {
      port: p,
      release() {
        for (let q = p; q < p + span; q++) reserved.delete(q);
      },
    };
  }
  throw new Error(`no free port in ${range.first}-${range.last} (step ${step}, span ${span})`);
}

/** The fixed ports of a plan that are already taken (by anyone). */
export async function busyLabPorts(p: LabPorts): Promise<number[]> {
  const fixed = [p.sip, p.tls, ...Object.values(p.uas), p.dead, ...Object.values(p.uasControl)];
  const busy: number[] = [];
  for (const port of fixed) if (!(await portFree(port, { tcp: port === p.sip || port === p.tls }))) busy.push(port);
  for (const mp of Object.values(p.uasMedia)) {
    for (const q of [mp, mp + 1, mp + 2]) if (!(await portFree(q))) busy.push(q);
  }
  return busy;
}

/**
 * The first plan (offsets 0, 200, 400, ... up to `maxOffset`) whose fixed ports are all free.
 * VOIPDIAG_LAB_PORT_OFFSET pins the offset (no search).
 */
export async function pickLabPorts(opts: { maxOffset?: number; step?: number } = {}): Promise<LabPorts> {
  if (process.env.VOIPDIAG_LAB_PORT_OFFSET !== undefined) return labPorts();
  const step = opts.step ?? 200;
  for (let off = 0; off <= (opts.maxOffset ?? 2000); off += step) {
    const p = labPorts(off);
    if ((await busyLabPorts(p)).length === 0) return p;
  }
  throw new Error('no free lab port plan (offsets 0..2000 all busy)');
}
