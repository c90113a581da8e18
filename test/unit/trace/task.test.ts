/**
 * runTrace with its I/O replaced: a scripted prober, libc, fallback and resolver. Checks the
 * composition (method choice, control probes, fallback, thresholds, errors) and, through the
 * renderer, the golden text output.
 */
import { describe, expect, it } from 'vitest';
import { VoipdiagError } from '../../../src/lib/errors.js';
import type { Libc } from '../../../src/lib/net/trace/libc.js';
import type { ProberOptions } from '../../../src/lib/net/trace/prober.js';
import { renderTrace } from '../../../src/lib/output/trace-view.js';
import { runTrace, type TraceIo, type TraceOptions } from '../../../src/lib/tasks/trace.js';
import type { ProbeAnswer } from '../../../src/lib/trace/probe.js';
import { parseMtrJson } from '../../../src/lib/net/trace/fallback.js';
import { Chalk } from 'chalk';
import { validateTraceJson } from '../../harness/trace/lab.js';

const B = '10.77.43.2';
const PATH = ['10.77.41.1', '10.77.42.2', B];

/** A fake libc: sockets open (or fail with `socketErrno`), nothing else is called by the task. */
function fakeLibc(socketErrno = 0): Libc {
  return {
    socket: () => (socketErrno ? { fd: -1, errno: socketErrno } : { fd: 42, errno: 0 }),
    setIntOption: () => 0,
    connect: () => 0,
    bind: () => 0,
    localAddress: () => null,
    send: () => ({ sent: 0, errno: 0 }),
    recv: () => ({ ok: false, errno: 11 }),
    close: () => undefined,
    realtimeNs: () => 0n,
    watch: () => ({ close: () => undefined }),
    strerror: (e) => (e === 1 ? 'Operation not permitted' : `errno ${e}`),
  };
}

/** A scripted prober: per (kind, port) how far the probes get and what answers at the end. */
function scriptedProber(reach: (o: ProberOptions) => number, endKind: (o: ProberOptions) => ProbeAnswer['kind'], rttMs = (ttl: number) => ttl * 1.5) {
  const calls: ProberOptions[] = [];
  const fn = async (_libc: Libc, o: ProberOptions) => {
    calls.push(o);
    const last = reach(o);
    for (let round = 0; round < o.rounds; round++) {
      for (let ttl = 1; ttl <= Math.min(o.maxHops, last === 3 ? 3 : 5); ttl++) {
        const isEnd = ttl === 3 && last === 3;
        const answer: ProbeAnswer | null =
          ttl > last
            ? null
            : {
                kind: isEnd ? endKind(o) : 'time-exceeded',
                from: PATH[ttl - 1]!,
                rttMs: rttMs(ttl),
                icmpType: null,
                icmpCode: null,
                sip: isEnd && endKind(o) === 'sip' ? { status: 200, reason: 'OK', server: 'lab-kamailio', userAgent: null } : null,
              };
        o.onResult({ round, ttl, sentAtMs: round * o.intervalMs + ttl, answer });
      }
      o.onRoundComplete?.(round);
    }
    return { sent: 0, sendErrors: {}, durationMs: 1 };
  };
  return { fn, calls };
}

function io(over: Partial<TraceIo> & { prober?: ReturnType<typeof scriptedProber> }): TraceIo {
  return {
    loadLibc: async () => ({ ok: true, libc: fakeLibc() }),
    runProber: (over.prober?.fn ?? (async () => ({ sent: 0, sendErrors: {}, durationMs: 0 }))) as TraceIo['runProber'],
    runFallback: async () => ({ ok: false, tool: 'mtr', reason: 'not scripted' }),
    pingSipEnd: async () => [],
    resolveHost: async (h) => ({ ok: true, address: h, family: h.includes(':') ? 6 : 4 }),
    reverseName: async (a) => `r-${a.replaceAll('.', '-')}.lab`,
    readText: async () => {
      throw new Error('no file');
    },
    now: () => new Date('2026-11-23T12:00:00.000Z'),
    ...over,
  };
}

