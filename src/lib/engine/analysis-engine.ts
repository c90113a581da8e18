/**
 * The one engine behind `analyze` and `capture`: timestamped frames in (from a file reader or a
 * live source, in any number of pushes), one AnalyzeResult out. It owns the dissector, the SIP
 * dialog tracker, the RFC 6076 accumulator and the media tracker; it never reads files, opens
 * sockets or looks at a clock (time comes from the frames).
 */
import type { Frame } from '../pcap/frame.js';
import { isoTime } from '../pcap/frame.js';
import type { DissectSink, TransportPacket } from '../dissect/packet.js';
import { Dissector } from '../dissect/dissector.js';
import { looksLikeSipStart } from '../sip/framing.js';
import { decodeSipMessage, type SipMessage } from '../sip/message.js';
import { SipCallTracker, type CallState, type SipContext } from '../flows/sip-calls.js';
import { Rfc6076Accumulator } from '../metrics/rfc6076.js';
import { DelayStats } from '../metrics/delay-stats.js';
import { linkTypeName } from '../layers/link-types.js';
import { MediaTracker } from './media-tracker.js';
import type { Warning } from '../errors.js';
import type {
  AnalyzeResult,
  CallRow,
  CaptureInfo,
  EndpointRow,
  Finding,
  LadderResult,
  RegistrationRow,
  RtpStreamRow,
} from './analysis-result.js';

export interface TimeBound {
  relative: boolean;
  sec: number;
}

/** Live capture: finished calls are summarised and dropped, idle streams expire. */
export interface LiveOptions {
  /**
   * Call rows kept for the final report (oldest dropped beyond, counted; their calls stay in
   * the metrics). Default 10,000: ~1.3 KB each with the heap slack they bring (measured at
   * 5,000 calls/s: 10,000 rows → 118 MB peak RSS, 20,000 → 131 MB).
   */
  maxCallRows?: number;
  /** A stream silent this long (capture time) ends. Default 60 s. */
  streamIdleSec?: number;
}

/** What a live consumer (NDJSON stream, Prometheus exporter) hears as it happens. */
export interface EngineEvents {
  sipMessage?: (msg: SipMessage, ctx: SipContext, retransmission: boolean) => void;
  callEnd?: (row: CallRow, call: CallState) => void;
  registration?: (r: { aor: string; ok: boolean; status: number; rrdMs: number | null; callId: string; ctx: SipContext }) => void;
  optionsRtt?: (ms: number, ctx: SipContext) => void;
  streamEnd?: (row: RtpStreamRow) => void;
}

export interface EngineOptions {
  rtpHeuristic: boolean;
  live?: LiveOptions;
  events?: EngineEvents;
  ladderCallId?: string;
  callId?: string;
  since?: TimeBound;
  until?: TimeBound;
}

/** What the frame source knows about itself (files read, or a live interface). */
export interface SourceSummary {
  files: { path: string; format: string; packets: number; bytes: number; truncated: boolean }[];
  drops?: { received: number | null; dropped: number; source: string };
}

/** Live mode: finished-call rows kept for the final report unless told otherwise. */
export const DEFAULT_LIVE_CALL_ROWS = 10_000;

export class AnalysisEngine implements DissectSink {
  private readonly dissector: Dissector;
  readonly sip: SipCallTracker;
  readonly media: MediaTracker;
  private readonly malformedCounts = new Map<string, { layer: string; code: string; count: number }>();
  private readonly linkTypes = new Map<number, number>();
  private readonly extraWarnings: Warning[] = [];
  frames = 0;
  bytes = 0;
  private firstSec = -1;
  private firstNsec = 0;
  private lastSec = -1;
  private lastNsec = 0;
  private sinceSec = -Infinity;
  private untilSec = Infinity;
  private boundsResolved = false;
  private readonly ctx: SipContext = { tSec: 0, src: '', srcPort: 0, dst: '', dstPort: 0, transport: 'udp', frame: 0, fileIndex: 0 };
  /** Live mode: rows of calls already finished and dropped, and their metrics. */
  private readonly finishedCalls: CallRow[] = [];
  private readonly finishedAcc = new Rfc6076Accumulator();
  callRowsDropped = 0;
  private nextSweepSec = -1;

