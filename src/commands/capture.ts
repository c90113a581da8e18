import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import type { AnalyzeResult } from '../lib/engine/analysis-result.js';
import { usageError } from '../lib/errors.js';
import { renderAnalyze } from '../lib/output/analyze-view.js';
import { captureStatusLine } from '../lib/output/capture-view.js';
import { parseDurationMs } from '../lib/probe/duration.js';
import { cdrEvent, runCapture } from '../lib/tasks/capture.js';
import { DEFAULT_LIVE_CALL_ROWS } from '../lib/engine/analysis-engine.js';
import { DEFAULT_CAPTURE_FILTER } from '../lib/io/live-capture.js';
import { startExporter } from '../lib/tasks/exporter.js';
import { exitAfterFlush } from '../lib/io/libpcap-capture.js';

export default class Capture extends BaseCommand {
  static override summary = 'Capture SIP/RTP live from an interface and analyse it as analyze would.';
  static override description =
    'Runs tcpdump (or dumpcap) and parses its pcap stream in-process with the analyze engine: calls, RFC 6076 ' +
    'metrics, RTP quality and MOS for what was captured, kernel drop counters, an optional NDJSON event stream ' +
    '(one line per finished call) and an optional Prometheus exporter (--serve). Capturing needs CAP_NET_RAW ' +
    'for the capturer (tcpdump), never for voipdiag itself.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -i eth0 --duration 60',
    '<%= config.bin %> <%= command.id %> -i any --duration 5m --write calls.pcap --json',
    '<%= config.bin %> <%= command.id %> -i eth0 --ndjson | jq -c "select(.type==\\"call\\")"',
    '<%= config.bin %> <%= command.id %> -i eth0 --serve 127.0.0.1:9091 --carriers carriers.yaml',
  ];
  static override flags = {
    interface: Flags.string({ char: 'i', description: 'interface to capture on (any: all, as Linux SLL2)', required: true }),
    filter: Flags.string({ description: 'BPF capture filter', default: DEFAULT_CAPTURE_FILTER }),
    duration: Flags.string({ description: 'stop after this long (60, 30s, 5m); default: until Ctrl-C' }),
    count: Flags.integer({ description: 'stop after this many packets', min: 1 }),
    write: Flags.string({ char: 'w', description: 'also write what was captured to this pcap file' }),
    snaplen: Flags.integer({ description: 'bytes captured per packet (0: whole packet)', default: 0, min: 0 }),
    backend: Flags.string({
      description: 'capture source: tcpdump (default), dumpcap, or libpcap (the optional npm pcap binding, in-process)',
      options: ['tcpdump', 'dumpcap', 'libpcap'],
      default: 'tcpdump',
    }),
    ndjson: Flags.boolean({ description: 'one JSON line per finished call and per finding, as they happen', exclusive: ['json'] }),
    progress: Flags.boolean({ description: 'periodic status lines on stderr even without a terminal' }),
    serve: Flags.string({ description: 'Prometheus exporter: serve /metrics and /healthz on HOST:PORT until stopped' }),
    carriers: Flags.string({ description: 'YAML: carrier name → list of CIDRs (the "carrier" label)', dependsOn: ['serve'] }),
    'ua-types': Flags.string({ description: 'YAML: label → User-Agent regex (the "ua_type" label)', dependsOn: ['serve'] }),
    'rtp-heuristic': Flags.boolean({ description: 'find RTP on UDP flows no SDP announced', default: true, allowNo: true }),
    'max-call-rows': Flags.integer({
      description: `finished calls kept as rows for the final report (default ${DEFAULT_LIVE_CALL_ROWS}, 2000 with --serve); older rows are dropped, their calls stay in every metric`,
      min: 1,
    }),
  };

  async run(): Promise<AnalyzeResult> {
    const { flags } = await this.parse(Capture);
    const durationMs = flags.duration === undefined ? undefined : parseDurationMs(flags.duration);
    if (durationMs === null) throw usageError('BAD_DURATION', `--duration ${flags.duration}: not a duration (e.g. 60, 30s, 5m)`);
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    // `on`, not `once`: execa's signal-exit handler re-raises the signal when it finds itself the
    // only listener left, which a spent `once` listener would leave it (the process died on Ctrl-C)
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    const ndjson = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');
    const exporter = flags.serve ? await startExporter({ listen: flags.serve, carriersFile: flags.carriers, uaTypesFile: flags['ua-types'] }) : undefined;
    if (exporter) process.stderr.write(`serving Prometheus metrics on http://${exporter.address}/metrics\n`);
    this.ui.startSpinner(`capturing on ${flags.interface}`);
    try {
      const run = await runCapture({
        iface: flags.interface,
        filter: flags.filter,
        durationMs: flags.serve && durationMs === undefined ? undefined : durationMs,
        count: flags.count,
        writePath: flags.write,
        snaplen: flags.snaplen === 0 ? 262144 : flags.snaplen,
        backend: flags.backend as 'tcpdump' | 'dumpcap' | 'libpcap',
        rtpHeuristic: flags['rtp-heuristic'],
        // Exporter mode runs for weeks: Prometheus keeps the history, the final report needs few rows.
        maxCallRows: flags['max-call-rows'] ?? (flags.serve ? 2000 : undefined),
        signal: stop.signal,
        events: exporter?.events(flags.ndjson ? (row) => ndjson(cdrEvent(row)) : undefined) ?? (flags.ndjson ? { callEnd: (row) => ndjson(cdrEvent(row)) } : undefined),
        onEngine: (e) => exporter?.attach(e),
        onStatus: (s) => {
          exporter?.updateCapture(s);
          const line = captureStatusLine(s);
          if (this.ui.interactive) this.ui.updateSpinner(line);
          else if (flags.progress) process.stderr.write(line + '\n');
        },
      });
      this.ui.stopSpinner();
      this.addWarnings(run.warnings);
      if (flags.ndjson) {
        for (const f of run.result.findings) ndjson({ type: 'finding', ...f });
        ndjson({ type: 'summary', capture: run.result.capture, sip: run.result.sip, rfc6076: run.result.rfc6076 });
        this.printWarnings();
      } else if (!this.jsonEnabled()) {
        process.stdout.write(renderAnalyze(run.result, this.ui.colour));
        this.printWarnings();
      }
      return run.result;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      await exporter?.close();
      if (flags.backend === 'libpcap') setTimeout(exitAfterFlush, 50).unref();
    }
  }
}
