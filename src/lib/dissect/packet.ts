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
  srcPort: number;
  dstPort: number;
  transport: 'udp' | 'tcp';
  /** UDP: the datagram payload. TCP: exactly one SIP message framed from the byte stream. */
  payload: Uint8Array;
  /** True when the IP packet was carried inside GRE or IP-in-IP. */
  tunnelled: boolean;
}

export interface DissectSink {
  /** A UDP datagram (after IP reassembly). */
  udp(p: TransportPacket): void;
  /** One SIP message framed out of a TCP stream (split or coalesced segments handled). */
  tcpMessage(p: TransportPacket): void;
  /** A frame (or reassembled unit) that could not be dissected: counted by layer and code. */
  malformed(layer: string, code: string, frame: Frame): void;
}
