/**
 * RTP and RTCP in the analysis engine: which UDP datagrams are media (SDP said so, or the
 * heuristic confirmed the flow), one RtpStreamStats per 5-tuple + SSRC (echoed RTP carries the
 * same SSRC both ways, so the SSRC alone is not a key), RTCP per endpoint pair for the far
 * end's reports and LSR/DLSR round trips, and the per-stream E-model score.
 *
 * Demultiplexing RTP from RTCP on one port follows RFC 5761 §4: a second byte of 200–207 is
 * RTCP (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR).
 */
import type { TransportPacket } from '../dissect/packet.js';
import { isoTime } from '../pcap/frame.js';
import type { CallMedia } from '../flows/sip-calls.js';
import { RtpHeuristic, isRtcpDatagramAt, rtpPayloadLengthAt } from '../flows/rtp-heuristic.js';
import { RtpStreamStats, type RtpPacketInfo, type RtpPayloadMapping, type RtpStreamSnapshot } from '../metrics/rtp-stream-stats.js';
import { RtcpStats } from '../metrics/rtcp-stats.js';
import { decodeRtcpCompound } from '../rtcp/compound.js';
import { PT_CN, PT_CN_OLD, isTelephoneEventName, tsharkPayloadName } from '../rtp/payload-types.js';
import { computeMos, checkMosInput, findCodec, measuredLossPct } from '../mos/index.js';
import { StreamTable } from './stream-table.js';
import type { CallRow, DtmfRow, Finding, RtcpRow, RtpStreamRow } from './analysis-result.js';

/**
 * One-way network delay assumed for the E-model when no RTCP round trip was measured: 20 ms,
 * a regional path. The stream's `mosInputs.delaySource` says which one was used.
 */
export const DEFAULT_ONE_WAY_DELAY_MS = 20;

interface Expectation {
  callKey: string;
  callId: string;
  kind: 'rtp' | 'rtcp';
  payloads: Record<number, RtpPayloadMapping>;
}

interface Stream {
  id: string;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** TransportPacket.srcKey / dstKey of the first packet (the StreamTable key). */
  srcKey: number;
  dstKey: number;
  ssrc: number;
  callKey: string | null;
  callId: string | null;
  payloads: Record<number, RtpPayloadMapping>;
  stats: RtpStreamStats;
  detectedBy: 'sdp' | 'heuristic';
}

export interface TrackedStream {
  id: string;
  callKey: string | null;
  row: RtpStreamRow;
}

export interface MediaResult {
  streams: TrackedStream[];
  streamsByCall: Map<string, { id: string; mos: number | null }[]>;
  rtcp: RtcpRow[];
  dtmf: DtmfRow[];
}

export class MediaTracker {
  /** ip → port → what SDP announced there, most recent last (ports are reused across calls). */
  private readonly expected = new Map<string, Map<number, Expectation[]>>();
  /**
   * (source key, destination key, ports, SSRC) → stream, one flat hash table: the per-packet
   * lookup. Address keys are TransportPacket.srcKey/dstKey; an IPv6 key may collide, so a hit
   * is checked against the address text, and a colliding stream lives in `collided`.
   */
  private readonly streams = new StreamTable<Stream>();
  private readonly collided = new Map<string, Stream>();
  /** Active streams by id, in order of first packet. */
  private readonly active = new Map<string, Stream>();
  private nextId = 1;
  /** Rows of streams already ended (live capture: idle expiry), bounded. */
  private readonly ended: { callKey: string | null; row: RtpStreamRow; events: DtmfRow[] }[] = [];
  private readonly maxEndedRows: number;
  endedRowsDropped = 0;
  streamsExpired = 0;
  /** callKey → the (ip, port) it announced, to withdraw them when the call is forgotten. */
  private readonly announced = new Map<string, { ip: string; port: number }[]>();
  private readonly byCall = new Map<string, Stream[]>();
  private readonly heuristic: RtpHeuristic | undefined;
  private readonly rtcpByPair = new Map<string, { stats: RtcpStats; senders: Map<number, { src: string; srcPort: number; dst: string; dstPort: number }> }>();
  private readonly clockBySsrc = new Map<number, number>();
  private readonly info: RtpPacketInfo = {
    seq: 0,
    timestamp: 0,
    ssrc: 0,
    pt: 0,
    marker: false,
    payloadBytes: 0,
    arrivalSec: 0,
    arrivalNsec: 0,
    payloadHead32: -1,
  };
  rtcpDatagrams = 0;

