/**
 * One RTP direction of a simulated call (RFC 3550 §5.1), produced lazily, packet by packet.
 *
 *   0               1               2               3
 *   |V=2|P|X| CC=0 |M| PT=0 (PCMU) |        sequence number        |
 *   |                timestamp (8 kHz: +160 per packet)            |
 *   |                             SSRC                             |
 *   |                160 bytes of G.711 µ-law payload              |
 *
 * Packet k is sent at start + k·20 ms; the network then drops it with probability `lossRatio`
 * (i.i.d.) or delays it by U(0, jitter); delivery is FIFO (a packet never overtakes the one
 * before it). Every packet consumes exactly one loss draw and one jitter draw, from two separate
 * generators, so changing the loss ratio does not change the jitter pattern and vice versa.
 * The marker bit is set on the first packet sent (talk spurt start).
 *
 * The frame is one reused buffer: the constant fields are written once, the per-packet ones
 * (IP id, checksums, marker, sequence, timestamp, payload) patched in, the UDP checksum summed
 * incrementally from precomputed parts.
 */
import type { FrameSink, FrameSource } from './frame-source.js';
import { Prng } from './prng.js';
import {
  ETHERNET_LENGTH,
  TOS_RTP,
  UDP_PAYLOAD_OFFSET,
  checksumOf,
  foldSum,
  put16,
  put32,
  udpChecksumOf,
  udpHeaderSum,
  wordSum,
  writeUdpHeaders,
  type GenHost,
} from './udp-frame.js';

/** Packetisation time, microseconds. */
export const PTIME_US = 20_000;
/** RTP timestamp increment per packet: 20 ms at 8000 Hz. */
export const SAMPLES_PER_PACKET = 160;
/** G.711 payload bytes per packet. */
export const RTP_PAYLOAD_BYTES = 160;
/** Static payload type 0: PCMU/8000 (RFC 3551 table 4). */
export const PAYLOAD_TYPE_PCMU = 0;
export const RTP_HEADER_BYTES = 12;
export const RTP_FRAME_BYTES = UDP_PAYLOAD_OFFSET + RTP_HEADER_BYTES + RTP_PAYLOAD_BYTES;

/** Payloads the streams cycle through, with their precomputed checksum word sums. */
export interface RtpPayloadTable {
  payloads: Uint8Array[];
  wordSums: number[];
}

/**
 * "Room noise" in µ-law: codes near the two zero levels 0xff / 0x7f, so a decoder plays faint
 * hiss rather than a tone.
 */
export function makeRoomNoisePayloads(rng: Prng, count = 50): RtpPayloadTable {
  const payloads: Uint8Array[] = [];
  const wordSums: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = new Uint8Array(RTP_PAYLOAD_BYTES);
    for (let j = 0; j < p.length; j++) p[j] = (rng.next() < 0.5 ? 0xf8 : 0x78) | (rng.u32() & 7);
    payloads.push(p);
    wordSums.push(wordSum(p, 0, p.length));
  }
  return { payloads, wordSums };
}

export interface RtpStreamInit {
  /** Stream id in the truth file: "<call index>-caller" / "<call index>-callee". */
  id: string;
  callId: string;
  src: GenHost;
  dst: GenHost;
  srcPort: number;
  dstPort: number;
  /** Send time of packet 0, µs since capture start. */
  startUs: number;
  /** Packets the sender sends. */
  packets: number;
  /** Key of this stream's generators ("<seed>/call/<i>/rtp/<side>"). */
  key: string;
  lossRatio: number;
  /** Maximum extra one-way delay, µs. */
  jitterUs: number;
  payloads: RtpPayloadTable;
}

/** Ground truth of one stream, known only after the stream has been fully produced. */
export interface RtpStreamTruth {
  id: string;
  callId: string;
  /** "ip:port". */
  src: string;
  dst: string;
  /** "0x%08x", as tshark prints it. */
  ssrc: string;
  payloadType: number;
  codec: string;
  firstSeqSent: number;
  packetsSent: number;
  packetsDropped: number;
  packetsCaptured: number;
  /** last − first captured sequence + 1: what a passive analyser expects. */
  expectedBySeq: number;
  /** expectedBySeq − captured: drops before the first or after the last captured one are invisible. */
  lostBySeq: number;
  /** Times of the first and last captured packets, s since capture start (null: none captured). */
  tFirstSec: number | null;
  tLastSec: number | null;
}

export class RtpStreamSource implements FrameSource {
  tUs = 0;
  uid = 0;

  readonly ssrc: number;
  readonly firstSeq: number;
  private readonly firstTimestamp: number;
  private readonly firstIpId: number;
  private readonly lossRng: Prng;
  private readonly jitterRng: Prng;
  private readonly frame = new Uint8Array(RTP_FRAME_BYTES);
  /** IPv4 header word sum without the id and checksum words. */
  private readonly ipBaseSum: number;
  /** UDP pseudo-header + header + constant RTP words (V/P/X/CC/PT, SSRC). */
  private readonly udpBaseSum: number;

