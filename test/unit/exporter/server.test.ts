/**
 * The Prometheus exporter (src/lib/exporter/server.ts) fed by the analysis engine exactly as
 * `capture --serve` feeds it (live mode, the exporter's events), over a lab-made capture whose
 * ground truth is known (fixtures/lab-made/mixed.pcap: 5 answered calls, 2 busy, 1 unanswered
 * 408, 1 cancelled, 2 registrations of which 1 fails; both proxy legs). /metrics must say what
 * the scenario did, per carrier and device type; /healthz answers; --serve addresses parse.
 * The server listens on 127.0.0.1 only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListen, startPrometheusExporter } from '../../../src/lib/exporter/server.js';
import { AnalysisEngine } from '../../../src/lib/engine/analysis-engine.js';
import { parseCapture } from '../../../src/lib/pcap/stream-parser.js';
import type { Exporter } from '../../../src/lib/tasks/exporter.js';
import type { CallRow } from '../../../src/lib/engine/analysis-result.js';
import type { Frame } from '../../../src/lib/pcap/frame.js';
import { VoipdiagError } from '../../../src/lib/errors.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MIXED = join(ROOT, 'fixtures', 'lab-made', 'mixed.pcap');
const scenario = JSON.parse(readFileSync(`${MIXED}.scenario.json`, 'utf8')) as {
  sipStat: { methods: Record<string, number>; statusCodes: Record<string, number> };
  metricsUacLeg: { SER: number; SEER: number; ISA: number; SCR: number; ASR: number };
};

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition → samples (enough of the format for prom-client's output). */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function sumBy(samples: Sample[], name: string, by: string, where: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || Object.entries(where).some(([k, v]) => s.labels[k] !== v)) continue;
    const k = s.labels[by] ?? '';
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

