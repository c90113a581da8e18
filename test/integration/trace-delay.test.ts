/**
 * `voipdiag trace` against mtr on a lab with per-link delay: A — R1 — R2 — B over TUN links
 * with 2 / 10 / 3 ms one way (test/harness/trace/delay-link.py; the kernel has no netem), so
 * RTTs of about 4, 24 and 30 ms. Per hop, our RTTs must be within 1 ms of mtr's (mtr runs at
 * real-time priority: its RTTs are taken in user space and a loaded box delays them; ours come
 * from kernel timestamps). Then the routers' ICMP rate limit is put back to the Linux default
 * and a fast trace must call the intermediate hops "rate-limited?", not loss.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { which } from '../harness/env.js';
import { startKamailio, type KamailioHandle } from '../harness/kamailio.js';
import { TRACE_ADDR, traceTopologyUp, type TraceTopology } from '../harness/trace-topology.js';
import { hopAddresses, traceIn, traceLabMissing } from '../harness/trace/lab.js';

const missing = traceLabMissing({ tun: true });

interface MtrHub {
  count: number;
  host: string;
  Avg: number;
  Best: number;
}

async function mtrHubs(netns: string, args: string[]): Promise<MtrHub[]> {
  const prio = which('chrt') ? ['chrt', '-f', '40'] : [];
  const r = await execa('ip', ['netns', 'exec', netns, ...prio, 'mtr', '-j', '-n', '-c', '6', '-i', '0.2', '-G', '0.5', ...args], { timeout: 30_000 });
  return (JSON.parse(String(r.stdout)) as { report: { hubs: MtrHub[] } }).report.hubs;
}

describe.skipIf(missing.length > 0)('voipdiag trace vs mtr with per-link delay (TUN)', () => {
  let topo: TraceTopology;
  let kam: KamailioHandle;

  beforeAll(async () => {
    topo = await traceTopologyUp({ links: 'tun', delaysMs: [2, 10, 3], maxSeconds: 300 });
    kam = await startKamailio({ netns: topo.ns.b, ipv4: TRACE_ADDR.b.v4, ipv6: TRACE_ADDR.b.v6, tls: false });
  }, 60_000);

  afterAll(async () => {
    await kam?.stop();
    await topo?.down();
  }, 60_000);

  const cases = [
    { name: 'icmp, IPv4', target: TRACE_ADDR.b.v4, ours: ['--proto', 'icmp'], mtr: [] as string[] },
    { name: 'udp, IPv4', target: TRACE_ADDR.b.v4, ours: ['--proto', 'udp'], mtr: ['-u', '-P', '33434'] },
    { name: 'icmp, IPv6', target: TRACE_ADDR.b.v6, ours: ['--proto', 'icmp', '--ipv6'], mtr: ['-6'] },
  ];
  for (const c of cases) {
    it(`per-hop RTTs within 1 ms of mtr (${c.name})`, async () => {
      const hubs = await mtrHubs(topo.ns.a, [...c.mtr, c.target]);
      const run = await traceIn(topo.ns.a, [c.target, ...c.ours, '--rounds', '6', '--interval', '200ms', '--timeout', '1s', '--max-hops', '8', '--json']);
      expect(run.exitCode, run.stderr).toBe(0);
      const r = run.json!.result!;
      expect(hopAddresses(r)).toEqual(hubs.map((h) => h.host));
      const rows = r.hops.map((h, i) => ({ hop: h.ttl, oursAvg: h.avgMs, mtrAvg: hubs[i]!.Avg, oursBest: h.bestMs, mtrBest: hubs[i]!.Best }));
      console.log(`trace vs mtr (${c.name}):`, JSON.stringify(rows));
      // the delays are there: ~4, ~24, ~30 ms
      expect(r.hops[0]!.bestMs!).toBeGreaterThan(3.5);
      expect(r.hops[1]!.bestMs!).toBeGreaterThan(23.5);
      expect(r.hops[2]!.bestMs!).toBeGreaterThan(29.5);
      for (const row of rows) {
        expect(Math.abs(row.oursAvg! - row.mtrAvg), `hop ${row.hop} avg`).toBeLessThan(1);
        expect(Math.abs(row.oursBest! - row.mtrBest), `hop ${row.hop} best`).toBeLessThan(1);
      }
    });
  }

  it('sip over the delayed path: the 20 ms step at hop 2 is a finding (--step-ms 15), the end answers 200', async () => {
    const run = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, '--rounds', '4', '--interval', '200ms', '--timeout', '1s', '--max-hops', '8', '--step-ms', '15', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const r = run.json!.result!;
    expect(r.destination.sip?.status).toBe(200);
    const steps = r.findings.filter((f) => f.code === 'LATENCY_STEP');
    expect(steps.map((f) => f.ttl)).toEqual([2]);
  });

  it('with the default ICMP rate limit on the routers, lost router answers are "rate-limited?", not loss', { timeout: 60_000 }, async () => {
    await topo.setRouterIcmpRateLimit(1000);
    // with the limit off the routers' per-peer token buckets stayed empty: let them fill (6 s
    // holds the burst of 6) so the routers behave as fresh Linux routers do
    await new Promise((r) => setTimeout(r, 6500));
    try {
      for (const [target, interval] of [[TRACE_ADDR.b.v4, '100ms'], [TRACE_ADDR.b.v6, '50ms']] as const) {
        const run = await traceIn(topo.ns.a, [target, '--rounds', '14', '--interval', interval, '--timeout', '1s', '--max-hops', '6', '--json']);
        expect(run.exitCode, run.stderr).toBe(0);
        const r = run.json!.result!;
        const [h1, h2, h3] = r.hops;
        console.log(`rate limit (${target}):`, JSON.stringify(r.hops.map((h) => [h.ttl, h.received, h.sent, h.status])));
        expect(h1!.lossPct).toBeGreaterThan(0);
        expect(h2!.lossPct).toBeGreaterThan(0);
        expect([h1!.status, h2!.status]).toEqual(['rate-limited?', 'rate-limited?']);
        expect(h3).toMatchObject({ lossPct: 0, status: 'ok' });
        expect(r.destination.lossPct).toBe(0);
        expect(r.findings.map((f) => f.code)).not.toContain('LOSS_FROM_HOP');
        expect(r.findings.filter((f) => f.code === 'RATE_LIMITED').map((f) => f.ttl)).toEqual([1, 2]);
      }
    } finally {
      await topo.setRouterIcmpRateLimit(0);
    }
  });
});
