/**
 * Measured values out of voipdiag results, one table per command: which result field feeds which
 * threshold key, and what to call the place it came from (a stream, a call, a target, a hop).
 *
 * A result splits into scopes (the whole capture; each probe target; the trace target) and each
 * scope gives samples per key; the report judges the worst sample of each key in each scope.
 * Inputs are JSON someone may have edited: every field is read defensively (a missing or
 * non-numeric field is simply not measured), never trusted to match the TypeScript types.
 */
import type { ThresholdKey } from './profiles.js';

export interface Sample {
  key: ThresholdKey;
  value: number;
  /** Where the value came from inside the scope: "stream s4 0x… a:p → b:p", "call abc@host". */
  subject: string;
}

export interface Scope {
  /** "capture", "target sip:pbx.example.com", "trace 192.0.2.1", "mos g711". */
  name: string;
  samples: Sample[];
}

type Json = Record<string, unknown>;
type Rule = (node: Json) => Sample[];

/** A finite number, or null. */
export function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
function obj(x: unknown): Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : {};
}
function arr(x: unknown): Json[] {
  return Array.isArray(x) ? x.map(obj) : [];
}
function str(x: unknown, fallback = '?'): string {
  return typeof x === 'string' ? x : typeof x === 'number' ? String(x) : fallback;
}
/** Read a dotted path ("summary.rttMs.avg") from a JSON object. */
function at(node: unknown, path: string): unknown {
  let cur: unknown = node;
  for (const part of path.split('.')) cur = obj(cur)[part];
  return cur;
}

/** One value at a path, named by a fixed subject. */
function field(key: ThresholdKey, path: string, subject: string | ((n: Json) => string)): Rule {
  return (n) => {
    const v = num(at(n, path));
    return v === null ? [] : [{ key, value: v, subject: typeof subject === 'string' ? subject : subject(n) }];
  };
}

/** One value per element of a list. */
function each(key: ThresholdKey, listPath: string, valuePath: string, subject: (e: Json) => string, keep: (e: Json) => boolean = () => true): Rule {
  return (n) =>
    arr(at(n, listPath)).flatMap((e) => {
      const v = num(at(e, valuePath));
      return v === null || !keep(e) ? [] : [{ key, value: v, subject: subject(e) }];
    });
}

/** Negative loss (more packets than expected: duplicates) is no loss. */
function clampLoss(rule: Rule): Rule {
  return (n) => rule(n).map((s) => ({ ...s, value: Math.max(0, s.value) }));
}

function addr(a: unknown): string {
  const o = obj(a);
  const ip = str(o.ip);
  return `${ip.includes(':') ? `[${ip}]` : ip}:${str(o.port)}`;
}
const streamName = (s: Json): string => `stream ${str(s.id)} ${str(s.ssrc)} ${addr(s.src)} → ${addr(s.dst)}`;
const callName = (c: Json): string => `call ${str(c.callId)}`;

// ---- analyze / capture (src/lib/engine/analysis-result.ts) -------------------------------------

const ANALYZE_RULES: Rule[] = [
  (n) => {
    const o = obj(at(n, 'sip.optionsRttMs'));
    const v = num(o.avg);
    return v === null ? [] : [{ key: 'rtt_ms', value: v, subject: `SIP OPTIONS, ${str(o.count)} answered` }];
  },
  each('rtt_ms', 'rtp.rtcp', 'rttMs.avg', (r) => `RTCP from ${str(r.ssrc)} ${addr(r.src)}`),
  clampLoss(each('loss_pct', 'rtp.streams', 'lostPct', streamName)),
  each('jitter_ms', 'rtp.streams', 'meanJitterMs', streamName),
  each('mos_min', 'rtp.streams', 'mos', streamName),
  each('srd_ms', 'calls', 'srdMs', callName),
  each('setup_ms', 'calls', 'setupMs', callName),
  each('sdd_ms', 'calls', 'sddMs', callName),
  each('rrd_ms', 'registrations', 'rrdMs.max', (r) => `registration ${str(r.aor)}`),
  field('ser_min', 'rfc6076.serPct', (n) => `RFC 6076 over ${str(at(n, 'rfc6076.attempts'))} INVITE attempts`),
  field('ner_min', 'rfc6076.nerPct', (n) => `E.411 over ${str(at(n, 'rfc6076.attempts'))} INVITE attempts`),
];

