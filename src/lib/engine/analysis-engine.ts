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
import { decodeSipMessage } from '../sip/message.js';
import { SipCallTracker, uriText, type CallState, type SipContext } from '../flows/sip-calls.js';
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
} from './analysis-result.js';

export interface TimeBound {
  relative: boolean;
  sec: number;
}

export interface EngineOptions {
  rtpHeuristic: boolean;
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

  constructor(private readonly opts: EngineOptions) {
    this.dissector = new Dissector(this);
    this.media = new MediaTracker({ heuristic: opts.rtpHeuristic });
    const ladder = opts.ladderCallId ? new Set([opts.ladderCallId]) : undefined;
    this.sip = new SipCallTracker({
      ladderCallIds: ladder,
      onMedia: (call, media) => this.media.expect(call.key, call.callId, media),
    });
  }

  /** FrameSink: feed frames in capture order. */
  push(frame: Frame): void {
    if (!this.boundsResolved) this.resolveBounds(frame);
    const t = frame.tsSec + frame.tsNsec / 1e9;
    if (t < this.sinceSec || t > this.untilSec) return;
    this.frames++;
    this.bytes += frame.data.length;
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
    const b = p.payload;
    if (b.length >= 8 && looksLikeSipStart(b, 0, b.length)) {
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
    const r = decodeSipMessage(p.payload, 0, p.payload.length, { stream });
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

    const filter = this.opts.callId;
    let calls = this.sip.callList();
    if (filter !== undefined) {
      calls = calls.filter((c) => c.callId === filter);
      if (calls.length === 0) {
        this.extraWarnings.push({ code: 'CALL_NOT_FOUND', message: `no call with Call-ID ${filter} in the capture` });
      }
    }
    const acc = new Rfc6076Accumulator();
    const rows: CallRow[] = [];
    for (const c of calls) {
      acc.addCall(c);
      rows.push(this.callRow(c, endSec, media.streamsByCall.get(c.key) ?? []));
    }
    const registrations: RegistrationRow[] = [];
    for (const r of this.sip.registrations.values()) {
      acc.addRegistration({ attempts: r.attempts, successes: r.successes, failures: r.failures, rrdMs: r.rrd });
      const d = new DelayStats();
      for (const x of r.rrd) d.push(x);
      registrations.push({
        aor: r.aor,
        attempts: r.attempts,
        challenges: r.challenges,
        successes: r.successes,
        deregistrations: r.deregistrations,
        failures: r.failures,
        rrdMs: d.summary(),
        expiresSec: r.lastExpiresSec ?? null,
      });
    }
    const optionsRtt = new DelayStats();
    for (const x of this.sip.optionsRtt) optionsRtt.push(x);

    const callKeys = new Set(calls.map((c) => c.key));
    const streams = filter === undefined ? media.streams : media.streams.filter((s) => s.callKey !== null && callKeys.has(s.callKey));
    const streamRows = streams.map((s) => s.row);

    const result: AnalyzeResult = {
      capture: this.captureInfo(source, startSec, endSec),
      sip: {
        messages: this.sip.messages,
        retransmissions: this.sip.retransmissions,
        callIds: this.sip.callIds?.size ?? null,
        methods: { ...this.sip.methods },
        statusCodes: { ...this.sip.statusCodes },
        optionsRttMs: optionsRtt.summary(),
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

export { uriText };
