/**
 * RFC 6076 "Basic Telephony SIP End-to-End Performance Metrics", plus ASR (ITU-T E.411), NER and
 * ISS (as defined for SIP by GSMA IR.42-style exporters), computed from finished call outcomes.
 *
 * Counting unit: one session attempt per initial INVITE dialog (Call-ID + From-tag). An INVITE
 * challenged with 401/407 and re-sent with credentials is one attempt, not two (RFC 3261 §22.2):
 * counting transactions would halve SER for every authenticated call. Attempts with no final
 * response when the capture ends are "pending": they are excluded from every ratio and reported.
 *
 * - §4.1 RRD  Registration Request Delay: first REGISTER of an attempt → final 2xx (ms).
 * - §4.2 IRA  Ineffective Registration Attempts: failed attempts / attempts × 100.
 * - §4.3 SRD  Session Request Delay: INVITE → first non-100 provisional, or → 2xx when no
 *             provisional came (successful setup, §4.3.1); INVITE → failure final (§4.3.2).
 * - §4.4 SDD  Session Disconnect Delay: BYE → its final response.
 * - §4.5 SDT  Session Duration Time: 2xx to INVITE → BYE.
 * - §4.7 SER  INVITE→2xx / (attempts − INVITE→3xx) × 100.
 * - §4.8 SEER INVITE→{2xx, 480, 486, 600, 603} / (attempts − INVITE→3xx) × 100.
 * - §4.9 ISA  INVITE→{408, 500, 503, 504} / attempts × 100.
 * - §4.10 SCR completed (2xx, then BYE answered 2xx) / attempts × 100.
 * - ASR (E.411) answered / attempts × 100.  NER = 100 − ISA.  ISS = count of ISA outcomes.
 * Ratios are percentages 0–100, null when their denominator is 0.
 */
import { DelayStats, type DelaySummary } from './delay-stats.js';

/** What the metric engine needs to know of one call. Times in seconds (capture clock). */
export interface CallOutcome {
  inviteSec: number;
  ringSec?: number;
  answerSec?: number;
  finalSec?: number;
  finalStatus?: number;
  byeSec?: number;
  byeAnsweredSec?: number;
  byeStatus?: number;
}

export interface RegistrationOutcome {
  attempts: number;
  successes: number;
  failures: Record<string, number>;
  /** Registration request delays (ms): the samples, or a registration's own distribution. */
  rrdMs: readonly number[] | DelayStats;
}

export interface Rfc6076Result {
  attempts: number;
  pending: number;
  answered: number;
  completed: number;
  rrdMs: DelaySummary;
  iraPct: number | null;
  srdMs: DelaySummary;
  srdFailedMs: DelaySummary;
  setupMs: DelaySummary;
  sddMs: DelaySummary;
  sdtMs: DelaySummary;
  serPct: number | null;
  seerPct: number | null;
  isaPct: number | null;
  scrPct: number | null;
  asrPct: number | null;
  nerPct: number | null;
  iss: number;
}

const SEER_CODES = new Set([480, 486, 600, 603]);
const ISA_CODES = new Set([408, 500, 503, 504]);

export class Rfc6076Accumulator {
  attempts = 0;
  pending = 0;
  answered = 0;
  redirected = 0;
  effective = 0;
  ineffective = 0;
  completed = 0;
  regAttempts = 0;
  regFailures = 0;
  readonly rrd = new DelayStats();
  readonly srd = new DelayStats();
  readonly srdFailed = new DelayStats();
  readonly setup = new DelayStats();
  readonly sdd = new DelayStats();
  readonly sdt = new DelayStats();

  addCall(c: CallOutcome): void {
    const status = c.finalStatus;
    if (status === undefined) {
      this.pending++;
      return;
    }
    this.attempts++;
    const ms = (a: number, b: number) => (b - a) * 1000;
    if (status >= 200 && status < 300) {
      this.answered++;
      this.effective++;
      const first = c.ringSec !== undefined && c.ringSec < (c.answerSec ?? Infinity) ? c.ringSec : c.answerSec;
      if (first !== undefined) this.srd.push(ms(c.inviteSec, first));
      if (c.answerSec !== undefined) this.setup.push(ms(c.inviteSec, c.answerSec));
      if (c.byeSec !== undefined && c.answerSec !== undefined) this.sdt.push(ms(c.answerSec, c.byeSec));
      if (c.byeSec !== undefined && c.byeAnsweredSec !== undefined) this.sdd.push(ms(c.byeSec, c.byeAnsweredSec));
      if (c.byeStatus !== undefined && c.byeStatus >= 200 && c.byeStatus < 300) this.completed++;
      return;
    }
    if (status >= 300 && status < 400) this.redirected++;
    if (SEER_CODES.has(status)) this.effective++;
    if (ISA_CODES.has(status)) this.ineffective++;
    if (status >= 400 && c.finalSec !== undefined) this.srdFailed.push(ms(c.inviteSec, c.finalSec));
  }

  addRegistration(r: RegistrationOutcome): void {
    this.regAttempts += r.attempts;
    for (const n of Object.values(r.failures)) this.regFailures += n;
    if (r.rrdMs instanceof DelayStats) this.rrd.merge(r.rrdMs);
    else for (const d of r.rrdMs) this.rrd.push(d);
  }

  result(): Rfc6076Result {
    const pct = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 100 * 1000) / 1000 : null);
    const nonRedirect = this.attempts - this.redirected;
    const isa = pct(this.ineffective, this.attempts);
    return {
      attempts: this.attempts,
      pending: this.pending,
      answered: this.answered,
      completed: this.completed,
      rrdMs: this.rrd.summary(),
      iraPct: pct(this.regFailures, this.regAttempts),
      srdMs: this.srd.summary(),
      srdFailedMs: this.srdFailed.summary(),
      setupMs: this.setup.summary(),
      sddMs: this.sdd.summary(),
      sdtMs: this.sdt.summary(),
      serPct: pct(this.answered, nonRedirect),
      seerPct: pct(this.effective, nonRedirect),
      isaPct: isa,
      scrPct: pct(this.completed, this.attempts),
      asrPct: pct(this.answered, this.attempts),
      nerPct: isa === null ? null : Math.round((100 - isa) * 1000) / 1000,
      iss: this.ineffective,
    };
  }
}
