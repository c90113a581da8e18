/**
 * How each threshold key (profiles.ts THRESHOLD_KEYS) is shown and where its "warn" band starts.
 *
 * Warn band: a value that passes but is close to the limit. For upper bounds (`rtt_ms`…) it
 * starts at WARN_FRACTION of the limit (a 50 ms RTT limit warns above 40 ms); for lower bounds
 * (`*_min`) it is an absolute margin above the limit in the key's own unit (a MOS limit of 4.0
 * warns below 4.2).
 */
import { thresholdKind, type ThresholdKey } from './profiles.js';

export interface KeyInfo {
  /** Short human label ("SER", "RTT"). */
  label: string;
  /** Unit as printed after a value: "ms", "%", "days", or "" (MOS). */
  unit: string;
  description: string;
  /** Lower bounds only: a passing value below limit + margin is a warning. */
  warnMargin?: number;
}

export const KEY_INFO: Readonly<Record<ThresholdKey, KeyInfo>> = {
  rtt_ms: { label: 'RTT', unit: 'ms', description: 'round-trip time (SIP OPTIONS, RTCP, path), average' },
  loss_pct: { label: 'loss', unit: '%', description: 'packet or probe loss' },
  jitter_ms: { label: 'jitter', unit: 'ms', description: 'RTP interarrival jitter (RFC 3550) or RTT jitter' },
  mos_min: { label: 'MOS', unit: '', description: 'E-model MOS-CQE, lowest acceptable', warnMargin: 0.2 },
  srd_ms: { label: 'SRD', unit: 'ms', description: 'session request delay, INVITE to first 18x (RFC 6076)' },
  setup_ms: { label: 'setup time', unit: 'ms', description: 'INVITE to 200 OK' },
  rrd_ms: { label: 'RRD', unit: 'ms', description: 'registration request delay (RFC 6076)' },
  sdd_ms: { label: 'SDD', unit: 'ms', description: 'session disconnect delay, BYE to 200 (RFC 6076)' },
  ser_min: { label: 'SER', unit: '%', description: 'session establishment ratio (RFC 6076), lowest acceptable', warnMargin: 1 },
  ner_min: { label: 'NER', unit: '%', description: 'network effectiveness ratio (ITU-T E.411), lowest acceptable', warnMargin: 0.5 },
  hop_loss_pct: { label: 'hop loss', unit: '%', description: 'real loss at any one hop of a trace' },
  tls_days_min: { label: 'TLS days left', unit: 'days', description: 'days before the server certificate expires', warnMargin: 7 },
};

/** Upper bounds warn above this fraction of their limit. */
export const WARN_FRACTION = 0.8;

/** Where the warn band starts for a key and its limit. */
export function warnAt(key: ThresholdKey, limit: number): number {
  if (thresholdKind(key) === 'max') return limit * WARN_FRACTION;
  return limit + (KEY_INFO[key].warnMargin ?? 0);
}

/** A value with its unit, rounded for people: MOS to 2 decimals, everything else to 3. */
export function formatValue(key: ThresholdKey, value: number): string {
  const unit = KEY_INFO[key].unit;
  const rounded = Number(value.toFixed(unit === '' ? 2 : 3));
  const text = String(rounded);
  if (unit === '') return text;
  return unit === '%' ? `${text} %` : `${text} ${unit}`;
}
