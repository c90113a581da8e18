/**
 * The fallback path tracer for where the FFI sockets cannot be used (not Linux, no koffi
 * binary): `mtr -j` (report mode, JSON) or `traceroute` run through execa, their output turned
 * into the same hop statistics. Parsing is pure and separate from running.
 *
 * mtr -j prints {"report": {"mtr": {...}, "hubs": [{"count": hop, "host": addr | "???",
 * "Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev"}]}} — aggregates only, ms.
 * traceroute -n prints one line per hop: ` 3  10.0.0.1  0.207 ms  0.010 ms *  10.0.0.9  0.3 ms !H`
 * (an address, then the RTT of each probe it answered; `*` a probe without answer; `!H !N !P
 * !X !S !F` annotations for unreachable kinds).
 */
import { execa } from 'execa';
import type { AnswerKind, ProbeResult, TraceProto } from '../../trace/probe.js';
import type { HopStats } from '../../trace/hop-stats.js';
import { canonicalAddress } from './sockaddr.js';

export type FallbackTool = 'mtr' | 'traceroute';

export interface FallbackOptions {
  tool: FallbackTool;
  proto: TraceProto;
  family: 4 | 6;
  target: string;
  port: number;
  rounds: number;
  intervalMs: number;
  maxHops: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type FallbackRun =
  | { ok: true; tool: FallbackTool; hops: HopStats[] | null; results: ProbeResult[] | null; note: string }
  | { ok: false; tool: FallbackTool; reason: string };

interface MtrHub {
  count?: number;
  host?: string;
  'Loss%'?: number;
  Snt?: number;
  Last?: number;
  Avg?: number;
  Best?: number;
  Wrst?: number;
  StDev?: number;
}

/** mtr -j output → hop rows (no per-probe outcomes: mtr gives aggregates). */
export function parseMtrJson(text: string, target: string, proto: TraceProto): HopStats[] | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  const hubs = (doc as { report?: { hubs?: MtrHub[] } }).report?.hubs;
  if (!Array.isArray(hubs)) return null;
  const want = canonicalAddress(target);
  const rows: HopStats[] = [];
  hubs.forEach((h, i) => {
    const ttl = typeof h.count === 'number' ? h.count : i + 1;
    const silent = !h.host || h.host === '???';
    const address = silent ? null : canonicalAddress(h.host!);
    const sent = h.Snt ?? 0;
    const lossPct = h['Loss%'] ?? (silent ? 100 : 0);
    const received = silent ? 0 : Math.round(sent * (1 - lossPct / 100));
    const isDestination = address === want;
    const kind: AnswerKind = isDestination ? (proto === 'icmp' ? 'echo-reply' : 'port-unreachable') : 'time-exceeded';
    const num = (x: number | undefined) => (received > 0 && typeof x === 'number' ? x : null);
    rows.push({
      ttl,
      address,
      addresses: address ? [{ address, count: received }] : [],
      sent,
      received,
      lossPct,
      lastMs: num(h.Last),
      bestMs: num(h.Best),
      avgMs: num(h.Avg),
      worstMs: num(h.Wrst),
      stdevMs: num(h.StDev),
      jitterMs: null,
      answers: received > 0 ? { [kind]: received } : {},
      answeredBy: received > 0 ? kind : null,
      sip: null,
      isDestination,
      outcomes: [],
    });
  });
  return rows;
}

const ANNOTATIONS: Readonly<Record<string, AnswerKind>> = {
  '!H': 'host-unreachable',
  '!N': 'net-unreachable',
  '!P': 'protocol-unreachable',
  '!X': 'admin-prohibited',
  '!S': 'other-icmp', // source route failed
  '!F': 'frag-needed',
};

/**
 * traceroute -n output → one probe result per probe (round = the probe's column). The last
 * hop's answers from the target count as port unreachable (UDP) or echo reply (ICMP).
 */
