/**
 * `voipdiag trace` in the A — R1 — R2 — B namespace lab (veth links), kamailio answering SIP in
 * B: three hops over IPv4 and IPv6 for sip, udp and icmp; as root and as `nobody`; loss
 * injected at R1; a firewall in R2 that drops SIP; the mtr fallback; --ndjson.
 * Every probe goes to 10.77.4x.x / fd77:4x:: inside namespaces this suite creates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../harness/kamailio.js';
import { TRACE_ADDR, traceTopologyUp, type TraceTopology } from '../harness/trace-topology.js';
import { canRunAs, hopAddresses, traceIn, traceLabMissing, validateTraceJson, type TraceJson } from '../harness/trace/lab.js';

const missing = traceLabMissing();
const FAST = ['--rounds', '3', '--interval', '100ms', '--timeout', '1s', '--max-hops', '8', '--json'];
const V4 = [TRACE_ADDR.r1.v4, TRACE_ADDR.r2.v4, TRACE_ADDR.b.v4];
const V6 = [TRACE_ADDR.r1.v6, TRACE_ADDR.r2.v6, TRACE_ADDR.b.v6];

describe.skipIf(missing.length > 0)('voipdiag trace in a netns lab (veth)', () => {
  let topo: TraceTopology;
  let kam: KamailioHandle;
  /** `nobody` can read the checkout (not so in a private temp clone): else the nobody runs are skipped */
  let nobodyCanRun = false;

  beforeAll(async () => {
    topo = await traceTopologyUp();
    kam = await startKamailio({ netns: topo.ns.b, ipv4: TRACE_ADDR.b.v4, ipv6: TRACE_ADDR.b.v6, tls: false });
    nobodyCanRun = await canRunAs('nobody');
    if (!nobodyCanRun) console.warn('trace: nobody cannot read this checkout; the unprivileged runs are skipped');
  }, 60_000);

  afterAll(async () => {
    await kam?.stop();
    await topo?.down();
  }, 60_000);

  const expectThreeHops = (r: TraceJson, addrs: string[], last: string) => {
    expect(hopAddresses(r)).toEqual(addrs);
    expect(r.hops.map((h) => h.answeredBy)).toEqual(['time-exceeded', 'time-exceeded', last]);
    expect(r.hops.every((h) => h.lossPct === 0 && h.status === 'ok')).toBe(true);
    expect(r.destination.ttl).toBe(3);
  };

  for (const [fam, addrs] of [['v4', V4], ['v6', V6]] as const) {
    it(`sip over IPv${fam.slice(1)}: three hops, the final hop answers SIP 200 (exit 0, schema-valid JSON)`, async () => {
      const run = await traceIn(topo.ns.a, [addrs[2]!, ...FAST]);
      expect(run.exitCode, run.stderr).toBe(0);
      const v = validateTraceJson(run.json);
      expect(v.ok, v.errors).toBe(true);
      const r = run.json!.result!;
      expect(r.method).toMatchObject({ name: 'udp-recverr', fallback: false });
      expectThreeHops(r, [...addrs], 'sip');
      expect(r.destination.sip).toMatchObject({ status: 200, server: 'voipdiag-harness-kamailio' });
      expect(r.destination).toMatchObject({ answered: true, lossPct: 0 });
    });

    it(`udp over IPv${fam.slice(1)}: three hops, the target answers port unreachable, end-to-end loss not judged from it`, async () => {
      const run = await traceIn(topo.ns.a, [addrs[2]!, '--proto', 'udp', ...FAST]);
      expect(run.exitCode, run.stderr).toBe(0);
      const r = run.json!.result!;
      expectThreeHops(r, [...addrs], 'port-unreachable');
      expect(r.destination.lossPct).toBeNull();
    });

    it(`icmp over IPv${fam.slice(1)} as root: three hops through a raw socket, the target answers echo`, async () => {
      const run = await traceIn(topo.ns.a, [addrs[2]!, '--proto', 'icmp', ...FAST]);
      expect(run.exitCode, run.stderr).toBe(0);
      const r = run.json!.result!;
      expect(r.method.name).toBe('icmp-raw-socket');
      expectThreeHops(r, [...addrs], 'echo-reply');
    });
  }

  it('as nobody (no capabilities): sip over IPv4 and udp over IPv6 find the three hops', async (ctx) => {
    if (!nobodyCanRun) ctx.skip();
    const sip = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, ...FAST], { user: 'nobody' });
    expect(sip.exitCode, sip.stderr).toBe(0);
    expectThreeHops(sip.json!.result!, V4, 'sip');
    expect(sip.json!.result!.destination.sip?.status).toBe(200);
    const udp = await traceIn(topo.ns.a, [TRACE_ADDR.b.v6, '--proto', 'udp', ...FAST], { user: 'nobody' });
    expect(udp.exitCode, udp.stderr).toBe(0);
    expectThreeHops(udp.json!.result!, V6, 'port-unreachable');
  });

  it('icmp as nobody: a ping socket when ping_group_range allows it, else exit 4 with the three fixes', async (ctx) => {
    if (!nobodyCanRun) ctx.skip();
    await topo.execOk('a', 'sysctl', ['-qw', 'net.ipv4.ping_group_range=0 2147483647']);
    try {
      const ok = await traceIn(topo.ns.a, [TRACE_ADDR.b.v6, '--proto', 'icmp', ...FAST], { user: 'nobody' });
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(ok.json!.result!.method.name).toBe('icmp-ping-socket');
      expectThreeHops(ok.json!.result!, V6, 'echo-reply');
    } finally {
      await topo.execOk('a', 'sysctl', ['-qw', 'net.ipv4.ping_group_range=1 0']);
    }
    const denied = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, '--proto', 'icmp', ...FAST], { user: 'nobody' });
    expect(denied.exitCode).toBe(4);
    expect(denied.json!.error!.code).toBe('ICMP_NOT_PERMITTED');
    const hints = denied.json!.error!.hints.join('\n');
    expect(hints).toContain('ping_group_range');
    expect(hints).toContain('setcap cap_net_raw+ep');
    expect(hints).toContain('sudo');
  });

  it('loss injected at R1 (iptables statistic) is reported from hop 2 onward, and --max-loss breaches (exit 5)', async () => {
    const rule = ['-i', 'r1-a', '-p', 'udp', '-m', 'statistic', '--mode', 'nth', '--every', '3', '--packet', '0', '-j', 'DROP'];
    await topo.execOk('r1', 'iptables', ['-w', '-A', 'FORWARD', ...rule]);
    try {
      const run = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, '--rounds', '24', '--interval', '50ms', '--timeout', '500ms', '--max-hops', '6', '--max-loss', '5', '--json']);
      expect(run.exitCode, run.stderr).toBe(5);
      expect(run.json!.status).toBe('breached');
      const r = run.json!.result!;
      expect(hopAddresses(r)).toEqual(V4);
      const [h1, h2, h3] = r.hops;
      expect(h1).toMatchObject({ lossPct: 0, status: 'ok' });
      expect(h2!.lossPct).toBeGreaterThan(15);
      expect(h3!.lossPct).toBeGreaterThan(15);
      expect(h2!.status).toBe('loss');
      expect(h3!.status).toBe('loss');
      expect(r.findings.find((f) => f.code === 'LOSS_FROM_HOP')?.ttl).toBe(2);
      expect(r.destination.lossPct).toBeGreaterThan(15);
      expect(r.thresholds.breaches.map((b) => b.key)).toContain('loss_pct');
    } finally {
      await topo.execOk('r1', 'iptables', ['-w', '-D', 'FORWARD', ...rule]);
    }
  });

  it('a firewall in R2 dropping UDP 5060: SIP stops at R2 while udp to another port and icmp pass (exit 4)', async () => {
    const rule = ['-p', 'udp', '--dport', '5060', '-j', 'DROP'];
    await topo.execOk('r2', 'iptables', ['-w', '-A', 'FORWARD', ...rule]);
    try {
      const run = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, ...FAST]);
      expect(run.exitCode).toBe(4);
      expect(run.json!.status).toBe('error');
      const r = run.json!.result!;
      expect(validateTraceJson(run.json).ok).toBe(true);
      expect(hopAddresses(r).slice(0, 2)).toEqual(V4.slice(0, 2));
      expect(r.destination.answered).toBe(false);
      expect(r.controls.map((c) => [c.proto, c.reached, c.lastTtl])).toEqual([
        ['udp', true, 3],
        ['icmp', true, 3],
      ]);
      const f = r.findings.find((x) => x.code === 'SIP_FILTERED');
      expect(f?.ttl).toBe(2);
      expect(f?.message).toContain(TRACE_ADDR.r2.v4);
      // and the table says so
      const text = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, '--rounds', '2', '--interval', '100ms', '--timeout', '500ms', '--max-hops', '6']);
      expect(text.exitCode).toBe(4);
      expect(text.stdout).toMatch(/SIP_FILTERED: SIP \(UDP 5060\) stops after hop 2 \(10\.77\.42\.2\)/);
    } finally {
      await topo.execOk('r2', 'iptables', ['-w', '-D', 'FORWARD', ...rule]);
    }
  });

  it('--backend mtr: the fallback traces the path with mtr -j and checks the end with direct OPTIONS, and says so', async () => {
    const run = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, '--backend', 'mtr', '--rounds', '3', '--interval', '200ms', '--timeout', '1s', '--max-hops', '8', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const r = run.json!.result!;
    expect(r.method).toMatchObject({ name: 'mtr', fallback: true });
    expect(r.method.note).toMatch(/^fallback .*mtr -j .*direct SIP OPTIONS/);
    expect(hopAddresses(r)).toEqual(V4);
    expect(r.destination).toMatchObject({ answered: true, lossPct: 0 });
    expect(r.destination.sip?.status).toBe(200);
    expect(run.json!.warnings.map((w) => w.code)).toContain('TRACE_FALLBACK');
  });

  it('--backend traceroute: traceroute -U traces the path (udp), its output parsed into the same hops', async () => {
    const run = await traceIn(topo.ns.a, [TRACE_ADDR.b.v6, '--proto', 'udp', '--backend', 'traceroute', '--rounds', '3', '--timeout', '1s', '--max-hops', '6', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const r = run.json!.result!;
    expect(r.method).toMatchObject({ name: 'traceroute', fallback: true });
    expect(hopAddresses(r)).toEqual(V6);
    expect(r.hops.map((h) => h.received)).toEqual([3, 3, 3]);
    expect(r.hops[2]!.answeredBy).toBe('port-unreachable');
  });

  it('--ndjson prints one line per round, then the result; the table names the SIP answer', async () => {
    const nd = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, '--rounds', '3', '--interval', '100ms', '--timeout', '1s', '--ndjson']);
    expect(nd.exitCode, nd.stderr).toBe(0);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; round?: number; result?: TraceJson });
    expect(lines.map((l) => l.type)).toEqual(['round', 'round', 'round', 'result']);
    expect(lines.slice(0, 3).map((l) => l.round)).toEqual([0, 1, 2]);
    expect(lines[3]!.result!.hops).toHaveLength(3);
    const text = await traceIn(topo.ns.a, [TRACE_ADDR.b.v4, '--rounds', '2', '--interval', '100ms']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('SIP 200 OK');
    expect(text.stdout).toMatch(/SIP answer\s+200 OK/);
    expect(text.stdout).toMatch(/Server\s+voipdiag-harness-kamailio/);
  });
});
