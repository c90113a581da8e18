/**
 * The mtr-style probe scheduler over FFI sockets: `rounds` rounds, one every `intervalMs`; in
 * each round one probe per TTL from 1 upwards, spaced so a round takes at most half the
 * interval. Once the target (or a router's "unreachable") answered at some TTL, no probe goes
 * beyond it; while the target has not answered, later rounds stop 5 TTLs past the highest
 * TTL that answered (mtr's "max unknown"). Every probe has its own socket and its own timeout.
 * Bounded: at most rounds × maxHops probes, and the run ends at most `timeoutMs` after the last
 * send (or at once on abort).
 */
import { performance } from 'node:perf_hooks';
import type { Libc } from './libc.js';
import { AF_INET, IPPROTO_UDP, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOL_SOCKET, SO_TIMESTAMPNS } from './linux-constants.js';
import { ProbeSocket, type ProbeSocketKind } from './probe-socket.js';
import type { SocketAddress } from './sockaddr.js';
import { canonicalAddress } from './sockaddr.js';
import { isDestinationKind, isTerminalErrorKind, type ProbeAnswer, type ProbeResult, type SipAnswer } from '../../trace/probe.js';

export interface ProberOptions {
  kind: ProbeSocketKind;
  family: 4 | 6;
  target: string;
  port: number;
  rounds: number;
  intervalMs: number;
  maxHops: number;
  timeoutMs: number;
  /** TTLs to probe past the highest that answered while the target is silent (default 5). */
  maxUnknown?: number;
  payload?(local: SocketAddress | null, ttl: number, round: number): Uint8Array;
  decodeSip?(data: Uint8Array): SipAnswer | null;
  onResult(r: ProbeResult): void;
  /** All probes of this round have an answer or timed out. */
  onRoundComplete?(round: number): void;
  signal?: AbortSignal;
}

export interface ProberSummary {
  sent: number;
  /** errno → count, for probes that could not be sent */
  sendErrors: Record<string, number>;
  durationMs: number;
}