  constructor(opts: { heuristic: boolean; maxEndedRows?: number }) {
    this.heuristic = opts.heuristic ? new RtpHeuristic() : undefined;
    this.maxEndedRows = opts.maxEndedRows ?? 100_000;
  }

  get activeStreams(): number {
    return this.active.size;
  }

  /** SDP announced media at ip:port (RTP) and its RTCP port. Later offers update the map. */
  expect(callKey: string, callId: string, media: CallMedia): void {
    const payloads: Record<number, RtpPayloadMapping> = {};
    for (const p of media.payloads) if (p.pt >= 96) payloads[p.pt] = { name: p.name, clockRate: p.clockRate };
    this.setExpectation(media.ip, media.rtpPort, { callKey, callId, kind: 'rtp', payloads });
    if (!media.rtcpMux && media.rtcpPort !== media.rtpPort) {
      this.setExpectation(media.ip, media.rtcpPort, { callKey, callId, kind: 'rtcp', payloads });
    }
  }

  private setExpectation(ip: string, port: number, e: Expectation): void {
    let mine = this.announced.get(e.callKey);
    if (!mine) this.announced.set(e.callKey, (mine = []));
    if (mine.length < 16 && !mine.some((x) => x.ip === ip && x.port === port)) mine.push({ ip, port });
    let ports = this.expected.get(ip);
    if (!ports) this.expected.set(ip, (ports = new Map()));
    const list = ports.get(port);
    if (!list) {
      ports.set(port, [e]);
      return;
    }
    const old = list.find((x) => x.callKey === e.callKey);
    if (old) {
      Object.assign(old.payloads, e.payloads);
      list.splice(list.indexOf(old), 1);
      list.push(old);
      return;
    }
    list.push(e);
    if (list.length > 8) list.shift();
  }

  /**
   * The expectation a datagram belongs to. Both ends announced in one call win; else the most
   * recent announcement of the destination, then of the source (symmetric RTP).
   */
  private match(p: TransportPacket): Expectation | undefined {
    const dst = this.expected.get(p.dst)?.get(p.dstPort);
    const src = this.expected.get(p.src)?.get(p.srcPort);
    if (dst && src) {
      for (let i = dst.length - 1; i >= 0; i--) {
        const d = dst[i] as Expectation;
        if (src.some((x) => x.callKey === d.callKey)) return d;
      }
    }
    if (dst) return dst[dst.length - 1];
    return src?.[src.length - 1];
  }

  udp(p: TransportPacket): void {
    const b = p.buf;
    const off = p.off;
    const end = p.end;
    if (end - off < 8 || b[off]! >> 6 !== 2) return;
    const second = b[off + 1]!;
    const rtcp = second >= 200 && second <= 207;
    // Fast path: a packet of a stream already known needs no SDP matching and no heuristic.
    if (!rtcp && end - off >= 12) {
      const ssrc = (b[off + 8]! << 24) | (b[off + 9]! << 16) | (b[off + 10]! << 8) | b[off + 11]!;
      const s = this.findStream(p, ssrc);
      if (s) {
        const payloadBytes = rtpPayloadLengthAt(b, off, end, 0, 0);
        if (payloadBytes < 0) return;
        this.fill(b, off, end, payloadBytes, p);
        s.stats.push(this.info);
        return;
      }
    }
    const exp = this.match(p);
    if (rtcp) {
      if ((exp || this.heuristic) && isRtcpDatagramAt(b, off, end, exp ? 0 : p.srcPort, exp ? 0 : p.dstPort)) this.onRtcp(p);
      return;
    }
    if (exp?.kind === 'rtp') {
      const payloadBytes = rtpPayloadLengthAt(b, off, end, 0, 0);
      if (payloadBytes < 0) return;
      this.fill(b, off, end, payloadBytes, p);
      this.pushRtp(p, exp.payloads, exp.callKey, exp.callId, 'sdp');
      return;
    }
    if (!this.heuristic || exp) return;
    const key = `${p.src}|${p.srcPort}|${p.dst}|${p.dstPort}`;
    const verdict = this.heuristic.offer(key, p.srcPort, p.dstPort, p.payload, p.frame.tsSec, p.frame.tsNsec);
    if (verdict === 'rtp') {
      this.fill(b, off, end, rtpPayloadLengthAt(b, off, end, p.srcPort, p.dstPort), p);
      this.pushRtp(p, {}, null, null, 'heuristic');
    } else if (verdict === 'confirmed') {
      for (const held of this.heuristic.takePending(key)) {
        Object.assign(this.info, held);
        this.pushRtp(p, {}, null, null, 'heuristic');
      }
    }
  }

