/**
 * One RTP/RTCP session of the synthetic call (RFC 3550): sends a G.711 stream at `ptime` pacing
 * on a drift-free schedule, receives the far end's stream into `RtpStreamStats`, and exchanges
 * RTCP: our SR (with a report block about what we receive, LSR/DLSR filled) + SDES CNAME every
 * `rtcpIntervalMs`, and SR + BYE at the end; the far end's SR/RR report blocks about our SSRC
 * give the send direction's loss and jitter.
 *
 * SSRC, first sequence number and first timestamp are random (RFC 3550 §5.1, §8). Ports and the
 * clock are injected, so the logic runs over fakes in unit tests.
 */
import { randomInt } from 'node:crypto';
import type { DatagramPort } from '../net/media-socket.js';
import type { Endpoint } from '../net/sip-transport.js';
import { RtpStreamStats, type RtpStreamSnapshot } from '../metrics/rtp-stream-stats.js';
import { encodeGoodbye } from '../rtcp/bye.js';
import { decodeRtcpCompound, encodeRtcpCompound } from '../rtcp/compound.js';
import type { ReportBlock } from '../rtcp/receiver-report.js';
import { SDES_ITEM, encodeSourceDescription } from '../rtcp/sdes.js';
import { encodeSenderReport, unixToNtp } from '../rtcp/sender-report.js';
import { decodeRtp, encodeRtp, payloadHead32 } from '../rtp/header.js';
import { encodeG711, type G711Law } from './g711.js';
import { pace, type PacerClock } from './pacer.js';

export interface FrameSource {
  next(samples: number): Int16Array;
}

export interface RtpSessionOptions {
  rtp: DatagramPort;
  rtcp: DatagramPort;
  /** Where our RTP goes (the SDP answer's c=/m=, or a relay). */
  remoteRtp: Endpoint;
  remoteRtcp: Endpoint;
  payloadType: number;
  law: G711Law;
  source: FrameSource;
  ptimeMs: number;
  durationMs: number;
  clock: PacerClock;
  cname: string;
  rtcpIntervalMs?: number;
  /** Wait this long after the last packet for stragglers (bounded). */
  drainMs?: number;
  signal?: AbortSignal;
  /** Wall clock for SR NTP timestamps (Unix ms). */
  wallMs?: () => number;
}

export interface FarEndReport {
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** RTP timestamp units. */
  jitter: number;
  /** Round trip from LSR/DLSR (RFC 3550 §6.4.1), ms, when the block referred to one of our SRs. */
  rttMs: number | null;
}

export interface RtpSessionSummary {
  ssrc: number;
  sent: number;
  sentOctets: number;
  firstSeq: number;
  rtcpSent: number;
  rtcpReceived: number;
  received: RtpStreamSnapshot | null;
  /** SSRC of the stream we received (the first one seen). */
  receivedSsrc: number | null;
  /** The far end echoes our stream (same SSRC back). */
  echo: boolean;
  /** Mean round trip of echoed packets, ms (echo peers only). */
  echoRttMs: number | null;
  farEnd: FarEndReport | null;
  maxLateMs: number;
  /** Where the far end's media actually came from (symmetric RTP check). */
  receivedFrom: Endpoint | null;
}

const NS_PER_MS = 1_000_000n;

export class RtpSession {
  readonly ssrc = randomInt(1, 0xffffffff) >>> 0;
  private readonly seq0 = randomInt(0, 0x10000);
  private readonly ts0 = randomInt(0, 0xffffffff) >>> 0;
  private sent = 0;
  private sentOctets = 0;
  private rtcpSent = 0;
  private rtcpReceived = 0;
  private stats: RtpStreamStats | null = null;
  private receivedSsrc: number | null = null;
  private receivedFrom: Endpoint | null = null;
  /** Send time (ns, as a number) by sequence number, for the echo round trip. */
  private readonly sentAt = new Float64Array(65536);
  private echoRttSumMs = 0;
  private echoRttCount = 0;
  private farEnd: FarEndReport | null = null;
  /** Middle 32 bits of the last SR we received, and when (ns). */
  private lastSrMiddle = 0;
  private lastSrAtNs = 0n;
  /** Our SRs: middle 32 NTP bits → hrtime ns sent. */
  private readonly ourSrs = new Map<number, bigint>();

