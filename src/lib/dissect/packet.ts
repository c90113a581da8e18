import type { Frame } from '../pcap/frame.js';

/**
 * What the dissector hands to the flow engines: one transport-layer payload with its addresses.
 * Like Frame, the object and `payload` are reused: valid only during the sink call.
 */
export interface TransportPacket {
  /** The frame this payload completed in (for TCP/IP reassembly: the last segment's frame). */
  frame: Frame;
  ipVersion: 4 | 6;
  /** Textual addresses: dotted quad, or RFC 5952 compressed IPv6. */
  src: string;
  dst: string;
  /**
   * 32-bit keys of the addresses for hash tables: an IPv4 address itself (as int32), a hash
   * of an IPv6 one (which may collide: compare `src`/`dst` on a hit).
   */
  srcKey: number;
  dstKey: number;
  srcPort: number;
  dstPort: number;
  transport: 'udp' | 'tcp';
  /**
   * UDP: the datagram payload. TCP: exactly one SIP message framed from the byte stream.
   * It is `buf[off, end)`; hot paths read those, `payload` makes a view (per read when reused).
   */
  buf: Uint8Array;
  off: number;
  end: number;
  readonly payload: Uint8Array;
  /** True when the IP packet was carried inside GRE or IP-in-IP. */
  tunnelled: boolean;
}

/** The packet object a dissector reuses for every payload: `payload` only built on demand. */
export class ReusedTransportPacket implements TransportPacket {
  ipVersion: 4 | 6 = 4;
  src = '';
  dst = '';
  srcKey = 0;
  dstKey = 0;
  srcPort = 0;
  dstPort = 0;
  transport: 'udp' | 'tcp' = 'udp';
  buf: Uint8Array;
  off = 0;
  end = 0;
  tunnelled = false;

  constructor(public frame: Frame) {
    this.buf = frame.buf;
  }

  get payload(): Uint8Array {
    return this.buf.subarray(this.off, this.end);
  }
}

export interface DissectSink {
  /** A UDP datagram (after IP reassembly). */
  udp(p: TransportPacket): void;
  /** One SIP message framed out of a TCP stream (split or coalesced segments handled). */
  tcpMessage(p: TransportPacket): void;
  /** A frame (or reassembled unit) that could not be dissected: counted by layer and code. */
  malformed(layer: string, code: string, frame: Frame): void;
}
