/**
 * ITU-T G.107 (06/2015) E-model: the transmission rating R and its mapping to MOS-CQE.
 *
 *   R = Ro − Is − Id − Ie,eff + A                                     (G.107 §7.1, eq. 7-1)
 *
 * Every sub-term is computed from the G.107 input parameters (Table 3, "default values and
 * permitted ranges"); nothing is a pre-rounded constant, so changing one parameter (e.g. TELR for
 * a connection with poor echo cancellation) moves exactly the terms it should. All intermediate
 * terms are returned so that callers and tests can check them one by one.
 *
 * Units: loudness ratings and levels in dB / dBm0 / dBm0p / dB(A); delays in milliseconds;
 * Ppl in PERCENT (0–100), never as a fraction: G.107 eq. 7-29 is written for percent, and a
 * fraction would make 1 % loss look like 0.01 % (MOS would hardly move).
 *
 * Pure and allocation-light: the terms that do not depend on delay or loss are computed once for
 * the default parameter set, so the per-stream cost is a few dozen floating-point operations.
 */

/** G.107 input parameters. Names follow the Recommendation; units in the comments. */
export interface EModelParams {
  /** Send loudness rating, dB. */
  slr: number;
  /** Receive loudness rating, dB. */
  rlr: number;
  /** Sidetone masking rating, dB. */
  stmr: number;
  /** Listener sidetone rating, dB. */
  lstr: number;
  /** D-value of the telephone, send side. */
  ds: number;
  /** D-value of the telephone, receive side. */
  dr: number;
  /** Talker echo loudness rating, dB. */
  telr: number;
  /** Weighted echo path loss, dB. */
  wepl: number;
  /** Mean one-way delay of the echo path, ms. */
  t: number;
  /** Round-trip delay in a 4-wire loop, ms. */
  tr: number;
  /** Absolute (mouth-to-ear) delay in echo-free connections, ms. */
  ta: number;
  /** Number of quantization distortion units. */
  qdu: number;
  /** Equipment impairment factor of the codec (Ie, G.113 Appendix I). */
  ie: number;
  /** Packet-loss robustness factor (Bpl, G.113 Appendix I). */
  bpl: number;
  /** Random packet-loss probability, PERCENT (0–100). */
  ppl: number;
  /** Burst ratio (1 = random loss, > 1 = bursty). */
  burstR: number;
  /** Circuit noise referred to the 0 dBr point, dBm0p. */
  nc: number;
  /** Room noise at the send side, dB(A). */
  ps: number;
  /** Room noise at the receive side, dB(A). */
  pr: number;
  /** Noise floor at the receive side, dBmp. */
  nfor: number;
  /** Advantage factor. */
  a: number;
  /** Delay sensitivity: minimum perceivable delay mT, ms (G.107 (06/2015), default 100). */
  mT: number;
  /** Delay sensitivity: sT (G.107 (06/2015), default 1 = carrier-grade telephony). */
  sT: number;
}

/**
 * G.107 (06/2015) Table 3 default values. T, Tr and Ta default to 0 in the Recommendation; with
 * these defaults R = 93.2 (the well-known "G.711, no impairment" rating).
 */
export const G107_DEFAULTS: Readonly<EModelParams> = Object.freeze({
  slr: 8,
  rlr: 2,
  stmr: 15,
  lstr: 18,
  ds: 3,
  dr: 3,
  telr: 65,
  wepl: 110,
  t: 0,
  tr: 0,
  ta: 0,
  qdu: 1,
  ie: 0,
  bpl: 1,
  ppl: 0,
  burstR: 1,
  nc: -70,
  ps: 35,
  pr: 35,
  nfor: -64,
  a: 0,
  mT: 100,
  sT: 1,
});

/** Every intermediate term of one E-model evaluation (same names as in G.107). */
export interface EModelTerms {
  /** Total noise power No, dBm0p (eq. 7-3), and its four components. */
  no: number;
  nos: number;
  nor: number;
  nfo: number;
  /** Basic signal-to-noise ratio Ro (eq. 7-2). */
  ro: number;
  /** Simultaneous impairment factor Is = Iolr + Ist + Iq (eq. 7-8). */
  is: number;
  iolr: number;
  ist: number;
  iq: number;
  /** Delay impairment factor Id = Idte + Idle + Idd (eq. 7-21). */
  id: number;
  idte: number;
  idle: number;
  idd: number;
  /** Effective equipment impairment factor Ie,eff (eq. 7-29). */
  ieEff: number;
  /** Advantage factor A. */
  a: number;
}