  constructor(private readonly o: RtpSessionOptions) {
    o.rtp.onMessage((bytes, from, atNs) => this.onRtp(bytes, from, atNs));
    o.rtcp.onMessage((bytes, _from, atNs) => this.onRtcp(bytes, atNs));
    // rtcp-mux peers send RTCP to the RTP port: onRtp tells them apart by payload type
  }

  async run(): Promise<RtpSessionSummary> {
    const o = this.o;
    const samplesPerFrame = Math.round((8000 * o.ptimeMs) / 1000);
    const count = Math.max(1, Math.round(o.durationMs / o.ptimeMs));
    const periodNs = BigInt(Math.round(o.ptimeMs * 1e6));
    const rtcpEvery = Math.max(1, Math.round((o.rtcpIntervalMs ?? 2500) / o.ptimeMs));
    const firstRtcp = Math.max(1, Math.round(500 / o.ptimeMs));
    const start = o.clock.nowNs() + 2n * NS_PER_MS;
    const payload = new Uint8Array(samplesPerFrame);
    const p = await pace({
      startNs: start,
      periodNs,
      count,
      clock: o.clock,
      signal: o.signal,
      onTick: (k) => {
        encodeG711(o.source.next(samplesPerFrame), o.law, payload);
        const seq = (this.seq0 + k) & 0xffff;
        const r = encodeRtp({
          marker: k === 0,
          payloadType: o.payloadType,
          sequenceNumber: seq,
          timestamp: (this.ts0 + k * samplesPerFrame) >>> 0,
          ssrc: this.ssrc,
          payload,
        });
        if (!r.ok) return;
        this.sentAt[seq] = Number(o.clock.nowNs());
        o.rtp.send(r.value, o.remoteRtp);
        this.sent++;
        this.sentOctets += payload.length;
        // a first report early (short calls need the far end's answer in time), then regularly
        if (k === firstRtcp || (k > firstRtcp && (k - firstRtcp) % rtcpEvery === 0)) this.sendRtcp(false, (this.ts0 + k * samplesPerFrame) >>> 0);
      },
    });
    const drainMs = Math.min(1000, Math.max(50, o.drainMs ?? 300));
    await o.clock.sleepUntil(o.clock.nowNs() + BigInt(drainMs) * NS_PER_MS, o.signal);
    this.sendRtcp(true, (this.ts0 + count * samplesPerFrame) >>> 0);
    return this.summary(Number(p.maxLateNs) / 1e6);
  }

  summary(maxLateMs = 0): RtpSessionSummary {
    return {
      ssrc: this.ssrc,
      sent: this.sent,
      sentOctets: this.sentOctets,
      firstSeq: this.seq0,
      rtcpSent: this.rtcpSent,
      rtcpReceived: this.rtcpReceived,
      received: this.stats ? this.stats.snapshot() : null,
      receivedSsrc: this.receivedSsrc,
      echo: this.receivedSsrc === this.ssrc,
      echoRttMs: this.echoRttCount === 0 ? null : Math.round((this.echoRttSumMs / this.echoRttCount) * 1000) / 1000,
      farEnd: this.farEnd,
      maxLateMs: Math.round(maxLateMs * 1000) / 1000,
      receivedFrom: this.receivedFrom,
    };
  }