  constructor(private readonly opts: EngineOptions) {
    this.dissector = new Dissector(this);
    this.media = new MediaTracker({ heuristic: opts.rtpHeuristic });
    const ladder = opts.ladderCallId ? new Set([opts.ladderCallId]) : undefined;
    const ev = opts.events ?? {};
    this.sip = new SipCallTracker({
      ladderCallIds: ladder,
      trackCallIds: opts.live === undefined,
      onMedia: (call, media) => this.media.expect(call.key, call.callId, media),
      onCallEnd: (call) => this.onCallEnd(call),
      onMessage: ev.sipMessage,
      onRegistration: ev.registration,
      onOptionsRtt: ev.optionsRtt,
    });
  }

  /** Capture time of the newest frame, seconds. */
  get nowSec(): number {
    return this.lastSec < 0 ? 0 : this.lastSec + this.lastNsec / 1e9;
  }

  private get startSec(): number {
    return this.firstSec < 0 ? 0 : this.firstSec + this.firstNsec / 1e9;
  }

  /**
   * A call ended (BYE answered, or a final failure): tell the listeners, keep its row and its
   * metrics, and drop its state, offline as live: a file with many calls holds only the calls
   * in progress (~2 KB each) besides one row per finished call (~1 KB). Live captures also cap
   * the rows.
   */
  private onCallEnd(call: CallState, reason?: 'session-expired' | 'unanswered'): void {
    const streams = this.media.rowsOfCall(call.key, this.startSec).map((r) => ({ id: r.id, mos: r.mos }));
    const row = this.callRow(call, this.nowSec, streams);
    if (row.mos !== null && (this.worstMos === null || row.mos < this.worstMos)) this.worstMos = row.mos;
    if (reason === 'unanswered') row.endedBy = 'open';
    this.opts.events?.callEnd?.(row, call);
    // --call-id: the row and the metrics are the selected call's only
    if (this.opts.callId === undefined || call.callId === this.opts.callId) {
      this.finishedAcc.addCall(call);
      const max = this.opts.live ? (this.opts.live.maxCallRows ?? DEFAULT_LIVE_CALL_ROWS) : Infinity;
      if (this.finishedCalls.length >= max) {
        this.finishedCalls.shift();
        this.callRowsDropped++;
      }
      this.finishedCalls.push(row);
    }
    this.sip.forget(call);
    this.media.forgetCall(call.key);
  }

  /** Live housekeeping, once per second of capture time. */
  private sweep(nowSec: number): void {
    this.sip.expire(nowSec, (call, reason) => this.onCallEnd(call, reason));
    this.media.expireIdle(nowSec, this.opts.live?.streamIdleSec ?? 60, this.startSec, this.opts.events?.streamEnd);
  }

  /** Counters for a live status line. */
  progress(): { frames: number; sipMessages: number; activeCalls: number; finishedCalls: number; streams: number; worstMos: number | null } {
    return {
      frames: this.frames,
      sipMessages: this.sip.messages,
      activeCalls: this.sip.calls.size,
      finishedCalls: this.finishedCalls.length + this.callRowsDropped,
      streams: this.media.activeStreams,
      worstMos: this.worstMos,
    };
  }

  private worstMos: number | null = null;