export interface EModelResult {
  r: number;
  mos: number;
  terms: EModelTerms;
}

/** Terms that depend only on loudness, noise and quantisation parameters (not on T, Ta, Tr, loss). */
interface StaticTerms {
  no: number;
  nos: number;
  nor: number;
  nfo: number;
  ro: number;
  iolr: number;
  iq: number;
  /** Roe, the echo-free reference used by Idte (eq. 7-23). */
  roe: number;
}

const STATIC_KEYS = ['slr', 'rlr', 'lstr', 'ds', 'nc', 'ps', 'pr', 'nfor', 'qdu'] as const;

function staticTerms(p: Readonly<EModelParams>): StaticTerms {
  const olr = p.slr + p.rlr;
  // Noise (eqs. 7-3 .. 7-7).
  const nos = p.ps - p.slr - p.ds - 100 + 0.004 * (p.ps - olr - p.ds - 14) ** 2;
  const pre = p.pr + 10 * Math.log10(1 + 10 ** ((10 - p.lstr) / 10));
  const nor = p.rlr - 121 + pre + 0.008 * (pre - 35) ** 2;
  const nfo = p.nfor + p.rlr;
  const no = 10 * Math.log10(10 ** (p.nc / 10) + 10 ** (nos / 10) + 10 ** (nor / 10) + 10 ** (nfo / 10));
  const ro = 15 - 1.5 * (p.slr + no);
  // Iolr (eqs. 7-9, 7-10): impairment from a too-low overall loudness.
  const xolr = olr + 0.2 * (64 + no - p.rlr);
  const iolr = 20 * ((1 + (xolr / 8) ** 8) ** (1 / 8) - xolr / 8);
  // Iq (eqs. 7-16 .. 7-20): quantising distortion.
  const q = 37 - 15 * Math.log10(p.qdu);
  const g = 1.07 + 0.258 * q + 0.0602 * q * q;
  const z = 46 / 30 - g / 40;
  const y = (ro - 100) / 15 + 46 / 8.4 - g / 9;
  const iq = 15 * Math.log10(1 + 10 ** y + 10 ** z);
  const roe = -1.5 * (no - p.rlr);
  return { no, nos, nor, nfo, ro, iolr, iq, roe };
}

const DEFAULT_STATIC = staticTerms(G107_DEFAULTS);

function usesDefaultStatic(p: Readonly<EModelParams>): boolean {
  for (const k of STATIC_KEYS) if (p[k] !== G107_DEFAULTS[k]) return false;
  return true;
}

/** Ist (eqs. 7-11, 7-12): sidetone impairment; depends on T through the echo term in STMRo. */
function sidetoneImpairment(p: Readonly<EModelParams>): number {
  const stmro = -10 * Math.log10(10 ** (-p.stmr / 10) + Math.exp(-p.t / 4) * 10 ** (-p.telr / 10));
  return (
    12 * (1 + ((stmro - 13) / 6) ** 8) ** (1 / 8) -
    28 * (1 + ((stmro + 1) / 19.4) ** 35) ** (1 / 35) -
    13 * (1 + ((stmro - 3) / 33) ** 13) ** (1 / 13) +
    29
  );
}

/** Idte (eqs. 7-22 .. 7-25): talker echo. */
function talkerEchoImpairment(p: Readonly<EModelParams>, roe: number, ist: number): number {
  const t = p.t;
  let terv = p.telr - 40 * Math.log10((1 + t / 10) / (1 + t / 150)) + 6 * Math.exp(-0.3 * t * t);
  // For low sidetone masking (STMR < 9 dB) G.107 uses TERVs = TERV + Ist/2.
  if (p.stmr < 9) terv += ist / 2;
  const re = 80 + 2.5 * (terv - 14);
  const d = roe - re;
  return (d / 2 + Math.sqrt((d * d) / 4 + 100) - 1) * (1 - Math.exp(-t));
}