  /** Index of the current packet (−1 before the first advance). */
  private k = -1;
  private lastTUs = -1;
  private dropped = 0;
  private captured = 0;
  private firstK = -1;
  private lastK = -1;
  private firstTUs = -1;

  constructor(private readonly init: RtpStreamInit) {
    const ids = new Prng(`${init.key}/ids`);
    this.ssrc = ids.u32();
    this.firstSeq = ids.u32() & 0xffff;
    this.firstTimestamp = ids.u32();
    this.firstIpId = ids.u32() & 0xffff;
    this.lossRng = new Prng(`${init.key}/loss`);
    this.jitterRng = new Prng(`${init.key}/jitter`);

    const f = this.frame;
    const rtpLength = RTP_HEADER_BYTES + RTP_PAYLOAD_BYTES;
    writeUdpHeaders(f, init.src, init.dst, init.srcPort, init.dstPort, rtpLength, TOS_RTP, 0);
    put16(f, ETHERNET_LENGTH + 10, 0);
    this.ipBaseSum = wordSum(f, ETHERNET_LENGTH, ETHERNET_LENGTH + 20);
    const rtp = UDP_PAYLOAD_OFFSET;
    f[rtp] = 0x80; // V=2, no padding, no extension, no CSRC
    f[rtp + 1] = PAYLOAD_TYPE_PCMU;
    put32(f, rtp + 8, this.ssrc);
    this.udpBaseSum =
      udpHeaderSum(init.src, init.dst, init.srcPort, init.dstPort, rtpLength) +
      ((0x80 << 8) | PAYLOAD_TYPE_PCMU) +
      (this.ssrc >>> 16) +
      (this.ssrc & 0xffff);
  }

  /** The stream's id in the truth file. */
  get id(): string {
    return this.init.id;
  }

  /** Position on the first packet that reaches the capture point; false if all were dropped. */
  start(): boolean {
    return this.advance();
  }

  advance(): boolean {
    const { packets, lossRatio, jitterUs, startUs } = this.init;
    while (++this.k < packets) {
      const lossDraw = lossRatio > 0 ? this.lossRng.next() : 1;
      const delayUs = jitterUs > 0 ? Math.floor(this.jitterRng.next() * jitterUs) : 0;
      if (lossDraw < lossRatio) {
        this.dropped++;
        continue;
      }
      let t = startUs + this.k * PTIME_US + delayUs;
      if (t <= this.lastTUs) t = this.lastTUs + 1; // FIFO: never overtake the previous packet
      this.lastTUs = t;
      this.tUs = t;
      if (this.firstK < 0) {
        this.firstK = this.k;
        this.firstTUs = t;
      }
      this.lastK = this.k;
      this.captured++;
      return true;
    }
    return false;
  }

  emit(sink: FrameSink): void {
    const k = this.k;
    const f = this.frame;
    const ipId = (this.firstIpId + k) & 0xffff;
    put16(f, ETHERNET_LENGTH + 4, ipId);
    put16(f, ETHERNET_LENGTH + 10, checksumOf(this.ipBaseSum + ipId));
    const seq = (this.firstSeq + k) & 0xffff;
    const ts = (this.firstTimestamp + SAMPLES_PER_PACKET * k) >>> 0;
    const marker = k === 0 ? 0x80 : 0;
    const rtp = UDP_PAYLOAD_OFFSET;
    f[rtp + 1] = marker | PAYLOAD_TYPE_PCMU;
    put16(f, rtp + 2, seq);
    put32(f, rtp + 4, ts);
    const { payloads, wordSums } = this.init.payloads;
    const pi = k % payloads.length;
    f.set(payloads[pi]!, rtp + RTP_HEADER_BYTES);
    const sum = this.udpBaseSum + seq + (ts >>> 16) + (ts & 0xffff) + marker + wordSums[pi]!;
    put16(f, UDP_PAYLOAD_OFFSET - 2, udpChecksumOf(foldSum(sum)));
    sink(this.tUs, f);
  }

  /** Call once the source is exhausted (or was never started because nothing got through). */
  truth(): RtpStreamTruth {
    const i = this.init;
    const expected = this.captured > 0 ? this.lastK - this.firstK + 1 : 0;
    return {
      id: i.id,
      callId: i.callId,
      src: `${i.src.ip}:${i.srcPort}`,
      dst: `${i.dst.ip}:${i.dstPort}`,
      ssrc: `0x${this.ssrc.toString(16).padStart(8, '0')}`,
      payloadType: PAYLOAD_TYPE_PCMU,
      codec: 'PCMU/8000',
      firstSeqSent: this.firstSeq,
      packetsSent: i.packets,
      packetsDropped: this.dropped,
      packetsCaptured: this.captured,
      expectedBySeq: expected,
      lostBySeq: expected - this.captured,
      tFirstSec: this.captured > 0 ? this.firstTUs / 1e6 : null,
      tLastSec: this.captured > 0 ? this.lastTUs / 1e6 : null,
    };
  }
}