export function parseTracerouteOutput(text: string, target: string, proto: TraceProto, intervalMs: number): ProbeResult[] {
  const want = canonicalAddress(target);
  const out: ProbeResult[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const ttl = Number(m[1]);
    const tokens = m[2]!.trim().split(/\s+/);
    let from: string | null = null;
    let round = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === '*') {
        out.push({ round: round, ttl, sentAtMs: round * intervalMs, answer: null });
        round++;
        continue;
      }
      if (/^[0-9a-f:.]+$/i.test(t) && (t.includes('.') || t.includes(':')) && tokens[i + 1] !== 'ms') {
        from = canonicalAddress(t);
        continue;
      }
      if (tokens[i + 1] === 'ms' && from !== null) {
        const rtt = Number(t);
        const note = tokens[i + 2]?.startsWith('!') ? tokens[i + 2]! : null;
        const kind: AnswerKind = note
          ? (ANNOTATIONS[note.slice(0, 2)] ?? 'other-icmp')
          : from === want
            ? proto === 'icmp'
              ? 'echo-reply'
              : 'port-unreachable'
            : 'time-exceeded';
        out.push({ round, ttl, sentAtMs: round * intervalMs, answer: { kind, from, rttMs: rtt, icmpType: null, icmpCode: null, sip: null } });
        round++;
        i += note ? 2 : 1;
      }
    }
  }
  return out;
}

/** The mtr / traceroute arguments for these options. */
export function fallbackArgs(o: FallbackOptions, unprivileged: boolean): string[] {
  const secs = (ms: number) => String(Math.round(ms) / 1000);
  if (o.tool === 'mtr') {
    // non-root mtr refuses intervals under 1 s
    const interval = unprivileged ? Math.max(1000, o.intervalMs) : o.intervalMs;
    const args = ['-j', '-n', `-${o.family}`, '-c', String(o.rounds), '-i', secs(interval), '-m', String(o.maxHops), '-G', secs(o.timeoutMs)];
    // SIP servers swallow non-SIP UDP, so the path to a SIP target is traced with ICMP
    if (o.proto === 'udp') args.push('-u', '-P', String(o.port));
    args.push(o.target);
    return args;
  }
  const args = ['-n', `-${o.family}`, '-q', String(Math.min(o.rounds, 10)), '-w', secs(o.timeoutMs), '-m', String(o.maxHops)];
  if (o.proto === 'icmp') args.push('-I');
  else args.push('-U', '-p', String(o.proto === 'sip' ? 33434 : o.port));
  args.push(o.target);
  return args;
}

export async function runFallback(o: FallbackOptions): Promise<FallbackRun> {
  const unprivileged = typeof process.getuid === 'function' && process.getuid() !== 0;
  const args = fallbackArgs(o, unprivileged);
  const bound = o.rounds * Math.max(o.intervalMs, 1000) + o.maxHops * o.timeoutMs + 10_000;
  try {
    const r = await execa(o.tool, args, { timeout: bound, reject: false, cancelSignal: o.signal, stripFinalNewline: false });
    if (r.failed && !r.stdout) return { ok: false, tool: o.tool, reason: `${o.tool} ${args.join(' ')}: ${(r.stderr || r.shortMessage || '').trim().split('\n')[0]}` };
    if (o.tool === 'mtr') {
      const hops = parseMtrJson(r.stdout, o.target, o.proto);
      if (!hops) return { ok: false, tool: 'mtr', reason: `mtr printed no JSON report: ${r.stderr.trim().split('\n')[0] ?? ''}` };
      return { ok: true, tool: 'mtr', hops, results: null, note: `mtr ${args.join(' ')}` };
    }
    return { ok: true, tool: 'traceroute', hops: null, results: parseTracerouteOutput(r.stdout, o.target, o.proto, o.intervalMs), note: `traceroute ${args.join(' ')}` };
  } catch (err) {
    return { ok: false, tool: o.tool, reason: `${o.tool} could not run: ${(err as Error).message.split('\n')[0]}` };
  }
}
