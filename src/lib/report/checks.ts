/**
 * The `report` result (schemas/report.schema.json) and the judging itself: for every scope of
 * every input, the worst sample of each key the profile sets is compared with the limit through
 * profiles.ts `judge()` (fail), then with the warn band of keys.ts (warn), else pass.
 */
import type { Scope, Sample } from './extract.js';
import { KEY_INFO, warnAt } from './keys.js';
import { judge, thresholdKind, THRESHOLD_KEYS, type Profile, type ThresholdKey } from './profiles.js';

export type Verdict = 'pass' | 'warn' | 'fail';

export interface ReportCheck {
  /** "<file> › <scope> › <key>": unique within a report. */
  id: string;
  key: ThresholdKey;
  label: string;
  unit: string;
  /** max: the value must not exceed the threshold; min: it must not fall below. */
  kind: 'max' | 'min';
  verdict: Verdict;
  /** The worst value in the scope. */
  measured: number;
  threshold: number;
  /** Where the warn band starts. */
  warnAt: number;
  file: string;
  command: string;
  scope: string;
  /** Where the worst value came from. */
  subject: string;
  /** Values judged (streams, calls…) and how many of them breached the threshold. */
  samples: number;
  breaches: number;
  message: string;
}

export interface ReportProfile {
  name: string;
  source: string;
  base: string;
  values: Partial<Record<ThresholdKey, number>>;
}

export interface ReportInput {
  file: string;
  command: string;
  scopes: string[];
}

export interface JudgeReport {
  mode: 'judge';
  profile: ReportProfile;
  inputs: ReportInput[];
  checks: ReportCheck[];
  counts: { pass: number; warn: number; fail: number };
  /** Keys the profile sets that no input measured. */
  unmeasured: ThresholdKey[];
  verdict: Verdict;
}

export interface ProfileKeyRow {
  key: ThresholdKey;
  kind: 'max' | 'min';
  value: number;
  unit: string;
  description: string;
}

export interface ShowProfileReport {
  mode: 'show-profile';
  profile: ReportProfile;
  keys: ProfileKeyRow[];
}

export type ReportResult = JudgeReport | ShowProfileReport;

export interface JudgedInput {
  file: string;
  command: string;
  scopes: Scope[];
}

function isWorse(kind: 'max' | 'min', a: number, b: number): boolean {
  return kind === 'max' ? a > b : a < b;
}

function fmt(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** One check: the worst sample of a key in a scope against the profile. */
export function judgeSamples(samples: readonly Sample[], key: ThresholdKey, profile: Profile, where: { file: string; command: string; scope: string }): ReportCheck | undefined {
  const limit = profile.values[key];
  const mine = samples.filter((s) => s.key === key);
  const first = mine[0];
  if (limit === undefined || first === undefined) return undefined;
  const kind = thresholdKind(key);
  let worst = first;
  for (const s of mine) if (isWorse(kind, s.value, worst.value)) worst = s;
  const breaches = mine.filter((s) => judge({ [key]: s.value }, profile).length > 0).length;
  const breach = judge({ [key]: worst.value }, profile)[0];
  const warnFrom = warnAt(key, limit);
  const verdict: Verdict = breach ? 'fail' : isWorse(kind, worst.value, warnFrom) ? 'warn' : 'pass';
  const info = KEY_INFO[key];
  const cmp = kind === 'max' ? '≤' : '≥';
  const message =
    breach?.message ??
    (verdict === 'warn' ? `${key} ${fmt(worst.value)} is near the limit ${fmt(limit)} (warns from ${fmt(warnFrom)})` : `${key} ${fmt(worst.value)} ${cmp} ${fmt(limit)}`);
  return {
    id: `${where.file} › ${where.scope} › ${key}`,
    key,
    label: info.label,
    unit: info.unit,
    kind,
    verdict,
    measured: worst.value,
    threshold: limit,
    warnAt: Number(warnFrom.toFixed(6)),
    file: where.file,
    command: where.command,
    scope: where.scope,
    subject: worst.subject,
    samples: mine.length,
    breaches,
    message: mine.length > 1 && breaches > 0 ? `${message}; ${breaches} of ${mine.length} breach` : message,
  };
}

export function worstVerdict(vs: readonly Verdict[]): Verdict {
  if (vs.includes('fail')) return 'fail';
  if (vs.includes('warn')) return 'warn';
  return 'pass';
}

export function reportProfile(p: Profile): ReportProfile {
  return { name: p.name, source: p.source, base: p.base, values: { ...p.values } };
}

/** Every input's scopes judged against the profile, in input order, then THRESHOLD_KEYS order. */
export function buildJudgeReport(inputs: readonly JudgedInput[], profile: Profile): JudgeReport {
  const checks: ReportCheck[] = [];
  const measured = new Set<ThresholdKey>();
  for (const input of inputs) {
    for (const scope of input.scopes) {
      for (const key of THRESHOLD_KEYS) {
        const c = judgeSamples(scope.samples, key, profile, { file: input.file, command: input.command, scope: scope.name });
        if (c) {
          checks.push(c);
          measured.add(key);
        }
      }
    }
  }
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.verdict]++;
  return {
    mode: 'judge',
    profile: reportProfile(profile),
    inputs: inputs.map((i) => ({ file: i.file, command: i.command, scopes: i.scopes.map((s) => s.name) })),
    checks,
    counts,
    unmeasured: THRESHOLD_KEYS.filter((k) => profile.values[k] !== undefined && !measured.has(k)),
    verdict: worstVerdict(checks.map((c) => c.verdict)),
  };
}

export function buildShowProfile(profile: Profile): ShowProfileReport {
  const keys: ProfileKeyRow[] = [];
  for (const key of THRESHOLD_KEYS) {
    const value = profile.values[key];
    if (value === undefined) continue;
    keys.push({ key, kind: thresholdKind(key), value, unit: KEY_INFO[key].unit, description: KEY_INFO[key].description });
  }
  return { mode: 'show-profile', profile: reportProfile(profile), keys };
}