/** Idle (eqs. 7-26, 7-27): listener echo. */
function listenerEchoImpairment(p: Readonly<EModelParams>, ro: number): number {
  const rle = 10.5 * (p.wepl + 7) * (p.tr + 1) ** -0.25;
  const d = ro - rle;
  return d / 2 + Math.sqrt((d * d) / 4 + 169);
}

/**
 * Idd (eq. 7-28 with the (06/2015) delay-sensitivity parameters mT, sT): impairment from a too
 * long absolute delay. 0 for Ta ≤ mT; with the defaults (mT 100 ms, sT 1):
 *   X = log2(Ta / 100),  Idd = 25 · {(1 + X⁶)^(1/6) − 3·(1 + (X/3)⁶)^(1/6) + 2}.
 */
export function absoluteDelayImpairment(taMs: number, mT = 100, sT = 1): number {
  if (!(taMs > mT)) return 0;
  const x = Math.log10(taMs / mT) / Math.log10(2);
  const e = 6 * sT;
  return 25 * ((1 + x ** e) ** (1 / e) - 3 * (1 + (x / 3) ** e) ** (1 / e) + 2);
}

/**
 * Ie,eff (eq. 7-29): Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl), Ppl in PERCENT.
 */
export function effectiveEquipmentImpairment(ie: number, pplPct: number, bpl: number, burstR = 1): number {
  if (pplPct <= 0) return ie;
  return ie + ((95 - ie) * pplPct) / (pplPct / burstR + bpl);
}

/**
 * R → MOS-CQE (G.107 Annex B, eq. B-4): 1 for R < 0; 4.5 for R > 100;
 * otherwise 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶.
 *
 * The polynomial dips slightly below 1 for 0 < R < 6.5 (to ≈ 0.99); the result is floored at 1,
 * the bottom of the MOS scale, so that MOS stays in [1, 4.5] and never rises as R falls.
 */
export function rToMos(r: number): number {
  if (r < 0) return 1;
  if (r > 100) return 4.5;
  return Math.max(1, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6);
}

/** Id for a given parameter set (used to attribute delay impairment to its causes). */
export function delayImpairment(params: Partial<EModelParams>): { id: number; idte: number; idle: number; idd: number } {
  const p: Readonly<EModelParams> = { ...G107_DEFAULTS, ...params };
  const st = usesDefaultStatic(p) ? DEFAULT_STATIC : staticTerms(p);
  const ist = sidetoneImpairment(p);
  const idte = talkerEchoImpairment(p, st.roe, ist);
  const idle = listenerEchoImpairment(p, st.ro);
  const idd = absoluteDelayImpairment(p.ta, p.mT, p.sT);
  return { id: idte + idle + idd, idte, idle, idd };
}

/**
 * Evaluate the E-model. Parameters not given take their G.107 default values; note that T, Tr
 * and Ta are independent inputs (the usual VoIP planning assumption is T = Ta = mouth-to-ear
 * delay and Tr = 2T, which `computeMos` applies).
 */
export function eModel(params: Partial<EModelParams> = {}): EModelResult {
  const p: Readonly<EModelParams> = { ...G107_DEFAULTS, ...params };
  const st = usesDefaultStatic(p) ? DEFAULT_STATIC : staticTerms(p);
  const ist = sidetoneImpairment(p);
  const is = st.iolr + ist + st.iq;
  const idte = talkerEchoImpairment(p, st.roe, ist);
  const idle = listenerEchoImpairment(p, st.ro);
  const idd = absoluteDelayImpairment(p.ta, p.mT, p.sT);
  const id = idte + idle + idd;
  const ieEff = effectiveEquipmentImpairment(p.ie, p.ppl, p.bpl, p.burstR);
  const r = st.ro - is - id - ieEff + p.a;
  return {
    r,
    mos: rToMos(r),
    terms: {
      no: st.no,
      nos: st.nos,
      nor: st.nor,
      nfo: st.nfo,
      ro: st.ro,
      is,
      iolr: st.iolr,
      ist,
      iq: st.iq,
      id,
      idte,
      idle,
      idd,
      ieEff,
      a: p.a,
    },
  };
}
