/**
 * A small userspace UDP impairment relay for the probe tests (Node dgram, loopback only):
 * a client sends to `port`, the relay forwards to `target` from its own socket, and the
 * target's answers go back to the client's last address. Each direction can drop packets
 * (Bernoulli, `lossPct`) and delay them by `delayMs` + uniform(0, `jitterMs`), from a seeded
 * PRNG (mulberry32), so a run is reproducible. Bounded: it closes itself after `maxSeconds`
 * and stops forwarding after `maxPackets`.
 *
 * With jitterMs = J and packets 20 ms apart (J ≤ 20: no reordering), the RFC 3550 interarrival
 * jitter converges to E|U1 − U2| = J / 3.
 */
import dgram from 'node:dgram';

export interface Impairment {
  lossPct?: number;
  delayMs?: number;
  jitterMs?: number;
}

export interface ImpairRelayOptions {
  target: { ip: string; port: number };
  listenIp?: string;
  /** client → target */
  up?: Impairment;
  /** target → client */
  down?: Impairment;
  seed: number;
  maxSeconds: number;
  maxPackets: number;
}

export interface DirectionStats {
  received: number;
  forwarded: number;
  dropped: number;
}

export interface ImpairRelay {
  port: number;
  stats(): { up: DirectionStats; down: DirectionStats };
  close(): Promise<void>;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bind(ip: string): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    s.once('error', reject);
    s.bind({ address: ip, port: 0 }, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

export async function startImpairRelay(o: ImpairRelayOptions): Promise<ImpairRelay> {
  const ip = o.listenIp ?? '127.0.0.1';
  const front = await bind(ip);
  const back = await bind(ip);
  // one generator per direction: the draws of one direction never depend on the other's timing
  const rndUp = mulberry32(o.seed);
  const rndDown = mulberry32(o.seed ^ 0x9e3779b9);
  const up: DirectionStats = { received: 0, forwarded: 0, dropped: 0 };
  const down: DirectionStats = { received: 0, forwarded: 0, dropped: 0 };
  let client: { ip: string; port: number } | undefined;
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();

  const relay = (imp: Impairment | undefined, st: DirectionStats, rnd: () => number, send: () => void) => {
    st.received++;
    if (closed || up.received + down.received > o.maxPackets) return;
    // always draw both numbers: packet n of a direction always gets the same pair
    const lossDraw = rnd();
    const jitterDraw = rnd();
    if (imp?.lossPct && lossDraw * 100 < imp.lossPct) {
      st.dropped++;
      return;
    }
    const delay = (imp?.delayMs ?? 0) + (imp?.jitterMs ?? 0) * jitterDraw;
    const go = () => {
      if (closed) return;
      send();
      st.forwarded++;
    };
    if (delay <= 0) go();
    else {
      const t = setTimeout(() => {
        timers.delete(t);
        go();
      }, delay);
      timers.add(t);
    }
  };

  front.on('message', (msg, rinfo) => {
    client = { ip: rinfo.address, port: rinfo.port };
    relay(o.up, up, rndUp, () => back.send(msg, o.target.port, o.target.ip));
  });
  back.on('message', (msg) => {
    const c = client;
    if (!c) return;
    relay(o.down, down, rndDown, () => front.send(msg, c.port, c.ip));
  });
  front.on('error', () => undefined);
  back.on('error', () => undefined);

  const close = async () => {
    if (closed) return;
    closed = true;
    clearTimeout(lifetime);
    for (const t of timers) clearTimeout(t);
    await Promise.all([new Promise<void>((r) => front.close(() => r())), new Promise<void>((r) => back.close(() => r()))]);
  };
  const lifetime = setTimeout(() => void close(), o.maxSeconds * 1000);
  return { port: front.address().port, stats: () => ({ up: { ...up }, down: { ...down } }), close };
}