  /** FrameSink: feed frames in capture order. */
  push(frame: Frame): void {
    if (!this.boundsResolved) this.resolveBounds(frame);
    const t = frame.tsSec + frame.tsNsec / 1e9;
    if (t < this.sinceSec || t > this.untilSec) return;
    this.frames++;
    this.bytes += frame.capLen;
    if (this.firstSec < 0) {
      this.firstSec = frame.tsSec;
      this.firstNsec = frame.tsNsec;
    }
    if (frame.tsSec > this.lastSec || (frame.tsSec === this.lastSec && frame.tsNsec > this.lastNsec)) {
      this.lastSec = frame.tsSec;
      this.lastNsec = frame.tsNsec;
    }
    this.linkTypes.set(frame.linkType, (this.linkTypes.get(frame.linkType) ?? 0) + 1);
    this.dissector.push(frame);
    if (this.opts.live && frame.tsSec >= this.nextSweepSec) {
      this.nextSweepSec = frame.tsSec + 1;
      this.sweep(frame.tsSec + frame.tsNsec / 1e9);
    }
  }

  private resolveBounds(frame: Frame): void {
    const t0 = frame.tsSec + frame.tsNsec / 1e9;
    const { since, until } = this.opts;
    if (since) this.sinceSec = since.relative ? t0 + since.sec : since.sec;
    if (until) this.untilSec = until.relative ? t0 + until.sec : until.sec;
    this.boundsResolved = true;
  }

  // ---- DissectSink ---------------------------------------------------------------------------

  udp(p: TransportPacket): void {
    if (p.end - p.off >= 8 && looksLikeSipStart(p.buf, p.off, p.end)) {
      this.onSip(p, false);
      return;
    }
    this.media.udp(p);
  }

  tcpMessage(p: TransportPacket): void {
    this.onSip(p, true);
  }

  malformed(layer: string, code: string): void {
    const key = `${layer}|${code}`;
    const m = this.malformedCounts.get(key);
    if (m) m.count++;
    else this.malformedCounts.set(key, { layer, code, count: 1 });
  }

  private onSip(p: TransportPacket, stream: boolean): void {
    const payload = p.payload;
    const r = decodeSipMessage(payload, 0, payload.length, { stream });
    if (!r.ok) {
      this.malformed('sip', r.error.code);
      return;
    }
    const ctx = this.ctx;
    ctx.tSec = p.frame.tsSec + p.frame.tsNsec / 1e9;
    ctx.src = p.src;
    ctx.srcPort = p.srcPort;
    ctx.dst = p.dst;
    ctx.dstPort = p.dstPort;
    ctx.transport = p.transport;
    ctx.frame = p.frame.index;
    ctx.fileIndex = p.frame.fileIndex;
    this.sip.push(r.value, ctx);
  }

  warnings(): Warning[] {
    return this.extraWarnings;
  }

  // ---- result ----------------------------------------------------------------------------------

