/**
 * Per-SSRC RTCP statistics: a pure state machine, time passed in (STYLE.md rule 12).
 *
 * Feed it each decoded compound datagram with its capture time. Per reporting SSRC (the SSRC
 * in an SR/RR/XR header) it keeps:
 * - SR count and the last SR (NTP time, RTP time, packet and octet counts, capture time);
 * - RR count and, per reported-on source, the last report block: fraction lost as %,
 *   cumulative lost, highest sequence number, jitter in RTP units and in ms (with that
 *   source's clock rate, when `clockRateOf` knows it), LSR/DLSR;
 * - round-trip times by RFC 3550 §6.4.1, from capture times: when a report block with LSR ≠ 0
 *   about source S arrives at time A, RTT = A − DLSR / 65536 s − T, where T is the capture
 *   time of S's SR whose NTP middle 32 bits equal LSR. The capture point measures the path
 *   capture point → reporter → capture point: the full round trip when capturing next to S.
 *   Values can be slightly negative (DLSR granularity 15 µs) on a very short path; they are
 *   kept as measured.
 * - the latest RFC 3611 VoIP Metrics block per reported-on source, and SDES CNAME, BYE.
 *
 * Memory is bounded: `maxSources` reporting SSRCs (later ones are counted, not tracked),
 * `maxReportsPerSource` reported-on sources each, the last `srHistory` SRs per source.
 */
import type { RtcpPacket } from '../rtcp/compound.js';
import { ntpMiddle32 } from '../rtcp/header.js';
import type { ReportBlock } from '../rtcp/receiver-report.js';
import { SDES_ITEM } from '../rtcp/sdes.js';
import { XR_UNAVAILABLE, type VoipMetrics } from '../rtcp/xr.js';

/** Distinct untracked SSRCs remembered (to count them); beyond, the count saturates. */
const UNTRACKED_CAP = 65536;

export interface RtcpStatsOptions {
  /** Clock rate (Hz) of the RTP stream with this SSRC, to express report jitter in ms. */
  clockRateOf?: (ssrc: number) => number | undefined;
  /** Reporting SSRCs tracked (default 4096). */
  maxSources?: number;
  /** Reported-on sources tracked per reporter (default 64). */
  maxReportsPerSource?: number;
  /** SRs remembered per source for LSR matching (default 16). */
  srHistory?: number;
}

export interface LastSenderReport {
  ntpSec: number;
  ntpFrac: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  arrivalSec: number;
  arrivalNsec: number;
}

export interface ReportSnapshot {
  /** The source the blocks are about. */
  aboutSsrc: number;
  /** Report blocks seen about it. */
  count: number;
  /** Last block: fraction lost × 100 / 256. */
  fractionLostPct: number;
  /** Largest fraction lost seen, %. */
  maxFractionLostPct: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter, RTP timestamp units. */
  jitter: number;
  /** The same in ms with the source's clock rate; null when the clock rate is unknown. */
  jitterMs: number | null;
  maxJitterMs: number | null;
  lastSr: number;
  /** DLSR in seconds. */
  delaySinceLastSrSec: number;
}

export interface RttSummary {
  count: number;
  minMs: number | null;
  avgMs: number | null;
  maxMs: number | null;
  lastMs: number | null;
}

export interface VoipMetricsSnapshot {
  aboutSsrc: number;
  count: number;
  /** Raw block, as decoded. */
  raw: VoipMetrics;
  /** Convenience values: percentages 0–100, MOS 1–5, null where the block says unavailable. */
  lossRatePct: number;
  discardRatePct: number;
  burstDensityPct: number;
  gapDensityPct: number;
  rFactor: number | null;
  mosLq: number | null;
  mosCq: number | null;
  roundTripDelayMs: number;
  endSystemDelayMs: number;
}

export interface RtcpSourceSnapshot {
  ssrc: number;
  cname: string | null;
  senderReports: number;
  receiverReports: number;
  extendedReports: number;
  byes: number;
  byeReason: string | null;
  lastSenderReport: LastSenderReport | null;
  reports: ReportSnapshot[];
  /** Round trips measured from this source's report blocks (it is the reporter). */
  rtt: RttSummary;
  voipMetrics: VoipMetricsSnapshot[];
}

export interface RtcpSnapshot {
  datagrams: number;
  sources: RtcpSourceSnapshot[];
  /** Distinct reporting SSRCs beyond `maxSources`, not tracked (saturates at 65536). */
  untrackedSources: number;
}

