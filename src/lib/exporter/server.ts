/**
 * `capture --serve`: Prometheus text exposition on /metrics (prom-client) and /healthz, fed by
 * the analysis engine's live events. Metric names and the `carrier`/`ua_type` label scheme
 * follow sip-exporter's so dashboards carry over; ratios are percentages 0–100 as in RFC 6076.
 * Binds loopback unless an address is given.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AnalysisEngine, EngineEvents } from '../engine/analysis-engine.js';
import type { CallRow, RtpStreamRow } from '../engine/analysis-result.js';
import { Rfc6076Accumulator } from '../metrics/rfc6076.js';
import { usageError, networkError } from '../errors.js';
import type { Exporter, ExporterOptions } from '../tasks/exporter.js';
import type { CaptureStatus } from '../tasks/capture.js';
import { OTHER, loadCarrierMap, loadUaTypeMap } from './labels.js';

const MS_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];
const SDT_BUCKETS_SEC = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export function parseListen(text: string): { host: string; port: number } {
  const t = text.trim();
  let host = '127.0.0.1';
  let portText = t;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (v6) {
    host = v6[1] as string;
    portText = v6[2] as string;
  } else if (t.includes(':')) {
    const i = t.lastIndexOf(':');
    if (i > 0) host = t.slice(0, i);
    portText = t.slice(i + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw usageError('BAD_LISTEN', `--serve ${text}: expected HOST:PORT, :PORT or PORT`);
  return { host, port };
}

interface CallLabels {
  carrier: string;
  uaType: string;
}

export async function startPrometheusExporter(opts: ExporterOptions): Promise<Exporter> {
  const carriers = loadCarrierMap(opts.carriersFile);
  const uaTypes = loadUaTypeMap(opts.uaTypesFile);
  const { host, port } = parseListen(opts.listen);
  const reg = new Registry();
  const labelNames = ['carrier', 'ua_type'] as const;

  const requests = new Counter({ name: 'voipdiag_sip_requests_total', help: 'SIP requests seen, by method', labelNames: ['method', ...labelNames], registers: [reg] });
  const responses = new Counter({ name: 'voipdiag_sip_responses_total', help: 'SIP responses seen, by status code and CSeq method', labelNames: ['code', 'method', ...labelNames], registers: [reg] });
  const retrans = new Counter({ name: 'voipdiag_sip_retransmissions_total', help: 'SIP retransmissions seen', labelNames, registers: [reg] });
  const calls = new Counter({ name: 'voipdiag_calls_total', help: 'INVITE sessions ended, by outcome', labelNames: ['outcome', ...labelNames], registers: [reg] });
  const iss = new Counter({ name: 'voipdiag_iss_total', help: 'Ineffective sessions: INVITE answered 408, 500, 503 or 504', labelNames, registers: [reg] });
  const regs = new Counter({ name: 'voipdiag_registrations_total', help: 'Registration attempts ended, by result', labelNames: ['result', ...labelNames], registers: [reg] });
  const hist = (name: string, help: string, buckets = MS_BUCKETS) => new Histogram({ name, help, labelNames, buckets, registers: [reg] });
  const rrd = hist('voipdiag_rrd_ms', 'RFC 6076 §4.1 Registration Request Delay, ms');
  const srd = hist('voipdiag_srd_ms', 'RFC 6076 §4.3 Session Request Delay (INVITE → first 18x, or final), ms');
  const setup = hist('voipdiag_setup_ms', 'INVITE → 2xx, ms');
  const sdd = hist('voipdiag_sdd_ms', 'RFC 6076 §4.4 Session Disconnect Delay, ms');
  const sdt = hist('voipdiag_sdt_seconds', 'RFC 6076 §4.5 Session Duration Time, s', SDT_BUCKETS_SEC);
  const optionsRtt = hist('voipdiag_options_rtt_ms', 'OPTIONS request → response, ms');
  const mos = hist('voipdiag_rtp_mos', 'E-model MOS per RTP stream', [1, 2, 2.5, 3, 3.5, 3.8, 4, 4.2, 4.4, 4.5]);
  const jitter = hist('voipdiag_rtp_jitter_ms', 'Mean RFC 3550 jitter per RTP stream, ms', [1, 2, 5, 10, 20, 30, 50, 100, 200]);
  const loss = hist('voipdiag_rtp_loss_percent', 'RTP packet loss per stream, %', [0, 0.1, 0.5, 1, 2, 5, 10, 20, 50, 100]);

  const perCarrier = new Map<string, { acc: Rfc6076Accumulator; regOk: number; regAll: number }>();
  const stateOf = (carrier: string) => {
    let s = perCarrier.get(carrier);
    if (!s) perCarrier.set(carrier, (s = { acc: new Rfc6076Accumulator(), regOk: 0, regAll: 0 }));
    return s;
  };
  const ratio = (name: string, help: string, pick: (r: ReturnType<Rfc6076Accumulator['result']>) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['carrier'],
      registers: [reg],
      collect() {
        this.reset();
        for (const [carrier, s] of perCarrier) {
          const v = pick(s.acc.result());
          if (v !== null) this.set({ carrier }, v);
        }
      },
    });
  ratio('voipdiag_ser', 'RFC 6076 §4.7 Session Establishment Ratio, %', (r) => r.serPct);
  ratio('voipdiag_seer', 'RFC 6076 §4.8 Session Establishment Effectiveness Ratio, %', (r) => r.seerPct);
  ratio('voipdiag_isa', 'RFC 6076 §4.9 Ineffective Session Attempts, %', (r) => r.isaPct);
  ratio('voipdiag_scr', 'RFC 6076 §4.10 Session Completion Ratio, %', (r) => r.scrPct);
  ratio('voipdiag_asr', 'ITU-T E.411 Answer Seizure Ratio, %', (r) => r.asrPct);
  ratio('voipdiag_ner', 'Network Effectiveness Ratio (100 − ISA), %', (r) => r.nerPct);
  new Gauge({
    name: 'voipdiag_registration_success_ratio',
    help: 'Successful registration attempts ÷ attempts (0–1)',
    labelNames: ['carrier'],
    registers: [reg],
    collect() {
      this.reset();
      for (const [carrier, s] of perCarrier) if (s.regAll > 0) this.set({ carrier }, s.regOk / s.regAll);
    },
  });

  let engine: AnalysisEngine | undefined;
  let status: CaptureStatus | undefined;
  const byCallId = new Map<string, CallLabels>();
  new Gauge({
    name: 'voipdiag_dialogs_active',
    help: 'INVITE dialogs in progress',
    labelNames: ['carrier'],
    registers: [reg],
    collect() {
      this.reset();
      if (!engine) return;
      const counts = new Map<string, number>();
      for (const c of engine.sip.calls.values()) {
        const carrier = byCallId.get(c.callId)?.carrier ?? OTHER;
        counts.set(carrier, (counts.get(carrier) ?? 0) + 1);
      }
      for (const [carrier, n] of counts) this.set({ carrier }, n);
    },
  });
  new Gauge({ name: 'voipdiag_rtp_streams_active', help: 'RTP streams being received', registers: [reg], collect() { this.set(engine?.media.activeStreams ?? 0); } });
  new Gauge({ name: 'voipdiag_capture_packets', help: 'Packets analysed since start', registers: [reg], collect() { this.set(engine?.frames ?? 0); } });
  new Gauge({ name: 'voipdiag_capture_dropped_packets', help: 'Packets the kernel dropped before the capturer read them', registers: [reg], collect() { this.set(status?.dropped ?? 0); } });

  const remember = (callId: string, l: CallLabels) => {
    if (byCallId.size >= 200_000) byCallId.delete(byCallId.keys().next().value as string);
    byCallId.set(callId, l);
  };
  const observedStreams = new Set<string>();
  const observeStream = (row: RtpStreamRow, l: CallLabels) => {
    const key = `${row.id}`;
    if (observedStreams.has(key)) return;
    if (observedStreams.size > 100_000) observedStreams.clear();
    observedStreams.add(key);
    const lab = { carrier: l.carrier, ua_type: l.uaType };
    if (row.mos !== null) mos.observe(lab, row.mos);
    jitter.observe(lab, row.meanJitterMs);
    loss.observe(lab, Math.max(0, row.lostPct));
  };

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      reg.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': reg.contentType });
          res.end(text);
        },
        (e: Error) => {
          res.writeHead(500);
          res.end(e.message);
        },
      );
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(networkError('SERVE_FAILED', `cannot listen on ${host}:${port}: ${e.code ?? e.message}`, ['pick another port with --serve HOST:PORT'])),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const address = typeof addr === 'object' && addr ? (addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`) : `${host}:${port}`;

  return {
    address,
    attach(e) {
      engine = e;
    },
    updateCapture(s) {
      status = s;
    },
    events(onCall?: (row: CallRow) => void): EngineEvents {
      return {
        sipMessage(msg, ctx, retransmission) {
          const callId = msg.callId ?? '';
          let l = byCallId.get(callId);
          if (!l && msg.kind === 'request') {
            l = { carrier: carriers.match(ctx.src), uaType: uaTypes.match(msg.userAgent) };
            remember(callId, l);
          }
          const labels = l ?? { carrier: carriers.match(ctx.dst), uaType: uaTypes.match(msg.userAgent ?? msg.server) };
          const lab = { carrier: labels.carrier, ua_type: labels.uaType };
          if (retransmission) retrans.inc(lab);
          if (msg.kind === 'request') requests.inc({ method: msg.method ?? 'UNKNOWN', ...lab });
          else responses.inc({ code: String(msg.statusCode), method: msg.cseq?.method ?? '', ...lab });
        },
        callEnd(row, call) {
          const l = byCallId.get(row.callId) ?? { carrier: carriers.match(row.caller.ip), uaType: uaTypes.match(row.userAgents.caller ?? undefined) };
          const lab = { carrier: l.carrier, ua_type: l.uaType };
          stateOf(l.carrier).acc.addCall(call);
          const st = row.finalStatus;
          const outcome = st === null ? 'unanswered' : st < 300 ? 'answered' : st < 400 ? 'redirected' : st === 487 ? 'cancelled' : 'failed';
          calls.inc({ outcome, ...lab });
          if (st === 408 || st === 500 || st === 503 || st === 504) iss.inc(lab);
          if (row.srdMs !== null) srd.observe(lab, row.srdMs);
          if (row.setupMs !== null) setup.observe(lab, row.setupMs);
          if (row.sddMs !== null) sdd.observe(lab, row.sddMs);
          if (row.durationMs !== null && row.endedBy !== 'open') sdt.observe(lab, row.durationMs / 1000);
          if (engine) {
            for (const s of engine.media.rowsOfCall(call.key, 0)) observeStream(s, l);
          }
          onCall?.(row);
        },
        registration(r) {
          const l = byCallId.get(r.callId) ?? { carrier: carriers.match(r.ctx.dst), uaType: OTHER };
          const s = stateOf(l.carrier);
          s.regAll++;
          if (r.ok) s.regOk++;
          const lab = { carrier: l.carrier, ua_type: l.uaType };
          regs.inc({ result: r.ok ? 'success' : 'failure', ...lab });
          if (r.rrdMs !== null) rrd.observe(lab, r.rrdMs);
          s.acc.addRegistration({ attempts: 1, successes: r.ok ? 1 : 0, failures: r.ok ? {} : { [String(r.status)]: 1 }, rrdMs: r.rrdMs === null ? [] : [r.rrdMs] });
        },
        optionsRtt(ms, ctx) {
          optionsRtt.observe({ carrier: carriers.match(ctx.dst), ua_type: OTHER }, ms);
        },
        streamEnd(row) {
          const l = (row.callId ? byCallId.get(row.callId) : undefined) ?? { carrier: carriers.match(row.src.ip), uaType: OTHER };
          observeStream(row, l);
        },
      };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
