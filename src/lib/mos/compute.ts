/**
 * `computeMos`: one stream's measured (or planned) loss, jitter and delay → G.107 R, MOS-CQE, the
 * terms, and which impairment costs most. This is the helper `analyze`, `probe` and `capture`
 * call per stream; it is pure and cheap (three evaluations of the delay terms, one of the rest).
 *
 * Mouth-to-ear delay, the E-model's T = Ta (with Tr = 2T):
 *
 *   mouth-to-ear = network one-way delay + jitter-buffer delay + packetisation (ptime) + codec look-ahead
 *
 * with ptime defaulting to the codec's usual packetisation (20 ms for most, 30 ms for G.723.1
 * and iLBC) and the jitter buffer defaulting to 'adaptive' (see jitter-buffer.ts). A caller that
 * knows the mouth-to-ear delay passes `mouthToEarMs` and nothing is added to it.
 *
 * Attribution ("which impairment costs most"), in R points:
 *   codec  = Ie
 *   loss   = Ie,eff(network loss) − Ie
 *   delay  = Id(mouth-to-ear without the buffer's delay) − Id(0)
 *   jitter = Ie,eff(network loss + discards) − Ie,eff(network loss) + Id(mouth-to-ear) − Id(without buffer)
 * i.e. the jitter buffer is charged the marginal cost of its discards and of its delay on top of
 * everything else. The four add up to the drop from the unimpaired rating (R 93.2). The dominant
 * impairment is the largest of them, or 'none' when none reaches DOMINANT_MIN_R.
 */

import { CODECS, findCodec, unknownCodecMessage, type CodecProfile } from './codecs.js';
import { delayImpairment, eModel, effectiveEquipmentImpairment } from './e-model.js';
import {
  DEFAULT_JITTER_BUFFER,
  effectiveLossPct as combineLoss,
  jitterBufferOutcome,
  type JitterBufferOutcome,
  type JitterBufferSpec,
} from './jitter-buffer.js';

export interface MosInput {
  /** Codec id or any name `findCodec` knows (PCMU, g711U, G729…), or a profile. */
  codec: string | CodecProfile;
  /** Network packet loss, PERCENT (0–100). Measured RFC 3550 loss can be negative (duplicates): clamp it first. */
  lossPct: number;
  /** G.107 BurstR (≥ 1); 1 = random loss. Default 1. */
  burstRatio?: number;
  /** Mean RFC 3550 interarrival jitter, ms. Default 0. */
  jitterMs?: number;
  /** Network one-way delay (e.g. RTT/2), ms. Default 0. */
  oneWayDelayMs?: number;
  /** Receive jitter buffer. Default 'adaptive'. */
  jitterBuffer?: JitterBufferSpec;
  /** Whether the receiver conceals lost packets. Default true; ignored for codecs whose decoder always conceals. */
  plc?: boolean;
  /** Packetisation interval (RTP ptime), ms. Default: the codec's usual ptime. */
  packetisationMs?: number;
  /**
   * Known mouth-to-ear delay, ms: used as T = Ta as it is, instead of adding up network delay,
   * jitter-buffer delay, packetisation and look-ahead (the buffer's discards still apply).
   */
  mouthToEarMs?: number;
}

export type QualityBand = 'good' | 'acceptable' | 'poor' | 'unacceptable';
export type Impairment = 'delay' | 'loss' | 'codec' | 'jitter';
export type Dominant = Impairment | 'none';

/** An impairment must cost at least this many R points to be named dominant (≈ 0.1 MOS near the top). */
export const DOMINANT_MIN_R = 3;

