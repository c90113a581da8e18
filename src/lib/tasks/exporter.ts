/**
 * The Prometheus exporter behind `capture --serve`: the interface the capture command sees; the
 * exporter itself is src/lib/exporter/server.ts (loaded only when --serve is given).
 */
import type { AnalysisEngine, EngineEvents } from '../engine/analysis-engine.js';
import type { CallRow } from '../engine/analysis-result.js';
import type { CaptureStatus } from './capture.js';

export interface ExporterOptions {
  listen: string;
  carriersFile?: string;
  uaTypesFile?: string;
}

export interface Exporter {
  address: string;
  /** Engine events that update the metrics; `onCall` is chained for --ndjson. */
  events(onCall?: (row: CallRow) => void): EngineEvents;
  attach(engine: AnalysisEngine): void;
  /** Latest capture status (drop counters). */
  updateCapture(status: CaptureStatus): void;
  close(): Promise<void>;
}

export async function startExporter(opts: ExporterOptions): Promise<Exporter> {
  const { startPrometheusExporter } = await import('../exporter/server.js');
  return startPrometheusExporter(opts);
}
