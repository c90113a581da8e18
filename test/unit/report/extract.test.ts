/** The table-driven mapping from each command's result fields to threshold keys. */
import { describe, expect, it } from 'vitest';
import { extractScopes, type Scope } from '../../../src/lib/report/extract.js';
import { analyzeResult, mosResult, probeResult, traceResult } from './envelopes.js';

function byKey(scope: Scope | undefined): Record<string, [number, string][]> {
  const out: Record<string, [number, string][]> = {};
  for (const s of scope?.samples ?? []) (out[s.key] ??= []).push([s.value, s.subject]);
  return out;
}

describe('extractScopes', () => {
  it('analyze: one capture scope; streams, calls, registrations, RFC 6076 and OPTIONS RTT', () => {
    const scopes = extractScopes('analyze', analyzeResult());
    expect(scopes?.map((s) => s.name)).toEqual(['capture']);
    const k = byKey(scopes?.[0]);
    expect(k.rtt_ms).toEqual([[12.5, 'SIP OPTIONS, 3 answered']]);
    // negative loss (duplicates) counts as no loss
    expect(k.loss_pct?.map((x) => x[0])).toEqual([0.2, 2.5, 0]);
    expect(k.loss_pct?.[2]?.[1]).toBe('stream s3 0x00000003 [2001:db8::1]:6000 → [2001:db8::2]:6002');
    expect(k.jitter_ms?.map((x) => x[0])).toEqual([3.1, 17, 0]);
    expect(k.mos_min?.map((x) => x[0])).toEqual([4.3, 3.9]); // null MOS is not measured
    expect(k.srd_ms).toEqual([[120, 'call c1@pbx'], [1800, 'call c2@pbx'], [90, 'call c3@pbx']]);
    expect(k.setup_ms?.map((x) => x[0])).toEqual([2100, 400]);
    expect(k.sdd_ms?.map((x) => x[0])).toEqual([30, 20]);
    expect(k.rrd_ms).toEqual([[80, 'registration sip:alice@pbx']]);
    expect(k.ser_min).toEqual([[66.667, 'RFC 6076 over 3 INVITE attempts']]);
    expect(k.ner_min?.[0]?.[0]).toBe(100);
    expect(k.hop_loss_pct).toBeUndefined();
  });

  it('capture and the analyze-pcap alias share the analyze mapping', () => {
    expect(extractScopes('capture', analyzeResult())).toEqual(extractScopes('analyze', analyzeResult()));
    expect(extractScopes('analyze-pcap', analyzeResult())).toEqual(extractScopes('analyze', analyzeResult()));
  });

  it('probe: one scope per target; probes, register, call media both ways, TLS', () => {
    const scopes = extractScopes('probe', probeResult());
    expect(scopes?.map((s) => s.name)).toEqual(['target sip:pbx.example.com', 'target sip:backup.example.com']);
    const k = byKey(scopes?.[0]);
    expect(k.rtt_ms).toEqual([[42, 'call probes, 9/10 answered']]);
    expect(k.loss_pct).toEqual([[10, 'call probes, 9/10 answered'], [0, 'call media received'], [0.6, 'call media sent']]);
    expect(k.jitter_ms?.map((x) => x[0])).toEqual([4, 2, 25]);
    expect(k.mos_min?.map((x) => x[0])).toEqual([4.4, 4.1]);
    expect(k.srd_ms?.[0]?.[0]).toBe(300);
    expect(k.setup_ms?.[0]?.[0]).toBe(1200);
    expect(k.sdd_ms?.[0]?.[0]).toBe(40);
    expect(k.rrd_ms?.[0]?.[0]).toBe(150);
    expect(k.tls_days_min).toEqual([[10, 'certificate CN=pbx.example.com']]);
    const backup = byKey(scopes?.[1]);
    expect(Object.keys(backup).sort()).toEqual(['loss_pct', 'rtt_ms']);
  });

  it('trace: hop loss only where it is real (not rate limiting, not silent routers); the destination RTT, loss, jitter', () => {
    const scopes = extractScopes('trace', traceResult());
    expect(scopes?.map((s) => s.name)).toEqual(['trace sip:pbx.example.com']);
    const k = byKey(scopes?.[0]);
    expect(k.hop_loss_pct).toEqual([[0, 'hop 1 10.0.0.1'], [3, 'hop 4 198.51.100.9'], [3, 'hop 5 192.0.2.10']]);
    expect(k.rtt_ms).toEqual([[35, 'destination 192.0.2.10']]);
    expect(k.loss_pct?.[0]?.[0]).toBe(3);
    expect(k.jitter_ms?.[0]?.[0]).toBe(6);
  });

  it('mos: the MOS only', () => {
    const scopes = extractScopes('mos', mosResult());
    expect(scopes).toEqual([{ name: 'mos G.711', samples: [{ key: 'mos_min', value: 3.95, subject: 'E-model, G.711, loss 2 %' }] }]);
  });

  it('reads edited JSON defensively: wrong types and missing fields are not measured, never thrown on', () => {
    for (const weird of [{}, { calls: 'x', rtp: { streams: [null, 1, { lostPct: '3' }] } }, { rfc6076: [] }, null, 42]) {
      expect(extractScopes('analyze', weird)?.[0]?.samples).toEqual([]);
    }
    expect(extractScopes('probe', { targets: [{}] })).toEqual([{ name: 'target ?', samples: [] }]);
    expect(extractScopes('trace', { hops: { length: 3 } })?.[0]?.samples).toEqual([]);
    expect(extractScopes('report', {})).toBeUndefined();
  });
});

describe('extractScopes on the trace suite’s golden result (a real TraceResult)', () => {
  it('every answered hop and the destination are measured', async () => {
    const { readFileSync } = await import('node:fs');
    const trace = JSON.parse(readFileSync(new URL('../trace/golden/trace-sip.json', import.meta.url), 'utf8')) as {
      target: { input: string };
      hops: { ttl: number; status: string }[];
      destination: { rttMs: { avg: number } };
    };
    const [scope] = extractScopes('trace', trace) ?? [];
    expect(scope?.name).toBe(`trace ${trace.target.input}`);
    const hopSamples = scope?.samples.filter((s) => s.key === 'hop_loss_pct') ?? [];
    expect(hopSamples.length).toBe(trace.hops.filter((h) => h.status === 'ok' || h.status === 'loss').length);
    expect(scope?.samples.find((s) => s.key === 'rtt_ms')?.value).toBe(trace.destination.rttMs.avg);
  });
});
