/**
 * The FFI probe path on loopback (no namespaces, no privileges): a UDP probe to a closed port
 * comes back as ICMP port unreachable through the error queue, a SIP probe to a tiny responder
 * comes back as SIP, both with kernel-timestamped RTTs that a blocked event loop does not
 * inflate. Skipped where koffi cannot load (not Linux).
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLibc, type Libc } from '../../../src/lib/net/trace/libc.js';
import { runProber } from '../../../src/lib/net/trace/prober.js';
import { decodeSipAnswer, encodeOptionsProbe } from '../../../src/lib/net/trace/sip-probe.js';
import type { ProbeResult } from '../../../src/lib/trace/probe.js';

const lib = await loadLibc();

async function closedUdpPort(type: 'udp4' | 'udp6', host: string): Promise<number> {
  const s = createSocket(type);
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!lib.ok)('FFI probes on loopback', () => {
  const libc = (lib as { ok: true; libc: Libc }).libc;
  let sipServer: Socket;
  let sipPort = 0;

  beforeAll(async () => {
    sipServer = createSocket('udp4');
    sipServer.on('message', (msg, rinfo) => {
      const text = msg.toString('latin1');
      const via = /^Via: .*$/m.exec(text)?.[0] ?? '';
      const pick = (h: string) => new RegExp(`^${h}: .*$`, 'm').exec(text)?.[0] ?? '';
      const reply = `SIP/2.0 200 OK\r\n${via}\r\n${pick('From')}\r\n${pick('To')};tag=1\r\n${pick('Call-ID')}\r\n${pick('CSeq')}\r\nServer: loopback-test\r\nContent-Length: 0\r\n\r\n`;
      sipServer.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => sipServer.bind(0, '127.0.0.1', () => r()));
    sipPort = sipServer.address().port;
  });

  afterAll(() => sipServer?.close());

  const spin = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      /* busy */
    }
  };

  const run = async (o: { kind: 'udp'; family: 4 | 6; target: string; port: number; sip?: boolean; blockMs?: number }) => {
    const results: ProbeResult[] = [];
    // a busy event loop: timers that fire just after each round's send and hog the loop, so the
    // answer waits in the socket queue and is read late
    const timers = o.blockMs ? [0, 1, 2].map((k) => setTimeout(() => spin(o.blockMs!), k * 50 + 1)) : [];
    const summary = await runProber(libc, {
      kind: o.kind,
      family: o.family,
      target: o.target,
      port: o.port,
      rounds: 3,
      intervalMs: 50,
      maxHops: 3,
      timeoutMs: 1000,
      payload: o.sip ? (local, ttl) => encodeOptionsProbe({ host: o.target, port: o.port }, local, ttl) : undefined,
      decodeSip: o.sip ? decodeSipAnswer : undefined,
      onResult: (r) => results.push(r),
    });
    timers.forEach(clearTimeout);
    return { results, summary };
  };

  it('UDP to a closed port: ICMP port unreachable from the error queue, at TTL 1, once per round', async () => {
    const port = await closedUdpPort('udp4', '127.0.0.1');
    const { results } = await run({ kind: 'udp', family: 4, target: '127.0.0.1', port });
    expect(results.map((r) => [r.round, r.ttl, r.answer?.kind, r.answer?.from])).toEqual([
      [0, 1, 'port-unreachable', '127.0.0.1'],
      [1, 1, 'port-unreachable', '127.0.0.1'],
      [2, 1, 'port-unreachable', '127.0.0.1'],
    ]);
    for (const r of results) {
      expect(r.answer!.icmpType).toBe(3);
      expect(r.answer!.rttMs).toBeGreaterThan(0);
      expect(r.answer!.rttMs).toBeLessThan(50);
    }
  });

  it('IPv6 ::1 too (ICMPv6 type 1 code 4)', async () => {
    const port = await closedUdpPort('udp6', '::1').catch(() => 0);
    if (port === 0) return; // no IPv6 loopback on this machine
    const { results } = await run({ kind: 'udp', family: 6, target: '::1', port });
    expect(results[0]!.answer).toMatchObject({ kind: 'port-unreachable', from: '::1', icmpType: 1, icmpCode: 4 });
  });

  it('SIP OPTIONS: the responder answers 200 and the answer is decoded', async () => {
    const { results } = await run({ kind: 'udp', family: 4, target: '127.0.0.1', port: sipPort, sip: true });
    // (the responder shares this event loop, so a TTL 2 probe may go out before its answer is sent)
    const atTtl1 = results.filter((r) => r.ttl === 1);
    expect(atTtl1).toHaveLength(3);
    expect(atTtl1.every((r) => r.answer?.kind === 'sip')).toBe(true);
    expect(results[0]!.answer).toMatchObject({ kind: 'sip', from: '127.0.0.1', sip: { status: 200, reason: 'OK', server: 'loopback-test' } });
  });

  it('RTTs come from kernel timestamps: a blocked event loop does not inflate them', async () => {
    const port = await closedUdpPort('udp4', '127.0.0.1');
    // 3 rounds 50 ms apart, the loop blocked 30 ms right after each send: the ICMP errors sit in
    // the queue while JS is busy, yet their RTTs stay those of loopback (well under the 30 ms a
    // JavaScript clock would have added)
    const { results } = await run({ kind: 'udp', family: 4, target: '127.0.0.1', port, blockMs: 30 });
    expect(results).toHaveLength(3);
    for (const r of results) expect(r.answer!.rttMs).toBeLessThan(10);
  });
});
