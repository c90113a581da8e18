/**
 * Durations on the command line: "250ms", "2s", "1.5s", "1m", or a bare number of seconds
 * (like ping -i). Returns milliseconds, or null when the text is not a duration.
 */
export function parseDurationMs(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  const ms = n * factor;
  return Number.isFinite(ms) ? ms : null;
}