interface ReportState {
  count: number;
  last: ReportBlock;
  maxFraction: number;
  maxJitter: number;
}

interface SourceState {
  ssrc: number;
  cname: string | null;
  sr: number;
  rr: number;
  xr: number;
  byes: number;
  byeReason: string | null;
  lastSr: LastSenderReport | null;
  /** Ring of recent SRs: NTP middle 32 bits and capture time in seconds. */
  srMiddle: Float64Array;
  srTimeSec: Float64Array;
  srNext: number;
  reports: Map<number, ReportState>;
  rttCount: number;
  rttMin: number;
  rttMax: number;
  rttSum: number;
  rttLast: number;
  voip: Map<number, { count: number; raw: VoipMetrics }>;
}

export class RtcpStats {
  private readonly sources = new Map<number, SourceState>();
  private readonly clockRateOf: (ssrc: number) => number | undefined;
  private readonly maxSources: number;
  private readonly maxReports: number;
  private readonly srHistory: number;
  private datagrams = 0;
  private readonly untracked = new Set<number>();
  /** Capture time of the first datagram: times are kept relative to it, as doubles. */
  private baseSec = -1;

  constructor(options: RtcpStatsOptions = {}) {
    this.clockRateOf = options.clockRateOf ?? (() => undefined);
    this.maxSources = options.maxSources ?? 4096;
    this.maxReports = options.maxReportsPerSource ?? 64;
    this.srHistory = Math.max(1, options.srHistory ?? 16);
  }

  /** One compound datagram, decoded, with its capture time. */
  push(packets: readonly RtcpPacket[], arrivalSec: number, arrivalNsec: number): void {
    this.datagrams++;
    if (this.baseSec < 0) this.baseSec = arrivalSec;
    const t = arrivalSec - this.baseSec + arrivalNsec / 1e9;
    for (const p of packets) {
      switch (p.type) {
        case 'sr': {
          const s = this.source(p.ssrc);
          if (!s) break;
          s.sr++;
          s.lastSr = {
            ntpSec: p.ntpSec,
            ntpFrac: p.ntpFrac,
            rtpTimestamp: p.rtpTimestamp,
            packetCount: p.packetCount,
            octetCount: p.octetCount,
            arrivalSec,
            arrivalNsec,
          };
          s.srMiddle[s.srNext] = ntpMiddle32(p.ntpSec, p.ntpFrac);
          s.srTimeSec[s.srNext] = t;
          s.srNext = (s.srNext + 1) % this.srHistory;
          this.reportBlocks(s, p.reports, t);
          break;
        }
        case 'rr': {
          const s = this.source(p.ssrc);
          if (!s) break;
          s.rr++;
          this.reportBlocks(s, p.reports, t);
          break;
        }
        case 'sdes':
          for (const c of p.chunks) {
            const cname = c.items.find((i) => i.type === SDES_ITEM.CNAME);
            if (!cname) continue;
            const s = this.source(c.ssrc);
            // Some senders (AudioCodes) include the C string's NUL in the item.
            if (s) s.cname = cname.text.replace(/\0+$/, '');
          }
          break;
        case 'bye':
          for (const ssrc of p.ssrcs) {
            const s = this.source(ssrc);
            if (!s) continue;
            s.byes++;
            if (p.reason !== null) s.byeReason = p.reason;
          }
          break;
        case 'xr': {
          const s = this.source(p.ssrc);
          if (!s) break;
          s.xr++;
          for (const b of p.blocks) {
            if (!('voip' in b)) continue;
            const cur = s.voip.get(b.voip.ssrc);
            if (cur) {
              cur.count++;
              cur.raw = b.voip;
            } else if (s.voip.size < this.maxReports) {
              s.voip.set(b.voip.ssrc, { count: 1, raw: b.voip });
            }
          }
          break;
        }
        default:
          break;
      }
    }
  }