  /** The RTP fields of `b[off, end)` into `this.info` (no allocation). */
  private fill(b: Uint8Array, off: number, end: number, payloadBytes: number, p: TransportPacket): void {
    const i = this.info;
    const b0 = b[off]!;
    const b1 = b[off + 1]!;
    i.seq = (b[off + 2]! << 8) | b[off + 3]!;
    i.timestamp = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
    i.ssrc = ((b[off + 8]! << 24) | (b[off + 9]! << 16) | (b[off + 10]! << 8) | b[off + 11]!) >>> 0;
    i.pt = b1 & 0x7f;
    i.marker = (b1 & 0x80) !== 0;
    i.payloadBytes = payloadBytes;
    i.arrivalSec = p.frame.tsSec;
    i.arrivalNsec = p.frame.tsNsec;
    // The payload starts after the header; padding (if any) is at the end, so for the
    // RFC 4733 event word read the first 4 bytes after the CSRCs and extension.
    let at = off + 12 + 4 * (b0 & 0x0f);
    if (b0 & 0x10 && at + 4 <= end) at += 4 + 4 * ((b[at + 2]! << 8) | b[at + 3]!);
    i.payloadHead32 = payloadBytes >= 4 && at + 4 <= end ? ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0 : -1;
  }

  private pushRtp(
    p: TransportPacket,
    payloads: Record<number, RtpPayloadMapping>,
    callKey: string | null,
    callId: string | null,
    detectedBy: 'sdp' | 'heuristic',
  ): void {
    const ssrc = this.info.ssrc;
    let s = this.findStream(p, ssrc | 0);
    if (!s) {
      s = {
        id: `s${this.nextId++}`,
        src: p.src,
        srcPort: p.srcPort,
        dst: p.dst,
        dstPort: p.dstPort,
        srcKey: p.srcKey,
        dstKey: p.dstKey,
        ssrc,
        callKey,
        callId,
        payloads,
        stats: new RtpStreamStats({ payloads, minSequential: 1 }),
        detectedBy,
      };
      this.addStream(s);
      this.active.set(s.id, s);
      if (callKey !== null) {
        const list = this.byCall.get(callKey);
        if (list) list.push(s);
        else this.byCall.set(callKey, [s]);
      }
    }
    s.stats.push(this.info);
  }

  /** The stream of this packet's 5-tuple and `ssrc` (int32), if known. */
  private findStream(p: TransportPacket, ssrc: number): Stream | undefined {
    const s = this.streams.get(p.srcKey, p.dstKey, portsKey(p.srcPort, p.dstPort), ssrc);
    if (s === undefined || (s.src === p.src && s.dst === p.dst)) return s;
    return this.collided.get(collisionKey(p.src, p.srcPort, p.dst, p.dstPort, ssrc));
  }

  private addStream(s: Stream): void {
    const ports = portsKey(s.srcPort, s.dstPort);
    const there = this.streams.get(s.srcKey, s.dstKey, ports, s.ssrc | 0);
    if (there === undefined) this.streams.set(s.srcKey, s.dstKey, ports, s.ssrc | 0, s);
    else this.collided.set(collisionKey(s.src, s.srcPort, s.dst, s.dstPort, s.ssrc | 0), s);
  }

  private removeStream(s: Stream): void {
    const ports = portsKey(s.srcPort, s.dstPort);
    if (this.streams.get(s.srcKey, s.dstKey, ports, s.ssrc | 0) === s) this.streams.delete(s.srcKey, s.dstKey, ports, s.ssrc | 0);
    else this.collided.delete(collisionKey(s.src, s.srcPort, s.dst, s.dstPort, s.ssrc | 0));
  }