export interface MosResult {
  /** Transmission rating R (G.107). */
  r: number;
  /** MOS-CQE (G.107 Annex B). */
  mos: number;
  band: QualityBand;
  /** G.107 terms: R = ro − is − id − ieEff + a. */
  terms: {
    ro: number;
    is: number;
    iolr: number;
    ist: number;
    iq: number;
    id: number;
    idte: number;
    idle: number;
    idd: number;
    ie: number;
    ieEff: number;
    a: number;
  };
  /** R points each cause costs (they add up to the drop from the unimpaired rating, to within Ist's tiny T dependence). */
  impairments: Record<Impairment, number>;
  /** The impairment that costs most, or 'none' when none costs DOMINANT_MIN_R or more. */
  dominant: Dominant;
  /** Network loss and jitter-buffer discards combined, percent. */
  effectiveLossPct: number;
  /** T = Ta used by the E-model, ms. */
  mouthToEarMs: number;
  /** How mouth-to-ear delay adds up; null when the caller gave mouthToEarMs. */
  delayBudget: { networkMs: number; jitterBufferMs: number; packetisationMs: number; lookaheadMs: number } | null;
  jitterBuffer: JitterBufferOutcome;
  /** The inputs as resolved (defaults filled in, codec values looked up). */
  inputs: {
    codec: string;
    codecName: string;
    ie: number;
    bpl: number;
    plc: boolean;
    plcBuiltIn: boolean;
    lossPct: number;
    burstRatio: number;
    jitterMs: number;
    oneWayDelayMs: number;
    jitterBuffer: string;
    packetisationMs: number;
    mouthToEarMs: number | null;
  };
}

/** An input outside the model's domain: which field, what it must be, what it was. */
export interface MosInputProblem {
  field:
    | 'codec'
    | 'lossPct'
    | 'burstRatio'
    | 'jitterMs'
    | 'oneWayDelayMs'
    | 'jitterBuffer'
    | 'packetisationMs'
    | 'mouthToEarMs';
  expected: string;
  value: unknown;
}

/** MOS quality band: ≥ 4.0 good, 3.5–4.0 acceptable, 3.0–3.5 poor, < 3.0 unacceptable. */
export function qualityBand(mos: number): QualityBand {
  if (mos >= 4.0) return 'good';
  if (mos >= 3.5) return 'acceptable';
  if (mos >= 3.0) return 'poor';
  return 'unacceptable';
}

