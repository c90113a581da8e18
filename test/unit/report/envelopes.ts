/**
 * Hand-built voipdiag envelopes for the report tests. The results are typed as deep partials of
 * the real result types, so a renamed field in analysis-result.ts, probe/result.ts or
 * trace/result.ts fails type-checking here instead of silently measuring nothing.
 */
import type { AnalyzeResult } from '../../../src/lib/engine/analysis-result.js';
import type { MosResult } from '../../../src/lib/mos/index.js';
import type { ProbeResult } from '../../../src/lib/probe/result.js';
import type { TraceResult } from '../../../src/lib/trace/result.js';

export type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export function envelope(command: string, result: unknown, status = 'ok'): string {
  return JSON.stringify({ schemaVersion: 1, command, status, result, warnings: [] });
}

const delay = (max: number | null) => ({ count: max === null ? 0 : 1, min: max, avg: max, p50: max, p95: max, max });

export function analyzeResult(): DeepPartial<AnalyzeResult> {
  return {
    sip: { messages: 40, optionsRttMs: { count: 3, min: 10, avg: 12.5, p50: 12, p95: 15, max: 15 } },
    calls: [
      { callId: 'c1@pbx', srdMs: 120, setupMs: 2100, sddMs: 30, finalStatus: 200 },
      { callId: 'c2@pbx', srdMs: 1800, setupMs: null, sddMs: null, finalStatus: 486 },
      { callId: 'c3@pbx', srdMs: 90, setupMs: 400, sddMs: 20, finalStatus: 200 },
    ],
    rfc6076: { attempts: 3, serPct: 66.667, nerPct: 100 },
    registrations: [{ aor: 'sip:alice@pbx', rrdMs: delay(80) }, { aor: 'sip:bob@pbx', rrdMs: delay(null) }],
    rtp: {
      streams: [
        { id: 's1', ssrc: '0x00000001', src: { ip: '10.0.0.1', port: 4000 }, dst: { ip: '10.0.0.2', port: 5000 }, lostPct: 0.2, meanJitterMs: 3.1, mos: 4.3 },
        { id: 's2', ssrc: '0x00000002', src: { ip: '10.0.0.2', port: 5000 }, dst: { ip: '10.0.0.1', port: 4000 }, lostPct: 2.5, meanJitterMs: 17, mos: 3.9 },
        { id: 's3', ssrc: '0x00000003', src: { ip: '2001:db8::1', port: 6000 }, dst: { ip: '2001:db8::2', port: 6002 }, lostPct: -25, meanJitterMs: 0, mos: null },
      ],
      rtcp: [],
    },
  };
}

export function probeResult(): DeepPartial<ProbeResult> {
  return {
    targets: [
      {
        target: 'sip:pbx.example.com',
        mode: 'call',
        summary: { sent: 10, answered: 9, lossPct: 10, rttMs: { min: 20, avg: 42, max: 80, mdev: 5 }, jitterMs: 4 },
        register: { status: 200, rrdMs: 150 },
        call: {
          srdMs: 300,
          setupMs: 1200,
          sddMs: 40,
          rx: { packets: 500, lossPct: 0, jitterMs: 2, mos: 4.4, source: 'measured' },
          tx: { packets: 500, lossPct: 0.6, jitterMs: 25, mos: 4.1, source: 'rtcp' },
        },
        tls: { subject: 'CN=pbx.example.com', daysToExpiry: 10 },
      },
      { target: 'sip:backup.example.com', mode: 'options', summary: { sent: 5, answered: 5, lossPct: 0, rttMs: { min: 5, avg: 6, max: 7, mdev: 1 }, jitterMs: null } },
    ],
  };
}

export function traceResult(): DeepPartial<TraceResult> {
  return {
    target: { input: 'sip:pbx.example.com', host: 'pbx.example.com', address: '192.0.2.10' },
    hops: [
      { ttl: 1, address: '10.0.0.1', lossPct: 0, status: 'ok' },
      { ttl: 2, address: '198.51.100.1', lossPct: 40, status: 'rate-limited?' },
      { ttl: 3, address: null, lossPct: 100, status: 'no-reply' },
      { ttl: 4, address: '198.51.100.9', lossPct: 3, status: 'loss' },
      { ttl: 5, address: '192.0.2.10', lossPct: 3, status: 'loss' },
    ],
    destination: { address: '192.0.2.10', lossPct: 3, rttMs: { best: 30, avg: 35, worst: 50, stdev: 4, jitter: 6 } },
  };
}

export function mosResult(mos = 3.95): DeepPartial<MosResult> {
  return { r: 80, mos, band: 'acceptable', inputs: { codec: 'g711', codecName: 'G.711', lossPct: 2 } };
}