  private onRtcp(p: TransportPacket): void {
    const r = decodeRtcpCompound(p.payload, 0);
    if (!r.ok) return;
    this.rtcpDatagrams++;
    const a = `${p.src}:${p.srcPort}`;
    const b = `${p.dst}:${p.dstPort}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let entry = this.rtcpByPair.get(key);
    if (!entry) {
      entry = { stats: new RtcpStats({ clockRateOf: (ssrc) => this.clockBySsrc.get(ssrc) }), senders: new Map() };
      this.rtcpByPair.set(key, entry);
    }
    const first = r.value[0] as { ssrc?: number } | undefined;
    if (first?.ssrc !== undefined && !entry.senders.has(first.ssrc) && entry.senders.size < 64) {
      entry.senders.set(first.ssrc, { src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort });
    }
    entry.stats.push(r.value, p.frame.tsSec, p.frame.tsNsec);
  }

  /** Rows for a call's streams as they stand now (a live CDR at the call's end). */
  rowsOfCall(callKey: string, startSec: number): RtpStreamRow[] {
    const rtt = this.rttBySsrc();
    return (this.byCall.get(callKey) ?? []).map((s) => this.streamRow(s, s.stats.snapshot(), startSec, rtt.get(s.ssrc)));
  }

  /** The call ended and was dropped: its SDP endpoints no longer claim datagrams. */
  forgetCall(callKey: string): void {
    for (const { ip, port } of this.announced.get(callKey) ?? []) {
      const ports = this.expected.get(ip);
      const list = ports?.get(port);
      if (!ports || !list) continue;
      const rest = list.filter((e) => e.callKey !== callKey);
      if (rest.length) ports.set(port, rest);
      else ports.delete(port);
      if (ports.size === 0) this.expected.delete(ip);
    }
    this.announced.delete(callKey);
    this.byCall.delete(callKey);
  }

  /**
   * Streams silent for `idleSec` of capture time end (RFC 3550 §6.3.5 times out a silent
   * participant; here a whole stream): their row is kept (bounded) and their state dropped.
   */
  expireIdle(nowSec: number, idleSec: number, startSec: number, onEnd?: (row: RtpStreamRow) => void): void {
    const rtt = this.rttBySsrc();
    for (const s of this.active.values()) {
      const snap = s.stats.snapshot();
      if (nowSec - (snap.lastSec + snap.lastNsec / 1e9) <= idleSec) continue;
      const row = this.streamRow(s, snap, startSec, rtt.get(s.ssrc));
      this.keepEnded(s, row, snap);
      this.active.delete(s.id);
      this.removeStream(s);
      this.streamsExpired++;
      onEnd?.(row);
    }
  }

  private keepEnded(s: Stream, row: RtpStreamRow, snap: RtpStreamSnapshot): void {
    if (this.ended.length >= this.maxEndedRows) {
      this.ended.shift();
      this.endedRowsDropped++;
    }
    this.ended.push({ callKey: s.callKey, row, events: this.dtmfRows(s, snap) });
  }

  private dtmfRows(s: Stream, snap: RtpStreamSnapshot): DtmfRow[] {
    return snap.events.map((e) => ({
      callId: s.callId,
      streamId: s.id,
      digit: e.digit,
      start: isoTime(e.startSec, e.startNsec),
      durationMs: e.durationMs,
    }));
  }

  /** Average RTCP round trip per SSRC (reporter and reported-on), ms. */
  private rttBySsrc(): Map<number, number> {
    const out = new Map<number, number>();
    for (const entry of this.rtcpByPair.values()) {
      for (const src of entry.stats.snapshot().sources) {
        if (src.rtt.avgMs === null) continue;
        for (const rep of src.reports) out.set(rep.aboutSsrc, src.rtt.avgMs);
        out.set(src.ssrc, src.rtt.avgMs);
      }
    }
    return out;
  }

  finish(startSec: number): MediaResult {
    const snaps = [...this.active.values()].map((s) => ({ s, snap: s.stats.snapshot() }));
    for (const { s, snap } of snaps) if (snap.clockRate > 0) this.clockBySsrc.set(s.ssrc, snap.clockRate);

    // RTCP: round trips (per reporting SSRC) feed the E-model's one-way delay.
    const rtcp: RtcpRow[] = [];
    const rttBySsrc = this.rttBySsrc();
    for (const entry of this.rtcpByPair.values()) {
      const snap = entry.stats.snapshot();
      for (const src of snap.sources) {
        const dir = entry.senders.get(src.ssrc);
        rtcp.push({
          ssrc: hex8(src.ssrc),
          src: { ip: dir?.src ?? '', port: dir?.srcPort ?? 0 },
          dst: { ip: dir?.dst ?? '', port: dir?.dstPort ?? 0 },
          senderReports: src.senderReports,
          receiverReports: src.receiverReports,
          reports: src.reports.map((rep) => ({
            aboutSsrc: hex8(rep.aboutSsrc),
            fractionLostPct: round3(rep.fractionLostPct),
            cumulativeLost: rep.cumulativeLost,
            jitterMs: rep.jitterMs === null ? null : round3(rep.jitterMs),
          })),
          rttMs: {
            count: src.rtt.count,
            min: nullableRound3(src.rtt.minMs),
            avg: nullableRound3(src.rtt.avgMs),
            p50: null,
            p95: null,
            max: nullableRound3(src.rtt.maxMs),
          },
          xr: src.voipMetrics.map((v) => ({ ...v, raw: undefined })),
        });
      }
    }

    const all = [
      ...this.ended,
      ...snaps.map(({ s, snap }) => ({ callKey: s.callKey, row: this.streamRow(s, snap, startSec, rttBySsrc.get(s.ssrc)), events: this.dtmfRows(s, snap) })),
    ];
    const streams: TrackedStream[] = [];
    const streamsByCall = new Map<string, { id: string; mos: number | null }[]>();
    const dtmf: DtmfRow[] = [];
    for (const { callKey, row, events } of all) {
      streams.push({ id: row.id, callKey, row });
      if (callKey !== null) {
        let list = streamsByCall.get(callKey);
        if (!list) streamsByCall.set(callKey, (list = []));
        list.push({ id: row.id, mos: row.mos });
      }
      dtmf.push(...events);
    }
    return { streams, streamsByCall, rtcp, dtmf };
  }

  private streamRow(s: Stream, snap: RtpStreamSnapshot, startSec: number, rttMs: number | undefined): RtpStreamRow {
    const names = snap.payloadTypes.map((pt) => tsharkPayloadName(pt, s.payloads[pt]?.name));
    const voicePt = snap.payloadTypes.find(
      (pt) => pt !== PT_CN && pt !== PT_CN_OLD && !isTelephoneEventName(s.payloads[pt]?.name ?? ''),
    );
    let mos: number | null = null;
    let mosInputs: Record<string, unknown> | null = null;
    if (voicePt !== undefined) {
      const codecName = tsharkPayloadName(voicePt, s.payloads[voicePt]?.name);
      const codec = findCodec(codecName);
      if (codec) {
        const delaySource = rttMs !== undefined ? 'rtcp' : 'default';
        const input = {
          codec,
          lossPct: measuredLossPct(snap.netLostPct),
          burstRatio: Math.max(1, snap.burstRatio),
          jitterMs: Math.max(0, snap.meanJitterMs),
          oneWayDelayMs: rttMs !== undefined ? rttMs / 2 : DEFAULT_ONE_WAY_DELAY_MS,
        };
        if (checkMosInput(input).length === 0) {
          const m = computeMos(input);
          mos = round3(m.mos);
          mosInputs = {
            codec: codec.id,
            lossPct: round3(input.lossPct),
            burstRatio: round3(input.burstRatio),
            jitterMs: round3(input.jitterMs),
            oneWayDelayMs: round3(input.oneWayDelayMs),
            delaySource,
            jitterBuffer: 'adaptive',
            effectiveLossPct: round3(m.effectiveLossPct),
            r: round3(m.r),
            dominant: m.dominant,
          };
        }
      } else {
        mosInputs = { codec: codecName, unsupported: true };
      }
    }
    const rel = (sec: number, nsec: number) => round6(sec - Math.floor(startSec) + nsec / 1e9 - (startSec - Math.floor(startSec)));
    return {
      id: s.id,
      ssrc: hex8(s.ssrc),
      src: { ip: s.src, port: s.srcPort },
      dst: { ip: s.dst, port: s.dstPort },
      callId: s.callId,
      payload: names.join(', '),
      payloadTypes: snap.payloadTypes,
      start: isoTime(snap.firstSec, snap.firstNsec),
      end: isoTime(snap.lastSec, snap.lastNsec),
      startRelSec: rel(snap.firstSec, snap.firstNsec),
      endRelSec: rel(snap.lastSec, snap.lastNsec),
      packets: snap.packets,
      expected: snap.expected,
      lost: snap.lost,
      lostPct: round3(snap.lostPct),
      minDeltaMs: round3(snap.minDeltaMs),
      meanDeltaMs: round3(snap.meanDeltaMs),
      maxDeltaMs: round3(snap.maxDeltaMs),
      minJitterMs: round3(snap.minJitterMs),
      meanJitterMs: round3(snap.meanJitterMs),
      maxJitterMs: round3(snap.maxJitterMs),
      problems: snap.problems,
      duplicates: snap.duplicates,
      outOfOrder: snap.outOfOrder,
      sequenceRestarts: snap.sequenceRestarts,
      lossRuns: { ...snap.lossRuns },
      burstRatio: round3(snap.burstRatio),
      detectedBy: s.detectedBy,
      mos,
      mosInputs,
    };
  }

  /** Media findings per call: answered without media, one-way audio, loss, jitter, low MOS. */
  findings(calls: readonly CallRow[], streams: readonly RtpStreamRow[]): Finding[] {
    const out: Finding[] = [];
    const byId = new Map(streams.map((s) => [s.id, s]));
    for (const c of calls) {
      if (c.finalStatus === null || c.finalStatus < 200 || c.finalStatus >= 300) continue;
      const mine = c.streams.map((id) => byId.get(id)).filter((s): s is RtpStreamRow => s !== undefined);
      const voice = mine.filter((s) => s.mos !== null || s.mosInputs !== null);
      if (c.media.length > 0 && voice.length === 0) {
        out.push({
          severity: 'warning',
          code: 'NO_MEDIA',
          message: `call ${c.callId} was answered but the capture holds no RTP for it (media not captured, or no audio)`,
          evidence: { callId: c.callId, media: c.media },
        });
        continue;
      }
      const fromCaller = voice.filter((s) => c.media.some((m) => m.side === 'caller' && m.ip === s.src.ip && m.rtpPort === s.src.port) || (s.dst.ip !== c.caller.ip && c.media.some((m) => m.side === 'callee' && m.ip === s.dst.ip && m.rtpPort === s.dst.port)));
      const fromCallee = voice.filter((s) => !fromCaller.includes(s));
      if (voice.length > 0 && (fromCaller.length === 0 || fromCallee.length === 0)) {
        out.push({
          severity: 'warning',
          code: 'ONE_WAY_AUDIO',
          message: `call ${c.callId}: RTP flowed only ${fromCaller.length === 0 ? 'callee → caller' : 'caller → callee'}`,
          evidence: { callId: c.callId, streams: voice.map((s) => s.id) },
        });
      }
    }
    for (const s of streams) {
      if (s.mos !== null && s.mos < 3.5) {
        out.push({ severity: 'warning', code: 'LOW_MOS', message: `stream ${s.id} (${s.src.ip}:${s.src.port} → ${s.dst.ip}:${s.dst.port}) MOS ${s.mos.toFixed(2)}`, evidence: { stream: s.id, mos: s.mos, inputs: s.mosInputs } });
      }
      if (s.lostPct > 1 && s.packets > 10) {
        out.push({ severity: s.lostPct > 5 ? 'error' : 'warning', code: 'RTP_LOSS', message: `stream ${s.id} lost ${s.lost} packets (${s.lostPct.toFixed(1)} %)`, evidence: { stream: s.id, lost: s.lost, lostPct: s.lostPct, lossRuns: s.lossRuns, burstRatio: s.burstRatio } });
      }
      if (s.meanJitterMs > 30) {
        out.push({ severity: 'warning', code: 'RTP_JITTER', message: `stream ${s.id} mean jitter ${s.meanJitterMs.toFixed(1)} ms`, evidence: { stream: s.id, meanJitterMs: s.meanJitterMs, maxJitterMs: s.maxJitterMs } });
      }
    }
    return out;
  }
}

/** Key of a stream whose IPv6 address keys collided with another stream's. */
function collisionKey(src: string, srcPort: number, dst: string, dstPort: number, ssrc: number): string {
  return `${src}|${srcPort}|${dst}|${dstPort}|${ssrc}`;
}

/** Both UDP ports in one int32. */
function portsKey(srcPort: number, dstPort: number): number {
  return (srcPort << 16) | dstPort;
}

function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function nullableRound3(x: number | null): number | null {
  return x === null ? null : round3(x);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
