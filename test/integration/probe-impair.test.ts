/**
 * The synthetic call through a userspace UDP impairment relay (test/harness-probe/udp-impair.ts)
 * on the RTP path: our RTP goes to the relay, the relay forwards it to the sipp echo UAS, and
 * the echo comes back through the relay, which drops 5 % of it and delays it by uniform(0, 20) ms
 * (seeded: seed 5 drops packets 13 of the first 250 on that direction). The reported loss must
 * match what was injected, the jitter the J/3 the model predicts, and MOS fall below the clean
 * call's. Loopback only; the relay closes itself after 30 s or 5000 packets.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { labAvailable, startLab, useLabSafetyNet, type Lab } from '../harness/index.js';
import { startImpairRelay } from '../harness-probe/udp-impair.js';
import { runProbe, type ProbeTaskOptions } from '../../src/lib/tasks/probe.js';

describe.skipIf(!labAvailable())('probe call through an impairment relay', () => {
  useLabSafetyNet();
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ uas: ['echo'] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const callOpts = (): ProbeTaskOptions => ({
    targets: [`sip:127.0.0.1:${lab.ports.sip}`],
    mode: 'call',
    callUri: `sip:echo@127.0.0.1:${lab.ports.sip}`,
    durationMs: 5000,
    count: 1,
    watch: false,
    intervalMs: 1000,
    timeoutMs: 2000,
  });

  test('5 % loss and 20 ms jitter on the RTP path: loss within ±1.5 points, jitter ≈ J/3, MOS below the clean call', async () => {
    const clean = await runProbe(callOpts());
    const cleanCall = clean.result.targets[0]?.call;
    expect(cleanCall?.rx.lossPct).toBe(0);
    expect(cleanCall?.rx.mos).toBeGreaterThanOrEqual(4.2);

    const relay = await startImpairRelay({
      target: { ip: '127.0.0.1', port: lab.ports.uasMedia.echo },
      down: { lossPct: 5, jitterMs: 20 },
      seed: 5,
      maxSeconds: 30,
      maxPackets: 5000,
    });
    let impaired;
    try {
      impaired = await runProbe({ ...callOpts(), rtpOverride: { ip: '127.0.0.1', port: relay.port } });
    } finally {
      await relay.close();
    }
    const stats = relay.stats();
    const call = impaired.result.targets[0]?.call;
    expect(call?.status).toBe(200);
    if (!call || call.rx.lossPct === null || call.rx.jitterMs === null || call.rx.mos === null) throw new Error('no rx metrics');
    const injectedPct = (stats.down.dropped / stats.down.received) * 100;
    // the relay saw every packet we sent, and dropped what it was told to
    expect(stats.up.received).toBe(call.tx.packets);
    expect(injectedPct).toBeGreaterThan(3.5);
    expect(injectedPct).toBeLessThan(6.5);
    expect(Math.abs(call.rx.lossPct - 5)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(call.rx.lossPct - injectedPct)).toBeLessThanOrEqual(0.5);
    // uniform(0, 20 ms) extra delay: RFC 3550 jitter → E|U1 − U2| = 20/3 ≈ 6.7 ms
    expect(call.rx.jitterMs).toBeGreaterThan(4);
    expect(call.rx.jitterMs).toBeLessThan(10);
    expect(call.rx.mos).toBeLessThan((cleanCall?.rx.mos ?? 5) - 0.2);
    expect(call.tx.source).toBe('echo');
    // the echo came from the relay, not from the address in the SDP answer
    expect(impaired.result.targets[0]?.findings.map((f) => f.code)).toContain('RTP_SOURCE_DIFFERS');
    expect(clean.result.targets[0]?.findings).toEqual([]);
    console.log(
      `impairment: injected ${stats.down.dropped}/${stats.down.received} (${injectedPct.toFixed(2)} %), measured loss ${call.rx.lossPct} %, ` +
        `jitter ${call.rx.jitterMs} ms, MOS ${call.rx.mos} (clean ${cleanCall?.rx.mos}, clean jitter ${cleanCall?.rx.jitterMs} ms)`,
    );
  });
});