const value = (samples: Sample[], name: string, where: Record<string, string> = {}) => Object.values(sumBy(samples, name, '__none__', where))[0];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'voipdiag-exporter-server-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Replay a capture through a live-mode engine wired to an exporter, as runCapture does. */
async function replay(opts: { carriers?: string; uaTypes?: string }): Promise<{ exporter: Exporter; engine: AnalysisEngine; metrics: Sample[]; text: string; rows: CallRow[] }> {
  const exporter = await startPrometheusExporter({ listen: `127.0.0.1:${await freePort()}`, carriersFile: opts.carriers, uaTypesFile: opts.uaTypes });
  const rows: CallRow[] = [];
  const engine = new AnalysisEngine({ rtpHeuristic: true, live: {}, events: exporter.events((row) => rows.push(row)) });
  exporter.attach(engine);
  parseCapture(readFileSync(MIXED), (f) => engine.push(f));
  exporter.updateCapture({ elapsedSec: 1, frames: engine.frames, sipMessages: 0, activeCalls: 0, finishedCalls: 0, streams: 0, worstMos: null, dropped: 0 });
  const r = await fetch(`http://${exporter.address}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  return { exporter, engine, metrics: parseExposition(text), text, rows };
}

describe('exporter over lab-made/mixed.pcap, carrier lab from 127.0.0.1/32', () => {
  let run: Awaited<ReturnType<typeof replay>>;
  beforeAll(async () => {
    const carriers = join(tmp, 'carriers.yaml');
    writeFileSync(carriers, 'carriers:\n  far-away: [192.0.2.0/24]\n  lab: [127.0.0.1/32]\n');
    const uaTypes = join(tmp, 'ua.yaml');
    writeFileSync(uaTypes, "ua_types:\n  kamailio: 'kamailio'\n  sipp: 'voipdiag-harness-uac'\n");
    run = await replay({ carriers, uaTypes });
  });
  afterAll(async () => {
    await run?.exporter.close();
  });

  it('counts every SIP request by method and response by code, as tshark did (both legs)', () => {
    expect(sumBy(run.metrics, 'voipdiag_sip_requests_total', 'method')).toEqual(scenario.sipStat.methods);
    expect(sumBy(run.metrics, 'voipdiag_sip_responses_total', 'code')).toEqual(scenario.sipStat.statusCodes);
    expect(value(run.metrics, 'voipdiag_sip_retransmissions_total')).toBeUndefined();
  });

  it('labels everything with the configured carrier and device type only', () => {
    const carriers = new Set(run.metrics.filter((s) => s.labels.carrier !== undefined).map((s) => s.labels.carrier));
    expect(carriers).toEqual(new Set(['lab']));
    const uaTypes = new Set(run.metrics.filter((s) => s.labels.ua_type !== undefined).map((s) => s.labels.ua_type));
    expect(uaTypes).toEqual(new Set(['sipp']));
  });

  it('counts calls by outcome, ineffective sessions, and one CDR per call', () => {
    expect(sumBy(run.metrics, 'voipdiag_calls_total', 'outcome')).toEqual({ answered: 5, failed: 3, cancelled: 1 });
    expect(value(run.metrics, 'voipdiag_iss_total', { carrier: 'lab' })).toBe(1);
    expect(run.rows).toHaveLength(9);
    expect(run.rows.map((r) => r.finalStatus).sort()).toEqual([200, 200, 200, 200, 200, 408, 486, 486, 487]);
  });

  it('gives the RFC 6076 ratios of the scenario per carrier, in percent', () => {
    const m = scenario.metricsUacLeg;
    expect(value(run.metrics, 'voipdiag_ser', { carrier: 'lab' })).toBeCloseTo(m.SER, 1);
    expect(value(run.metrics, 'voipdiag_seer', { carrier: 'lab' })).toBeCloseTo(m.SEER, 1);
    expect(value(run.metrics, 'voipdiag_isa', { carrier: 'lab' })).toBeCloseTo(m.ISA, 1);
    expect(value(run.metrics, 'voipdiag_scr', { carrier: 'lab' })).toBeCloseTo(m.SCR, 1);
    expect(value(run.metrics, 'voipdiag_asr', { carrier: 'lab' })).toBeCloseTo(m.ASR, 1);
    expect(value(run.metrics, 'voipdiag_ner', { carrier: 'lab' })).toBeCloseTo(100 - m.ISA, 1);
  });

  it('counts registrations (the 401 challenge is not a failure) and observes RRD', () => {
    expect(sumBy(run.metrics, 'voipdiag_registrations_total', 'result')).toEqual({ success: 1, failure: 1 });
    expect(value(run.metrics, 'voipdiag_registration_success_ratio', { carrier: 'lab' })).toBe(0.5);
    expect(value(run.metrics, 'voipdiag_rrd_ms_count')).toBe(1);
  });

  it('fills the delay histograms from the call rows (SRD for 9, setup/SDD/SDT for the 5 answered)', () => {
    expect(value(run.metrics, 'voipdiag_srd_ms_count')).toBe(9);
    expect(value(run.metrics, 'voipdiag_setup_ms_count')).toBe(5);
    expect(value(run.metrics, 'voipdiag_sdd_ms_count')).toBe(5);
    expect(value(run.metrics, 'voipdiag_sdt_seconds_count')).toBe(5);
    const setupSum = run.rows.reduce((n, r) => n + (r.setupMs ?? 0), 0);
    expect(value(run.metrics, 'voipdiag_setup_ms_sum')).toBeCloseTo(setupSum, 6);
    // cumulative buckets: the +Inf bucket is the count, and buckets never decrease
    const buckets = run.metrics.filter((s) => s.name === 'voipdiag_setup_ms_bucket');
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    expect(buckets.at(-1)?.value).toBe(5);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
  });

  it('scores each stream of the answered calls once (MOS, jitter, loss)', () => {
    // 4 streams per answered call (PCMA and telephone-event, each way); MOS for the voice ones
    expect(value(run.metrics, 'voipdiag_rtp_jitter_ms_count')).toBe(20);
    expect(value(run.metrics, 'voipdiag_rtp_loss_percent_count')).toBe(20);
    const mosCount = value(run.metrics, 'voipdiag_rtp_mos_count')!;
    expect(mosCount).toBeGreaterThanOrEqual(10);
    expect(value(run.metrics, 'voipdiag_rtp_mos_sum')! / mosCount).toBeGreaterThan(4.2);
  });

  it('live gauges: no dialog left in progress, packets analysed, drops', () => {
    expect(run.metrics.filter((s) => s.name === 'voipdiag_dialogs_active')).toEqual([]);
    expect(value(run.metrics, 'voipdiag_capture_packets')).toBe(560);
    expect(value(run.metrics, 'voipdiag_capture_dropped_packets')).toBe(0);
  });

  it('/healthz answers ok, anything else 404', async () => {
    const h = await fetch(`http://${run.exporter.address}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('ok\n');
    expect((await fetch(`http://${run.exporter.address}/nope`)).status).toBe(404);
  });
});

