/**
 * Walks a compound RTCP datagram — RFC 3550 §6.1: RTCP packets stacked back to back, each
 * framed by its own common header and length.
 *
 * Strict on framing, lax on contents: a header that is not version 2 or a length that runs
 * past the datagram fails the walk (BAD_VERSION, TRUNCATED with the packet's need/have,
 * BAD_PADDING); a packet type this module does not decode (RTPFB, PSFB, anything else), or a
 * known one whose body contradicts its header, comes back as a RawRtcp and the walk goes on.
 * RFC 3550's compound rules (first packet SR or RR, an SDES with CNAME) are not enforced:
 * real senders break them; `isRtcpDatagram` in flows/rtp-heuristic.ts is the recogniser.
 */
import { ok, type Decoded } from '../result.js';
import { decodeApplicationDefined, type ApplicationDefined } from './app.js';
import { decodeGoodbye, type Goodbye } from './bye.js';
import type { RtcpErrorCode } from './errors.js';
import { RTCP_PT, decodeRtcpFrame } from './header.js';
import { decodeReceiverReport, type ReceiverReport } from './receiver-report.js';
import { decodeSourceDescription, type SourceDescription } from './sdes.js';
import { decodeSenderReport, type SenderReport } from './sender-report.js';
import { decodeExtendedReport, type ExtendedReport } from './xr.js';

/** A packet kept undecoded: unknown type, or a known type whose contents did not parse. */
export interface RawRtcp {
  type: 'raw';
  packetType: number;
  count: number;
  /** Bytes after the common header, padding excluded, a view. */
  body: Uint8Array;
  /** Why a known packet type was not decoded; absent for unknown types. */
  error?: RtcpErrorCode;
}

export type RtcpPacket =
  | ({ type: 'sr' } & SenderReport)
  | ({ type: 'rr' } & ReceiverReport)
  | ({ type: 'sdes' } & SourceDescription)
  | ({ type: 'bye' } & Goodbye)
  | ({ type: 'app' } & ApplicationDefined)
  | ({ type: 'xr' } & ExtendedReport)
  | RawRtcp;

function decodeOne(buf: Uint8Array, at: number, packetType: number): RtcpPacket | RtcpErrorCode | null {
  switch (packetType) {
    case RTCP_PT.SR: {
      const r = decodeSenderReport(buf, at);
      return r.ok ? { type: 'sr', ...r.value } : r.error.code;
    }
    case RTCP_PT.RR: {
      const r = decodeReceiverReport(buf, at);
      return r.ok ? { type: 'rr', ...r.value } : r.error.code;
    }
    case RTCP_PT.SDES: {
      const r = decodeSourceDescription(buf, at);
      return r.ok ? { type: 'sdes', ...r.value } : r.error.code;
    }
    case RTCP_PT.BYE: {
      const r = decodeGoodbye(buf, at);
      return r.ok ? { type: 'bye', ...r.value } : r.error.code;
    }
    case RTCP_PT.APP: {
      const r = decodeApplicationDefined(buf, at);
      return r.ok ? { type: 'app', ...r.value } : r.error.code;
    }
    case RTCP_PT.XR: {
      const r = decodeExtendedReport(buf, at);
      return r.ok ? { type: 'xr', ...r.value } : r.error.code;
    }
    default:
      return null;
  }
}

/** Decodes every packet of the compound datagram that fills `buf` from `offset`. */
export function decodeRtcpCompound(buf: Uint8Array, offset = 0): Decoded<RtcpPacket[], RtcpErrorCode> {
  const packets: RtcpPacket[] = [];
  let at = offset;
  do {
    const f = decodeRtcpFrame(buf, at);
    if (!f.ok) {
      // Report need/have from the datagram's start, so truncation of a later packet is exact too.
      const e = f.error;
      if (e.code === 'TRUNCATED') return { ok: false, error: { ...e, offset, need: e.need! + (at - offset), have: e.have! + (at - offset) } };
      return f;
    }
    const { packetType, count, bodyStart, bodyEnd, end } = f.value;
    const decoded = decodeOne(buf, at, packetType);
    if (decoded === null) packets.push({ type: 'raw', packetType, count, body: buf.subarray(bodyStart, bodyEnd) });
    else if (typeof decoded === 'string') packets.push({ type: 'raw', packetType, count, body: buf.subarray(bodyStart, bodyEnd), error: decoded });
    else packets.push(decoded);
    at = end;
  } while (at < buf.length);
  return ok(packets, at);
}

/** Concatenates encoded packets into one compound datagram. */
export function encodeRtcpCompound(packets: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of packets) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export { RTCP_PT };