function analyzeScopes(result: Json): Scope[] {
  return [{ name: 'capture', samples: ANALYZE_RULES.flatMap((r) => r(result)) }];
}

// ---- probe (src/lib/probe/result.ts) -----------------------------------------------------------

const PROBE_RULES: Rule[] = [
  field('rtt_ms', 'summary.rttMs.avg', (n) => `${str(at(n, 'mode'), 'probe')} probes, ${str(at(n, 'summary.answered'))}/${str(at(n, 'summary.sent'))} answered`),
  field('loss_pct', 'summary.lossPct', (n) => `${str(at(n, 'mode'), 'probe')} probes, ${str(at(n, 'summary.answered'))}/${str(at(n, 'summary.sent'))} answered`),
  field('jitter_ms', 'summary.jitterMs', 'probe RTT jitter'),
  field('loss_pct', 'call.rx.lossPct', 'call media received'),
  field('loss_pct', 'call.tx.lossPct', 'call media sent'),
  field('jitter_ms', 'call.rx.jitterMs', 'call media received'),
  field('jitter_ms', 'call.tx.jitterMs', 'call media sent'),
  field('mos_min', 'call.rx.mos', 'call media received'),
  field('mos_min', 'call.tx.mos', 'call media sent'),
  field('srd_ms', 'call.srdMs', 'call INVITE → 18x'),
  field('setup_ms', 'call.setupMs', 'call INVITE → 200'),
  field('sdd_ms', 'call.sddMs', 'call BYE → 200'),
  field('rrd_ms', 'register.rrdMs', 'REGISTER → 200'),
  field('tls_days_min', 'tls.daysToExpiry', (n) => `certificate ${str(at(n, 'tls.subject'))}`),
];

function probeScopes(result: Json): Scope[] {
  return arr(result.targets).map((t) => ({ name: `target ${str(t.target)}`, samples: PROBE_RULES.flatMap((r) => r(t)) }));
}

// ---- trace (src/lib/trace/result.ts) -----------------------------------------------------------

/** Only hops whose loss is judged real (status "loss") or that lost nothing; not rate limiting. */
const realLossHop = (h: Json): boolean => h.status === 'loss' || h.status === 'ok';
const hopName = (h: Json): string => `hop ${str(h.ttl)} ${str(h.address, '*')}`;

const TRACE_RULES: Rule[] = [
  each('hop_loss_pct', 'hops', 'lossPct', hopName, realLossHop),
  field('rtt_ms', 'destination.rttMs.avg', (n) => `destination ${str(at(n, 'destination.address'))}`),
  field('loss_pct', 'destination.lossPct', (n) => `destination ${str(at(n, 'destination.address'))}`),
  field('jitter_ms', 'destination.rttMs.jitter', (n) => `destination ${str(at(n, 'destination.address'))}`),
];

function traceScopes(result: Json): Scope[] {
  return [{ name: `trace ${str(at(result, 'target.input'))}`, samples: TRACE_RULES.flatMap((r) => r(result)) }];
}

// ---- mos (src/lib/mos/compute.ts) --------------------------------------------------------------

function mosScopes(result: Json): Scope[] {
  const codec = str(at(result, 'inputs.codecName'), 'codec');
  const rule = field('mos_min', 'mos', `E-model, ${codec}, loss ${str(at(result, 'inputs.lossPct'))} %`);
  return [{ name: `mos ${codec}`, samples: rule(result) }];
}

/** The commands whose results can be judged, and how. `capture` shares analyze's result shape. */
export const EXTRACTORS: Readonly<Record<string, (result: Json) => Scope[]>> = {
  analyze: analyzeScopes,
  'analyze-pcap': analyzeScopes,
  capture: analyzeScopes,
  probe: probeScopes,
  trace: traceScopes,
  mos: mosScopes,
};

export function judgeableCommands(): string[] {
  return Object.keys(EXTRACTORS).filter((c) => c !== 'analyze-pcap');
}

/** Scopes and samples of one command's result; undefined for a command we cannot judge. */
export function extractScopes(command: string, result: unknown): Scope[] | undefined {
  const ex = EXTRACTORS[command];
  return ex === undefined ? undefined : ex(obj(result));
}