describe('live mode: a late INVITE copy of a finished call', () => {
  it('is the finished call (as offline analysis has it), not a new dialog left active', async () => {
    // lab-made/busy.pcap (INVITE, 100, INVITE on the proxy leg, 100, 486, ACK, 486, ACK), then
    // kamailio re-forwarding a late retransmission as a new transaction (new branch), 6 s later
    const frames: Frame[] = [];
    parseCapture(readFileSync(join(ROOT, 'fixtures', 'lab-made', 'busy.pcap')), (f) => frames.push({ ...f, data: Uint8Array.from(f.data) }));
    const proxied = frames[2]!;
    const text = Buffer.from(proxied.data).toString('latin1');
    expect(text).toContain('INVITE sip:busy@');
    const late: Frame = { ...proxied, data: Uint8Array.from(Buffer.from(text.replace('z9hG4bK0311.', 'z9hG4bK0312.'), 'latin1')), tsSec: frames.at(-1)!.tsSec + 6, index: frames.length + 1 };
    const exporter = await startPrometheusExporter({ listen: `127.0.0.1:${await freePort()}` });
    try {
      const engine = new AnalysisEngine({ rtpHeuristic: true, live: {}, events: exporter.events() });
      exporter.attach(engine);
      for (const f of [...frames, late]) engine.push(f);
      const metrics = parseExposition(await (await fetch(`http://${exporter.address}/metrics`)).text());
      expect(metrics.filter((s) => s.name === 'voipdiag_dialogs_active')).toEqual([]);
      expect(sumBy(metrics, 'voipdiag_calls_total', 'outcome')).toEqual({ failed: 1 });
      const live = engine.finish({ files: [] });
      const offline = new AnalysisEngine({ rtpHeuristic: true });
      for (const f of [...frames, late]) offline.push(f);
      const off = offline.finish({ files: [] });
      expect(live.calls.map((c) => [c.callId, c.finalStatus])).toEqual(off.calls.map((c) => [c.callId, c.finalStatus]));
      expect(live.calls).toHaveLength(1);
      expect(live.rfc6076).toEqual(off.rfc6076);
    } finally {
      await exporter.close();
    }
  });
});

describe('exporter without label files', () => {
  it('labels everything "other"', async () => {
    const run = await replay({});
    try {
      const carriers = new Set(run.metrics.filter((s) => s.labels.carrier !== undefined).map((s) => s.labels.carrier));
      const uaTypes = new Set(run.metrics.filter((s) => s.labels.ua_type !== undefined).map((s) => s.labels.ua_type));
      expect(carriers).toEqual(new Set(['other']));
      expect(uaTypes).toEqual(new Set(['other']));
      expect(sumBy(run.metrics, 'voipdiag_calls_total', 'outcome')).toEqual({ answered: 5, failed: 3, cancelled: 1 });
    } finally {
      await run.exporter.close();
    }
  });

  it('refuses a port already taken, as a network error with a hint', async () => {
    const port = await freePort();
    const first = await startPrometheusExporter({ listen: `127.0.0.1:${port}` });
    try {
      const e = await startPrometheusExporter({ listen: `127.0.0.1:${port}` }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(VoipdiagError);
      expect((e as VoipdiagError).code).toBe('SERVE_FAILED');
      expect((e as VoipdiagError).message).toContain('EADDRINUSE');
    } finally {
      await first.close();
    }
  });
});

describe('parseListen (--serve)', () => {
  it.each([
    ['127.0.0.1:9091', { host: '127.0.0.1', port: 9091 }],
    [':9091', { host: '127.0.0.1', port: 9091 }],
    ['9091', { host: '127.0.0.1', port: 9091 }],
    ['0.0.0.0:9100', { host: '0.0.0.0', port: 9100 }],
    ['[::1]:9091', { host: '::1', port: 9091 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
  ])('%s', (text, want) => {
    expect(parseListen(text)).toEqual(want);
  });

  it.each(['', 'host:', 'host:0', '127.0.0.1:65536', '127.0.0.1:http', '[::1]', ':-1'])('rejects %j as a usage error', (text) => {
    let err: unknown;
    try {
      parseListen(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VoipdiagError);
    expect((err as VoipdiagError).code).toBe('BAD_LISTEN');
  });
});