const OPTS: TraceOptions = { target: `sip:${B}`, proto: 'sip', family: 0, rounds: 3, intervalMs: 100, maxHops: 30, timeoutMs: 1000, resolve: false, backend: 'auto' };

describe('runTrace', () => {
  it('sip: three hops, the SIP answer at the end, a round event per round', async () => {
    const prober = scriptedProber(() => 3, () => 'sip');
    const rounds: number[] = [];
    const { result, warnings } = await runTrace({ ...OPTS, onRound: (e) => rounds.push(e.round) }, io({ prober }));
    expect(warnings).toEqual([]);
    expect(rounds).toEqual([0, 1, 2]);
    expect(prober.calls[0]).toMatchObject({ kind: 'udp', family: 4, target: B, port: 5060, rounds: 3 });
    expect(result.method).toMatchObject({ name: 'udp-recverr', fallback: false });
    expect(result.hops.map((h) => [h.ttl, h.address, h.status, h.answeredBy])).toEqual([
      [1, PATH[0], 'ok', 'time-exceeded'],
      [2, PATH[1], 'ok', 'time-exceeded'],
      [3, B, 'ok', 'sip'],
    ]);
    expect(result.destination).toMatchObject({ reached: true, answered: true, ttl: 3, lossPct: 0, sip: { status: 200 } });
    expect(result.findings).toEqual([]);
    expect(result.controls).toEqual([]);
    expect(result.target).toEqual({ input: `sip:${B}`, host: B, address: B, family: 4, proto: 'sip', port: 5060 });
  });

  it('renders the golden table (colour off)', async () => {
    const prober = scriptedProber(() => 3, () => 'sip');
    const { result } = await runTrace({ ...OPTS, resolve: true }, io({ prober }));
    await expect(renderTrace(result, new Chalk({ level: 0 }))).toMatchFileSnapshot('./golden/trace-sip.txt');
  });

  it('renders the golden JSON result', async () => {
    const prober = scriptedProber(() => 3, () => 'sip');
    const { result } = await runTrace(OPTS, io({ prober }));
    await expect(JSON.stringify(result, null, 2) + '\n').toMatchFileSnapshot('./golden/trace-sip.json');
    const envelope = { schemaVersion: 1, command: 'trace', status: 'ok', result, warnings: [] };
    const v = validateTraceJson(JSON.parse(JSON.stringify(envelope)));
    expect(v.ok, v.errors).toBe(true);
  });

  it('sip stopped after hop 2 while udp and icmp pass: control probes and SIP_FILTERED', async () => {
    const prober = scriptedProber(
      (o) => (o.kind === 'udp' && o.port === 5060 ? 2 : 3),
      (o) => (o.kind === 'udp' ? 'port-unreachable' : 'echo-reply'),
    );
    const { result } = await runTrace(OPTS, io({ prober }));
    expect(prober.calls.map((c) => [c.kind, c.port])).toEqual([
      ['udp', 5060],
      ['udp', 33434],
      ['icmp-ping', 0],
    ]);
    expect(result.destination.answered).toBe(false);
    expect(result.controls).toEqual([
      { proto: 'udp', port: 33434, reached: true, lastTtl: 3, lastAddress: B },
      { proto: 'icmp', port: null, reached: true, lastTtl: 3, lastAddress: B },
    ]);
    expect(result.findings.map((f) => [f.code, f.ttl])).toEqual([
      ['TARGET_SILENT', 2],
      ['SIP_FILTERED', 2],
    ]);
    await expect(renderTrace(result, new Chalk({ level: 0 }))).toMatchFileSnapshot('./golden/trace-sip-filtered.txt');
  });

  it('icmp without ping socket or raw socket: exit 4 with the three fixes', async () => {
    const err = await runTrace({ ...OPTS, proto: 'icmp' }, io({ loadLibc: async () => ({ ok: true, libc: fakeLibc(1) }) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoipdiagError);
    const v = err as VoipdiagError;
    expect(v.code).toBe('ICMP_NOT_PERMITTED');
    expect(v.exitCode).toBe(4);
    expect(v.hints.slice(0, 3).map((h) => h.split(':')[0])).toEqual(['allow ping sockets for your group', 'give node the raw-socket capability', 'run voipdiag with sudo']);
  });

  it('without the FFI: mtr traces the path, direct OPTIONS judge the end, and it says so', async () => {
    const mtr = JSON.stringify({
      report: {
        hubs: PATH.map((host, i) => ({ count: i + 1, host, 'Loss%': 0, Snt: 3, Last: i + 1, Avg: i + 1, Best: i + 1, Wrst: i + 1, StDev: 0 })),
      },
    });
    const { result, warnings } = await runTrace(
      OPTS,
      io({
        loadLibc: async () => ({ ok: false, reason: 'IP_RECVERR probing needs Linux (this is darwin)' }),
        runFallback: async () => ({ ok: true, tool: 'mtr', hops: parseMtrJson(mtr, B, 'sip'), results: null, note: 'mtr -j -n' }),
        pingSipEnd: async () => [
          { rttMs: 4, sip: { status: 200, reason: 'OK', server: 'x', userAgent: null }, refused: false },
          { rttMs: null, sip: null, refused: false },
          { rttMs: 6, sip: { status: 200, reason: 'OK', server: 'x', userAgent: null }, refused: false },
        ],
      }),
    );
    expect(result.method).toEqual({
      name: 'mtr',
      fallback: true,
      note: 'fallback (IP_RECVERR probing needs Linux (this is darwin)): the path was traced by mtr -j -n, the end checked by 3 direct SIP OPTIONS (RTT timed in JavaScript)',
    });
    expect(warnings.map((w) => w.code)).toEqual(['TRACE_FALLBACK']);
    expect(result.hops.map((h) => h.address)).toEqual(PATH);
    expect(result.destination).toMatchObject({ answered: true, sent: 3, received: 2, lossPct: 33.333, sip: { status: 200 }, rttMs: { avg: 5 } });
  });

  it('thresholds: --max-rtt and a built-in profile breach; an unknown profile is a usage error', async () => {
    const prober = scriptedProber(() => 3, () => 'sip', (ttl) => ttl * 40);
    const { result } = await runTrace({ ...OPTS, maxRttMs: 100 }, io({ prober }));
    expect(result.thresholds).toMatchObject({ profile: null, breaches: [{ key: 'rtt_ms', value: 120, limit: 100 }] });
    const pbx = await runTrace({ ...OPTS, profile: 'pbx' }, io({ prober }));
    expect(pbx.result.thresholds.profile).toBe('pbx');
    expect(pbx.result.thresholds.breaches.map((b) => b.key)).toEqual(['rtt_ms']);
    await expect(runTrace({ ...OPTS, profile: 'nope' }, io({ prober }))).rejects.toMatchObject({ code: 'BAD_PROFILE', exitCode: 2 });
  });

  it('refuses bad flags and targets before sending anything', async () => {
    const prober = scriptedProber(() => 3, () => 'sip');
    const bad = (o: Partial<TraceOptions>) => runTrace({ ...OPTS, ...o }, io({ prober })).catch((e: VoipdiagError) => [e.code, e.exitCode]);
    expect(await bad({ rounds: 0 })).toEqual(['BAD_FLAG', 2]);
    expect(await bad({ maxHops: 65 })).toEqual(['BAD_FLAG', 2]);
    expect(await bad({ intervalMs: 1 })).toEqual(['BAD_FLAG', 2]);
    expect(await bad({ proto: 'icmp', port: 7 })).toEqual(['BAD_FLAG', 2]);
    expect(await bad({ target: 'http://example.com' })).toEqual(['BAD_TARGET', 2]);
    expect(await bad({ target: 'fd77:43::2', family: 4 })).toEqual(['BAD_FLAG', 2]);
    expect(prober.calls).toEqual([]);
  });

  it('udp to a sip: URI with a port uses that port; IPv6 literal targets trace over IPv6', async () => {
    const prober = scriptedProber(() => 3, () => 'port-unreachable');
    await runTrace({ ...OPTS, proto: 'udp', target: 'sip:[fd77:43::2]:5080' }, io({ prober }));
    expect(prober.calls[0]).toMatchObject({ family: 6, target: 'fd77:43::2', port: 5080 });
  });
});