  finish(source: SourceSummary): AnalyzeResult {
    this.dissector.flush();
    const endSec = this.lastSec < 0 ? 0 : this.lastSec + this.lastNsec / 1e9;
    const startSec = this.firstSec < 0 ? 0 : this.firstSec + this.firstNsec / 1e9;
    const media = this.media.finish(startSec);

    // Finished calls are already rows (onCallEnd, --call-id applied there); the calls still in
    // progress become rows now.
    const filter = this.opts.callId;
    let calls = this.sip.callList();
    if (filter !== undefined) calls = calls.filter((c) => c.callId === filter);
    if (filter !== undefined && calls.length === 0 && this.finishedCalls.length === 0) {
      this.extraWarnings.push({ code: 'CALL_NOT_FOUND', message: `no call with Call-ID ${filter} in the capture` });
    }
    const acc = this.finishedAcc;
    const rows: CallRow[] = [...this.finishedCalls];
    for (const c of calls) {
      acc.addCall(c);
      rows.push(this.callRow(c, endSec, media.streamsByCall.get(c.key) ?? []));
    }
    rows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    // Rows of calls finished before their streams were seen get them by Call-ID (one pass, not
    // one scan of all streams per row).
    const idsByCallId = new Map<string, string[]>();
    for (const s of media.streams) {
      if (s.row.callId === null) continue;
      const ids = idsByCallId.get(s.row.callId);
      if (ids) ids.push(s.id);
      else idsByCallId.set(s.row.callId, [s.id]);
    }
    for (const r of rows) if (r.streams.length === 0) r.streams = idsByCallId.get(r.callId) ?? [];
    if (this.callRowsDropped > 0) {
      this.extraWarnings.push({ code: 'CALL_ROWS_DROPPED', message: `${this.callRowsDropped} finished calls were summarised in the metrics but their rows dropped (memory bound)` });
    }
    const registrations: RegistrationRow[] = [];
    for (const r of this.sip.registrations.values()) {
      acc.addRegistration({ attempts: r.attempts, successes: r.successes, failures: r.failures, rrdMs: r.rrd });
      registrations.push({
        aor: r.aor,
        attempts: r.attempts,
        challenges: r.challenges,
        successes: r.successes,
        deregistrations: r.deregistrations,
        failures: r.failures,
        rrdMs: r.rrd.summary(),
        expiresSec: r.lastExpiresSec ?? null,
      });
    }

    const streams = filter === undefined ? media.streams : media.streams.filter((s) => s.row.callId === filter);
    const streamRows = streams.map((s) => s.row);

    const result: AnalyzeResult = {
      capture: this.captureInfo(source, startSec, endSec),
      sip: {
        messages: this.sip.messages,
        retransmissions: this.sip.retransmissions,
        callIds: this.sip.callIds?.size ?? null,
        methods: { ...this.sip.methods },
        statusCodes: { ...this.sip.statusCodes },
        optionsRttMs: this.sip.optionsRtt.summary(),
      },
      calls: rows,
      rfc6076: acc.result(),
      registrations: registrations.sort((a, b) => a.aor.localeCompare(b.aor)),
      endpoints: this.endpointRows(),
      rtp: {
        streams: streamRows,
        rtcp: filter === undefined ? media.rtcp : [],
        dtmf: media.dtmf.filter((d) => filter === undefined || d.callId === filter),
      },
      findings: [],
    };
    if (this.opts.ladderCallId !== undefined) result.ladder = this.ladder(this.opts.ladderCallId, startSec);
    result.findings = this.findings(result);
    return result;
  }

  private captureInfo(source: SourceSummary, startSec: number, endSec: number): CaptureInfo {
    const info: CaptureInfo = {
      files: source.files,
      packets: this.frames,
      bytes: this.bytes,
      start: this.firstSec < 0 ? null : isoTime(this.firstSec, this.firstNsec),
      end: this.lastSec < 0 ? null : isoTime(this.lastSec, this.lastNsec),
      durationSec: this.firstSec < 0 ? 0 : Math.round((endSec - startSec) * 1e6) / 1e6,
      linkTypes: [...this.linkTypes].map(([linkType, packets]) => ({ linkType, name: linkTypeName(linkType), packets })),
      malformed: [...this.malformedCounts.values()],
    };
    if (source.drops) info.drops = source.drops;
    return info;
  }