  private source(ssrc: number): SourceState | undefined {
    const key = ssrc >>> 0;
    let s = this.sources.get(key);
    if (s) return s;
    if (this.sources.size >= this.maxSources) {
      if (this.untracked.size < UNTRACKED_CAP) this.untracked.add(key);
      return undefined;
    }
    s = {
      ssrc: key,
      cname: null,
      sr: 0,
      rr: 0,
      xr: 0,
      byes: 0,
      byeReason: null,
      lastSr: null,
      srMiddle: new Float64Array(this.srHistory).fill(-1),
      srTimeSec: new Float64Array(this.srHistory),
      srNext: 0,
      reports: new Map(),
      rttCount: 0,
      rttMin: Infinity,
      rttMax: -Infinity,
      rttSum: 0,
      rttLast: 0,
      voip: new Map(),
    };
    this.sources.set(key, s);
    return s;
  }

  private reportBlocks(reporter: SourceState, blocks: readonly ReportBlock[], t: number): void {
    for (const b of blocks) {
      const about = b.ssrc >>> 0;
      const cur = reporter.reports.get(about);
      if (cur) {
        cur.count++;
        cur.last = b;
        if (b.fractionLost > cur.maxFraction) cur.maxFraction = b.fractionLost;
        if (b.jitter > cur.maxJitter) cur.maxJitter = b.jitter;
      } else if (reporter.reports.size < this.maxReports) {
        reporter.reports.set(about, { count: 1, last: b, maxFraction: b.fractionLost, maxJitter: b.jitter });
      }
      if (b.lastSr === 0) continue;
      const sender = this.sources.get(about);
      if (!sender) continue;
      for (let i = 0; i < this.srHistory; i++) {
        if (sender.srMiddle[i] !== b.lastSr) continue;
        const rttMs = (t - b.delaySinceLastSr / 65536 - sender.srTimeSec[i]!) * 1000;
        reporter.rttCount++;
        reporter.rttSum += rttMs;
        reporter.rttLast = rttMs;
        if (rttMs < reporter.rttMin) reporter.rttMin = rttMs;
        if (rttMs > reporter.rttMax) reporter.rttMax = rttMs;
        break;
      }
    }
  }

  snapshot(): RtcpSnapshot {
    const sources: RtcpSourceSnapshot[] = [];
    for (const s of this.sources.values()) {
      const reports: ReportSnapshot[] = [];
      for (const [about, r] of s.reports) {
        const clock = this.clockRateOf(about);
        const toMs = (ts: number): number | null => (clock ? (ts * 1000) / clock : null);
        reports.push({
          aboutSsrc: about,
          count: r.count,
          fractionLostPct: (r.last.fractionLost * 100) / 256,
          maxFractionLostPct: (r.maxFraction * 100) / 256,
          cumulativeLost: r.last.cumulativeLost,
          extendedHighestSeq: r.last.extendedHighestSeq,
          jitter: r.last.jitter,
          jitterMs: toMs(r.last.jitter),
          maxJitterMs: toMs(r.maxJitter),
          lastSr: r.last.lastSr,
          delaySinceLastSrSec: r.last.delaySinceLastSr / 65536,
        });
      }
      const voipMetrics: VoipMetricsSnapshot[] = [];
      for (const [about, v] of s.voip) {
        const m = v.raw;
        const avail = (x: number, scale: number): number | null => (x === XR_UNAVAILABLE ? null : x / scale);
        voipMetrics.push({
          aboutSsrc: about,
          count: v.count,
          raw: { ...m },
          lossRatePct: (m.lossRate * 100) / 256,
          discardRatePct: (m.discardRate * 100) / 256,
          burstDensityPct: (m.burstDensity * 100) / 256,
          gapDensityPct: (m.gapDensity * 100) / 256,
          rFactor: avail(m.rFactor, 1),
          mosLq: avail(m.mosLq, 10),
          mosCq: avail(m.mosCq, 10),
          roundTripDelayMs: m.roundTripDelayMs,
          endSystemDelayMs: m.endSystemDelayMs,
        });
      }
      const n = s.rttCount;
      sources.push({
        ssrc: s.ssrc,
        cname: s.cname,
        senderReports: s.sr,
        receiverReports: s.rr,
        extendedReports: s.xr,
        byes: s.byes,
        byeReason: s.byeReason,
        lastSenderReport: s.lastSr ? { ...s.lastSr } : null,
        reports,
        rtt: {
          count: n,
          minMs: n ? s.rttMin : null,
          avgMs: n ? s.rttSum / n : null,
          maxMs: n ? s.rttMax : null,
          lastMs: n ? s.rttLast : null,
        },
        voipMetrics,
      });
    }
    return { datagrams: this.datagrams, sources, untrackedSources: this.untracked.size };
  }
}