/** An error opening the very first probe socket (permissions, family not supported…). */
export class ProbeOpenError extends Error {
  constructor(
    readonly errno: number,
    readonly step: string,
  ) {
    super(`${step} failed (errno ${errno})`);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The kernel stamps received packets only while some socket asked for timestamps, and turns
 * that on lazily (a deferred static key): answers that arrive before it is on are stamped when
 * read, not when they arrived. So before the first probe, a socket that asks is opened (and kept
 * for the run) and a datagram to itself over loopback checks that stamping is on: stamped on
 * arrival, its timestamp is well before the moment it is read. Bounded: 10 tries of 5 ms; where
 * loopback does not work, a plain 20 ms wait. Returns the keeper's fd (or -1).
 */
async function warmUpTimestamps(libc: Libc, signal?: AbortSignal): Promise<number> {
  const s = libc.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (s.fd < 0) return -1;
  const fd = s.fd;
  libc.setIntOption(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  const self = libc.bind(fd, { family: 4, address: '127.0.0.1', port: 0 }) === 0 ? libc.localAddress(fd) : null;
  if (!self || libc.connect(fd, self) !== 0) {
    await sleep(20, signal);
    return fd;
  }
  const ping = new Uint8Array([0x76, 0x64]);
  for (let i = 0; i < 10 && !signal?.aborted; i++) {
    const sentNs = libc.realtimeNs();
    if (libc.send(fd, ping).sent < 0) {
      await sleep(20, signal);
      break;
    }
    await sleep(5, signal);
    const r = libc.recv(fd, false);
    const readNs = libc.realtimeNs();
    const at = r.ok ? r.value.control.timestampNs : null;
    if (at !== null && readNs - at > 2_000_000n && at - sentNs < 2_000_000n) break; // stamped on arrival
  }
  return fd;
}

export async function runProber(libc: Libc, o: ProberOptions): Promise<ProberSummary> {
  const t0 = performance.now();
  const target = canonicalAddress(o.target);
  const maxUnknown = o.maxUnknown ?? 5;
  const gapMs = Math.max(1, Math.min(25, o.intervalMs / 2 / Math.max(1, o.maxHops)));
  const identifier = (process.pid ^ Math.floor(Math.random() * 0x10000)) & 0xffff;
  let sequence = Math.floor(Math.random() * 0x8000);
  let stopTtl = Infinity; // target or a terminal error answered here
  let highestAnswered = 0;
  let sent = 0;
  const sendErrors: Record<string, number> = {};
  const pendingPerRound = new Map<number, number>();
  const open = new Set<{ settle(answer: ProbeAnswer | null, silent?: boolean): void }>();
  let allSettled: (() => void) | null = null;
  const roundsScheduled = new Set<number>();

  const settleRound = (round: number) => {
    const left = (pendingPerRound.get(round) ?? 1) - 1;
    pendingPerRound.set(round, left);
    if (left === 0 && roundsScheduled.has(round)) {
      pendingPerRound.delete(round);
      o.onRoundComplete?.(round);
    }
    if (open.size === 0 && allSettled) allSettled();
  };
  const sendOne = (round: number, ttl: number): void => {
    sequence = (sequence + 1) & 0xffff;
    const sentAtMs = performance.now() - t0;
    let timer: NodeJS.Timeout | undefined;
    let probe: ProbeSocket | null = null;
    const entry = {
      settle(answer: ProbeAnswer | null, silent = false) {
        if (!open.has(entry)) return;
        open.delete(entry);
        clearTimeout(timer);
        probe?.close();
        if (silent) return;
        if (answer) {
          highestAnswered = Math.max(highestAnswered, ttl);
          if ((isDestinationKind(answer.kind) && answer.from === target) || isTerminalErrorKind(answer.kind) || answer.kind === 'sip') {
            stopTtl = Math.min(stopTtl, ttl);
          }
        }
        o.onResult({ round, ttl, sentAtMs, answer });
        settleRound(round);
      },
    };
    const opened = ProbeSocket.open(
      libc,
      { kind: o.kind, family: o.family, target: o.target, port: o.port, ttl, sequence, identifier },
      {
        payload: (local) => (o.payload ? o.payload(local, ttl, round) : new Uint8Array(32)),
        decodeSip: o.decodeSip,
        onAnswer: (a) => entry.settle(a),
      },
    );
    if (!opened.ok) {
      if (sent === 0) throw new ProbeOpenError(opened.errno, opened.step);
      sendErrors[String(opened.errno)] = (sendErrors[String(opened.errno)] ?? 0) + 1;
      return;
    }
    probe = opened.probe;
    open.add(entry);
    pendingPerRound.set(round, (pendingPerRound.get(round) ?? 0) + 1);
    const err = probe.send();
    if (err !== 0) {
      sendErrors[String(err)] = (sendErrors[String(err)] ?? 0) + 1;
      open.delete(entry);
      probe.close();
      pendingPerRound.set(round, (pendingPerRound.get(round) ?? 1) - 1);
      if (sent === 0 && err !== 0) throw new ProbeOpenError(err, 'send');
      return;
    }
    sent++;
    timer = setTimeout(() => entry.settle(null), o.timeoutMs);
  };

  const keeper = await warmUpTimestamps(libc, o.signal);
  try {
    for (let round = 0; round < o.rounds && !o.signal?.aborted; round++) {
      const roundStart = round * o.intervalMs;
      await sleep(t0 + roundStart - performance.now(), o.signal);
      const limit = Math.min(o.maxHops, stopTtl, round === 0 ? o.maxHops : Math.max(highestAnswered, 1) + maxUnknown);
      let lastSend = -Infinity;
      for (let ttl = 1; ttl <= limit && !o.signal?.aborted; ttl++) {
        if (ttl > stopTtl) break;
        // on schedule, but never closer than one gap to the previous send (timers run late)
        const at = Math.max(t0 + roundStart + (ttl - 1) * gapMs, lastSend + gapMs);
        await sleep(at - performance.now(), o.signal);
        if (ttl > stopTtl) break;
        lastSend = performance.now();
        sendOne(round, ttl);
      }
      roundsScheduled.add(round);
      if (pendingPerRound.get(round) === 0 || !pendingPerRound.has(round)) {
        pendingPerRound.delete(round);
        o.onRoundComplete?.(round);
      }
    }
    if (open.size > 0 && !o.signal?.aborted) {
      await new Promise<void>((resolve) => {
        allSettled = resolve;
        o.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  } finally {
    // aborted (or a throw): close what is still open without reporting it as lost
    for (const e of [...open]) e.settle(null, true);
    if (keeper >= 0) libc.close(keeper);
  }
  return { sent, sendErrors, durationMs: performance.now() - t0 };
}