  private onRtp(bytes: Uint8Array, from: Endpoint, atNs: bigint): void {
    // RTCP on the RTP port (rtcp-mux, RFC 5761 §4): packet types 192–223 in the second octet
    const pt = bytes[1] ?? 0;
    if (pt >= 192 && pt <= 223) {
      this.onRtcp(bytes, atNs);
      return;
    }
    const d = decodeRtp(bytes, 0);
    if (!d.ok) return;
    const pkt = d.value;
    if (this.receivedSsrc === null) {
      this.receivedSsrc = pkt.ssrc;
      this.receivedFrom = from;
      this.stats = new RtpStreamStats();
    }
    if (pkt.ssrc !== this.receivedSsrc || !this.stats) return;
    const sec = Number(atNs / 1_000_000_000n);
    const nsec = Number(atNs % 1_000_000_000n);
    this.stats.push({
      seq: pkt.sequenceNumber,
      timestamp: pkt.timestamp,
      ssrc: pkt.ssrc,
      pt: pkt.payloadType,
      marker: pkt.marker,
      payloadBytes: pkt.payload.length,
      arrivalSec: sec,
      arrivalNsec: nsec,
      payloadHead32: payloadHead32(pkt.payload),
    });
    if (pkt.ssrc === this.ssrc) {
      const sentNs = this.sentAt[pkt.sequenceNumber] ?? 0;
      if (sentNs > 0) {
        this.echoRttSumMs += (Number(atNs) - sentNs) / 1e6;
        this.echoRttCount++;
      }
    }
  }

  private onRtcp(bytes: Uint8Array, atNs: bigint): void {
    const d = decodeRtcpCompound(bytes, 0);
    if (!d.ok) return;
    this.rtcpReceived++;
    for (const p of d.value) {
      if (p.type === 'sr') {
        this.lastSrMiddle = (((p.ntpSec & 0xffff) << 16) | (p.ntpFrac >>> 16)) >>> 0;
        this.lastSrAtNs = atNs;
        this.useBlocks(p.reports, atNs);
      } else if (p.type === 'rr') {
        this.useBlocks(p.reports, atNs);
      }
    }
  }

  private useBlocks(blocks: readonly ReportBlock[], atNs: bigint): void {
    for (const b of blocks) {
      if (b.ssrc !== this.ssrc) continue;
      let rttMs: number | null = null;
      const sentNs = b.lastSr === 0 ? undefined : this.ourSrs.get(b.lastSr);
      if (sentNs !== undefined) {
        const dlsrMs = (b.delaySinceLastSr / 65536) * 1000;
        rttMs = Math.max(0, Math.round((Number(atNs - sentNs) / 1e6 - dlsrMs) * 1000) / 1000);
      }
      this.farEnd = { fractionLost: b.fractionLost, cumulativeLost: b.cumulativeLost, extendedHighestSeq: b.extendedHighestSeq, jitter: b.jitter, rttMs };
    }
  }

  private sendRtcp(bye: boolean, rtpTimestamp: number): void {
    const o = this.o;
    const wall = (o.wallMs ?? Date.now)();
    const { ntpSec, ntpFrac } = unixToNtp(Math.floor(wall / 1000), Math.round((wall % 1000) * 1e6));
    const reports: ReportBlock[] = [];
    if (this.stats) {
      const rr = this.stats.takeReceptionReport();
      const now = o.clock.nowNs();
      reports.push({
        ...rr,
        lastSr: this.lastSrMiddle,
        delaySinceLastSr: this.lastSrMiddle === 0 ? 0 : Math.floor((Number(now - this.lastSrAtNs) / 1e9) * 65536) >>> 0,
      });
    }
    const sr = encodeSenderReport({
      ssrc: this.ssrc,
      ntpSec,
      ntpFrac,
      rtpTimestamp,
      packetCount: this.sent >>> 0,
      octetCount: this.sentOctets >>> 0,
      reports,
      extension: new Uint8Array(0),
    });
    const sdes = encodeSourceDescription({ chunks: [{ ssrc: this.ssrc, items: [{ type: SDES_ITEM.CNAME, text: o.cname }] }] });
    const parts: Uint8Array[] = [];
    if (sr.ok) parts.push(sr.value);
    if (sdes.ok) parts.push(sdes.value);
    if (bye) {
      const b = encodeGoodbye({ ssrcs: [this.ssrc], reason: null });
      if (b.ok) parts.push(b.value);
    }
    this.ourSrs.set((((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0, o.clock.nowNs());
    o.rtcp.send(encodeRtcpCompound(parts), o.remoteRtcp);
    this.rtcpSent++;
  }
}