function resolveCodec(codec: string | CodecProfile): CodecProfile | undefined {
  return typeof codec === 'string' ? findCodec(codec) : codec;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Check an input against the model's domain; returns every problem found (empty when valid). */
export function checkMosInput(input: MosInput): MosInputProblem[] {
  const problems: MosInputProblem[] = [];
  if (resolveCodec(input.codec) === undefined) {
    problems.push({ field: 'codec', expected: `a known codec (${CODECS.map((c) => c.id).join(', ')})`, value: input.codec });
  }
  if (!isNumber(input.lossPct) || input.lossPct < 0 || input.lossPct > 100) {
    problems.push({ field: 'lossPct', expected: 'a percentage from 0 to 100', value: input.lossPct });
  }
  if (input.burstRatio !== undefined && (!isNumber(input.burstRatio) || input.burstRatio < 1)) {
    problems.push({ field: 'burstRatio', expected: 'at least 1 (1 = random loss)', value: input.burstRatio });
  }
  if (input.jitterMs !== undefined && (!isNumber(input.jitterMs) || input.jitterMs < 0)) {
    problems.push({ field: 'jitterMs', expected: 'a number of milliseconds ≥ 0', value: input.jitterMs });
  }
  if (input.oneWayDelayMs !== undefined && (!isNumber(input.oneWayDelayMs) || input.oneWayDelayMs < 0)) {
    problems.push({ field: 'oneWayDelayMs', expected: 'a number of milliseconds ≥ 0', value: input.oneWayDelayMs });
  }
  if (input.packetisationMs !== undefined && (!isNumber(input.packetisationMs) || input.packetisationMs < 0)) {
    problems.push({ field: 'packetisationMs', expected: 'a number of milliseconds ≥ 0', value: input.packetisationMs });
  }
  if (input.mouthToEarMs !== undefined && (!isNumber(input.mouthToEarMs) || input.mouthToEarMs < 0)) {
    problems.push({ field: 'mouthToEarMs', expected: 'a number of milliseconds ≥ 0', value: input.mouthToEarMs });
  }
  const jb = input.jitterBuffer;
  if (jb !== undefined && typeof jb === 'object' && (!isNumber(jb.fixedMs) || jb.fixedMs < 0)) {
    problems.push({ field: 'jitterBuffer', expected: 'a fixed size in milliseconds ≥ 0', value: jb.fixedMs });
  }
  return problems;
}

/** "lossPct must be a percentage from 0 to 100, got 150". */
export function describeMosInputProblem(p: MosInputProblem): string {
  if (p.field === 'codec') return unknownCodecMessage(String(p.value));
  return `${p.field} must be ${p.expected}, got ${String(p.value)}`;
}

/**
 * R, MOS-CQE, terms and the dominant impairment for one stream. Throws RangeError on input
 * outside the model's domain (a caller's bug: validate user input with `checkMosInput` first).
 */
export function computeMos(input: MosInput): MosResult {
  const problem = checkMosInput(input)[0];
  if (problem) throw new RangeError(describeMosInputProblem(problem));
  const codec = resolveCodec(input.codec) as CodecProfile;

  const burstRatio = input.burstRatio ?? 1;
  const jitterMs = input.jitterMs ?? 0;
  const networkMs = input.oneWayDelayMs ?? 0;
  const packetisationMs = input.packetisationMs ?? codec.ptimeMs;
  const plcBuiltIn = codec.bplNoPlc === null;
  const plc = plcBuiltIn || input.plc !== false;
  const bpl = plc ? codec.bpl : (codec.bplNoPlc ?? codec.bpl);

  const buffer = jitterBufferOutcome(input.jitterBuffer ?? DEFAULT_JITTER_BUFFER, jitterMs);
  const lossPct = combineLoss(input.lossPct, buffer.discardPct);
  // With a known mouth-to-ear delay the buffer's delay is part of it: attribute none to jitter.
  const fixedT = input.mouthToEarMs;
  const withoutBufferMs = fixedT ?? networkMs + packetisationMs + codec.lookaheadMs;
  const t = fixedT ?? withoutBufferMs + buffer.delayMs;

  const e = eModel({ t, tr: 2 * t, ta: t, ie: codec.ie, bpl, ppl: lossPct, burstR: burstRatio });

  // Attribution: what each cause costs in R points.
  const idNoBuffer = delayImpairment({ t: withoutBufferMs, tr: 2 * withoutBufferMs, ta: withoutBufferMs }).id;
  const idNone = delayImpairment({ t: 0, tr: 0, ta: 0 }).id;
  const ieNetworkLoss = effectiveEquipmentImpairment(codec.ie, input.lossPct, bpl, burstRatio);
  const impairments: Record<Impairment, number> = {
    codec: codec.ie,
    loss: ieNetworkLoss - codec.ie,
    jitter: e.terms.ieEff - ieNetworkLoss + (e.terms.id - idNoBuffer),
    delay: idNoBuffer - idNone,
  };

  let dominant: Dominant = 'none';
  for (const k of ['delay', 'loss', 'codec', 'jitter'] as const) {
    const cost = impairments[k];
    if (cost >= DOMINANT_MIN_R && (dominant === 'none' || cost > impairments[dominant])) dominant = k;
  }

  return {
    r: e.r,
    mos: e.mos,
    band: qualityBand(e.mos),
    terms: {
      ro: e.terms.ro,
      is: e.terms.is,
      iolr: e.terms.iolr,
      ist: e.terms.ist,
      iq: e.terms.iq,
      id: e.terms.id,
      idte: e.terms.idte,
      idle: e.terms.idle,
      idd: e.terms.idd,
      ie: codec.ie,
      ieEff: e.terms.ieEff,
      a: e.terms.a,
    },
    impairments,
    dominant,
    effectiveLossPct: lossPct,
    mouthToEarMs: t,
    delayBudget:
      fixedT === undefined
        ? { networkMs, jitterBufferMs: buffer.delayMs, packetisationMs, lookaheadMs: codec.lookaheadMs }
        : null,
    jitterBuffer: buffer,
    inputs: {
      codec: codec.id,
      codecName: codec.name,
      ie: codec.ie,
      bpl,
      plc,
      plcBuiltIn,
      lossPct: input.lossPct,
      burstRatio,
      jitterMs,
      oneWayDelayMs: networkMs,
      jitterBuffer: buffer.name,
      packetisationMs,
      mouthToEarMs: fixedT ?? null,
    },
  };
}

/** Clamp a measured loss percentage into the model's domain (RFC 3550 loss is negative with duplicates). */
export function measuredLossPct(lostPct: number): number {
  if (!Number.isFinite(lostPct) || lostPct < 0) return 0;
  return Math.min(100, lostPct);
}

/** A copy of `value` with every number rounded to `decimals` places (stable JSON output). */
export function roundNumbers<T>(value: T, decimals = 3): T {
  const f = 10 ** decimals;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * f) / f : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}
