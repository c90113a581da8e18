/**
 * Recognising a voipdiag `--json` envelope `{schemaVersion, command, status, result, warnings}`
 * (src/cli/base-command.ts). Pure: the caller reads the text.
 */
import { judgeableCommands } from './extract.js';

/** The newest envelope version this report understands (base-command.ts SCHEMA_VERSION). */
export const KNOWN_SCHEMA_VERSION = 1;

export interface ParsedEnvelope {
  command: string;
  /** ok | breached | error. An error run with a result (probe: a target did not answer) is judged too. */
  status: string;
  result: unknown;
}

export type EnvelopeParse = { ok: true; value: ParsedEnvelope } | { ok: false; code: EnvelopeErrorCode; message: string };

export type EnvelopeErrorCode = 'NOT_JSON' | 'NOT_ENVELOPE' | 'NEWER_SCHEMA' | 'FAILED_RUN' | 'NOT_JUDGEABLE';

const HOW = 'run a voipdiag command with --json and give its output';

export function parseEnvelope(text: string, file: string): EnvelopeParse {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'NOT_JSON', message: `${file}: not JSON (${(err as Error).message}); ${HOW}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, code: 'NOT_ENVELOPE', message: `${file}: not a voipdiag JSON envelope (expected an object with schemaVersion, command, status, result); ${HOW}` };
  }
  const e = doc as Record<string, unknown>;
  if (typeof e.schemaVersion !== 'number' || typeof e.command !== 'string' || typeof e.status !== 'string' || !('result' in e)) {
    return { ok: false, code: 'NOT_ENVELOPE', message: `${file}: not a voipdiag JSON envelope (expected an object with schemaVersion, command, status, result); ${HOW}` };
  }
  if (e.schemaVersion > KNOWN_SCHEMA_VERSION) {
    return { ok: false, code: 'NEWER_SCHEMA', message: `${file}: schemaVersion ${e.schemaVersion} was written by a newer voipdiag (this one reads ${KNOWN_SCHEMA_VERSION}); upgrade voipdiag` };
  }
  if (e.result === null || typeof e.result !== 'object') {
    const err = typeof e.error === 'object' && e.error !== null ? (e.error as Record<string, unknown>) : {};
    const why = typeof err.code === 'string' ? ` (${err.code}: ${String(err.message ?? '')})` : '';
    return { ok: false, code: 'FAILED_RUN', message: `${file}: a failed \`${e.command}\` run${why} has no result to judge` };
  }
  const command = e.command.split(/[ :]/)[0] ?? e.command;
  if (!judgeableCommands().includes(command) && command !== 'analyze-pcap') {
    return { ok: false, code: 'NOT_JUDGEABLE', message: `${file}: \`${e.command}\` results have nothing to judge (report reads ${judgeableCommands().join(', ')})` };
  }
  return { ok: true, value: { command, status: e.status, result: e.result } };
}
