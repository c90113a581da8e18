/**
 * Thresholds profiles (DESIGN.md "Thresholds profiles"): flat maps of one value per key, no
 * inheritance. Keys ending in `_min` are lower bounds (a value below breaches); every other key
 * is an upper bound (a value above breaches). A user YAML file names the built-in profile it
 * starts from (`profile: ucaas`) and overrides some of its keys:
 *
 *   profile: ucaas
 *   rtt_ms: 120
 *   mos_min: 4.0
 *
 * `judge(values, profile)` compares measured values with a profile and returns the breaches;
 * probe, trace and report all use it. Pure: reading the file is the caller's job.
 */
import { parse as parseYaml } from 'yaml';

export const THRESHOLD_KEYS = [
  'rtt_ms', // SIP OPTIONS / path round-trip time, average, ms
  'loss_pct', // packet or probe loss, percent 0–100
  'jitter_ms', // RTP interarrival jitter (RFC 3550 A.8) or RTT jitter, ms
  'mos_min', // E-model MOS-CQE, lowest acceptable
  'srd_ms', // session request delay (RFC 6076 §4.2), INVITE → 18x, ms
  'setup_ms', // INVITE → 200 OK, ms
  'rrd_ms', // registration request delay (RFC 6076 §4.1), ms
  'sdd_ms', // session disconnect delay (RFC 6076 §4.4), ms
  'ser_min', // session establishment ratio (RFC 6076 §4.6), percent
  'ner_min', // network effectiveness ratio (ITU-T E.411), percent
  'hop_loss_pct', // loss at any one hop of a trace, percent
  'tls_days_min', // days before the server certificate expires
] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];
export type ThresholdValues = Partial<Record<ThresholdKey, number>>;

export interface Profile {
  name: string;
  /** Where it came from: "built-in", or the user file's path. */
  source: string;
  /** The built-in it is based on (itself for a built-in). */
  base: string;
  values: ThresholdValues;
}

export interface Breach {
  key: ThresholdKey;
  value: number;
  limit: number;
  kind: 'max' | 'min';
  message: string;
}

/**
 * Built-in profiles. `default` is the ITU-T G.114 / common carrier practice middle ground;
 * `ucaas` a hosted service reached over the internet; `pbx` a self-managed PBX on the LAN or a
 * private WAN (tighter); `teams-direct-routing` follows Microsoft's published network targets
 * for Teams media (RTT < 100 ms, loss < 1 %, jitter < 30 ms).
 */
export const BUILTIN_PROFILES: Readonly<Record<string, ThresholdValues>> = Object.freeze({
  default: {
    rtt_ms: 150,
    loss_pct: 1,
    jitter_ms: 30,
    mos_min: 3.6,
    srd_ms: 3000,
    setup_ms: 5000,
    rrd_ms: 2000,
    sdd_ms: 2000,
    ser_min: 95,
    ner_min: 97,
    hop_loss_pct: 5,
    tls_days_min: 14,
  },
  ucaas: {
    rtt_ms: 200,
    loss_pct: 1,
    jitter_ms: 30,
    mos_min: 3.8,
    srd_ms: 2500,
    setup_ms: 4000,
    rrd_ms: 1500,
    sdd_ms: 1500,
    ser_min: 97,
    ner_min: 98,
    hop_loss_pct: 2,
    tls_days_min: 21,
  },
  pbx: {
    rtt_ms: 50,
    loss_pct: 0.5,
    jitter_ms: 20,
    mos_min: 4.0,
    srd_ms: 1500,
    setup_ms: 3000,
    rrd_ms: 500,
    sdd_ms: 1000,
    ser_min: 98,
    ner_min: 99,
    hop_loss_pct: 1,
    tls_days_min: 14,
  },
  'teams-direct-routing': {
    rtt_ms: 100,
    loss_pct: 1,
    jitter_ms: 30,
    mos_min: 3.8,
    srd_ms: 2000,
    setup_ms: 4000,
    rrd_ms: 1000,
    sdd_ms: 1000,
    ser_min: 98,
    ner_min: 99,
    hop_loss_pct: 1,
    tls_days_min: 30,
  },
});

export function builtinProfileNames(): string[] {
  return Object.keys(BUILTIN_PROFILES);
}

export function isThresholdKey(k: string): k is ThresholdKey {
  return (THRESHOLD_KEYS as readonly string[]).includes(k);
}

export function thresholdKind(key: ThresholdKey): 'max' | 'min' {
  return key.endsWith('_min') ? 'min' : 'max';
}

export function builtinProfile(name: string): Profile | undefined {
  const values = BUILTIN_PROFILES[name];
  return values === undefined ? undefined : { name, source: 'built-in', base: name, values: { ...values } };
}

export type ProfileParseResult = { ok: true; value: Profile } | { ok: false; message: string };

/**
 * A user profile file (YAML). `profile:` (or `name:`) names the built-in to start from
 * (default: `default`); every other key must be a threshold key with a finite number.
 */
export function parseProfileFile(text: string, source: string): ProfileParseResult {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { ok: false, message: `${source}: not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}` };
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, message: `${source}: expected a mapping of threshold keys` };
  const entries = Object.entries(doc as Record<string, unknown>);
  let baseName = 'default';
  const overrides: ThresholdValues = {};
  for (const [k, v] of entries) {
    if (k === 'profile' || k === 'name') {
      if (typeof v !== 'string') return { ok: false, message: `${source}: "${k}" must be a profile name` };
      baseName = v;
      continue;
    }
    if (!isThresholdKey(k)) {
      return { ok: false, message: `${source}: unknown key "${k}" (known: profile, ${THRESHOLD_KEYS.join(', ')})` };
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      return { ok: false, message: `${source}: "${k}" must be a non-negative number, got ${JSON.stringify(v)}` };
    }
    overrides[k] = v;
  }
  const base = builtinProfile(baseName);
  if (!base) return { ok: false, message: `${source}: unknown profile "${baseName}" (built in: ${builtinProfileNames().join(', ')})` };
  return { ok: true, value: { name: baseName, source, base: baseName, values: { ...base.values, ...overrides } } };
}

/** Apply explicit limits (e.g. --max-rtt) on top of a profile: they win. */
export function withOverrides(profile: Profile, overrides: ThresholdValues): Profile {
  const values: ThresholdValues = { ...profile.values };
  for (const k of THRESHOLD_KEYS) {
    const v = overrides[k];
    if (v !== undefined) values[k] = v;
  }
  return { ...profile, values };
}

/** An empty profile: only the explicit limits apply (no --profile given). */
export function emptyProfile(): Profile {
  return { name: 'none', source: 'flags', base: 'none', values: {} };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

/**
 * Measured values against a profile. Missing values (undefined/null/NaN) and keys the profile
 * does not set are not judged. The breach order follows THRESHOLD_KEYS.
 */
export function judge(values: Partial<Record<ThresholdKey, number | null | undefined>>, profile: Profile): Breach[] {
  const out: Breach[] = [];
  for (const key of THRESHOLD_KEYS) {
    const value = values[key];
    const limit = profile.values[key];
    if (value === undefined || value === null || Number.isNaN(value) || limit === undefined) continue;
    const kind = thresholdKind(key);
    const breached = kind === 'min' ? value < limit : value > limit;
    if (!breached) continue;
    out.push({
      key,
      value,
      limit,
      kind,
      message: `${key} ${fmt(value)} ${kind === 'min' ? '<' : '>'} ${fmt(limit)} (${profile.name === 'none' ? 'limit' : `profile ${profile.name}`})`,
    });
  }
  return out;
}