  private callRow(c: CallState, endSec: number, streamIds: { id: string; mos: number | null }[]): CallRow {
    const ms = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? null : Math.round((b - a) * 1e6) / 1e3;
    const final = c.finalStatus;
    // RFC 6076 §4.3: INVITE → first non-100 provisional, else the final response (2xx, or the
    // failure for a failed setup, §4.3.2).
    const firstProgress = c.ringSec !== undefined && (c.finalSec === undefined || c.ringSec <= c.finalSec) ? c.ringSec : c.finalSec;
    let endedBy: CallRow['endedBy'];
    if (c.byeSec !== undefined) endedBy = c.byeFromCaller ? 'caller-bye' : 'callee-bye';
    else if (c.cancelSec !== undefined && (final === undefined || final === 487)) endedBy = 'cancel';
    else if (final !== undefined && final >= 300) endedBy = 'error';
    else endedBy = 'open';
    const moses = streamIds.map((s) => s.mos).filter((m): m is number => m !== null);
    return {
      // the call's strings are detached from the message text (sip/detach.ts): a live capture
      // keeps up to maxCallRows finished rows
      callId: c.callId,
      from: c.from,
      to: c.to,
      caller: c.caller,
      callee: c.callee,
      start: isoTimeFromSec(c.inviteSec),
      srdMs: ms(c.inviteSec, firstProgress),
      setupMs: ms(c.inviteSec, c.answerSec),
      durationMs: c.answerSec === undefined ? null : ms(c.answerSec, c.byeSec ?? endSec),
      sddMs: ms(c.byeSec, c.byeAnsweredSec),
      finalStatus: final ?? null,
      finalReason: c.finalReason ?? null,
      endedBy,
      userAgents: { caller: c.userAgents.caller ?? null, callee: c.userAgents.callee ?? null },
      authChallenges: c.challenged,
      reInvites: c.reInvites,
      forks: Math.max(0, c.toTags.size - 1),
      media: c.media.map((m) => ({ side: m.side, ip: m.ip, rtpPort: m.rtpPort, rtcpPort: m.rtcpPort, codecs: m.codecs, direction: m.direction })),
      streams: streamIds.map((s) => s.id),
      mos: moses.length ? Math.min(...moses) : null,
    };
  }

  private endpointRows(): EndpointRow[] {
    return [...this.sip.endpoints.values()]
      .sort((a, b) => b.messages - a.messages)
      .map((e) => ({
        userAgent: e.userAgent,
        vendor: e.info.vendor,
        model: e.info.model ?? null,
        firmware: e.info.firmware ?? null,
        role: e.role,
        addresses: [...e.addresses],
        messages: e.messages,
      }));
  }

  private ladder(callId: string, startSec: number): LadderResult {
    const entries = this.sip.ladders.get(callId) ?? [];
    const hosts: string[] = [];
    for (const e of entries) {
      if (!hosts.includes(e.src)) hosts.push(e.src);
      if (!hosts.includes(e.dst)) hosts.push(e.dst);
    }
    let prev = entries[0]?.tSec ?? startSec;
    const first = prev;
    return {
      callId,
      hosts,
      entries: entries.map((e) => {
        const row = {
          time: isoTimeFromSec(e.tSec),
          relMs: Math.round((e.tSec - first) * 1e6) / 1e3,
          deltaMs: Math.round((e.tSec - prev) * 1e6) / 1e3,
          src: e.src,
          dst: e.dst,
          label: e.label,
          frame: e.frame,
          retransmission: e.retransmission,
        };
        prev = e.tSec;
        return row;
      }),
    };
  }

  private findings(r: AnalyzeResult): Finding[] {
    const out: Finding[] = [];
    if (this.opts.ladderCallId !== undefined && (r.ladder?.entries.length ?? 0) === 0) {
      this.extraWarnings.push({ code: 'CALL_NOT_FOUND', message: `no SIP message with Call-ID ${this.opts.ladderCallId} for --ladder` });
    }
    if (r.sip.messages > 0 && r.sip.retransmissions / r.sip.messages > 0.05) {
      out.push({
        severity: 'warning',
        code: 'SIP_RETRANSMISSIONS',
        message: `${r.sip.retransmissions} of ${r.sip.messages} SIP messages are retransmissions (${((r.sip.retransmissions / r.sip.messages) * 100).toFixed(1)} %): loss or a slow peer on the signalling path`,
        evidence: { retransmissions: r.sip.retransmissions, messages: r.sip.messages },
      });
    }
    for (const m of r.capture.malformed) {
      out.push({ severity: 'info', code: 'MALFORMED', message: `${m.count} malformed at ${m.layer}: ${m.code}`, evidence: { ...m } });
    }
    out.push(...this.media.findings(r.calls, r.rtp.streams));
    return out;
  }
}

function isoTimeFromSec(t: number): string {
  const sec = Math.floor(t);
  return isoTime(sec, Math.round((t - sec) * 1e9));
}

