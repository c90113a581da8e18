/**
 * Frame builders for the dissector tests: each wraps a payload in one header, with the length
 * fields filled in (checksums are left 0: the dissector does not verify them).
 */
import type { Frame } from '../../../src/lib/pcap/frame.js';
import type { DissectSink, TransportPacket } from '../../../src/lib/dissect/packet.js';

export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const be16 = (v: number) => [(v >>> 8) & 0xff, v & 0xff];
const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export function v4(addr: string): number[] {
  return addr.split('.').map(Number);
}

/** 16 bytes of an IPv6 address written in any valid text form (no embedded IPv4). */
export function v6(addr: string): number[] {
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => be16(parseInt(g, 16)));
}

export function eth(etherType: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0, 1, 2, 3, 4, 5, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, ...be16(etherType)]), payload);
}

export function vlanTag(vid: number, innerType: number): Uint8Array {
  return new Uint8Array([...be16(vid & 0xfff), ...be16(innerType)]);
}

export interface Ipv4Opts {
  id?: number;
  mf?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  ttl?: number;
}

export function ipv4(src: string, dst: string, proto: number, payload: Uint8Array, o: Ipv4Opts = {}): Uint8Array {
  const ff = (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8);
  const hdr = [0x45, 0, ...be16(20 + payload.length), ...be16(o.id ?? 1), ...be16(ff), o.ttl ?? 64, proto, 0, 0, ...v4(src), ...v4(dst)];
  return concat(new Uint8Array(hdr), payload);
}

/** IPv6 with optional extension headers given as raw bytes (their next-header chain included). */
export function ipv6(src: string, dst: string, nextHeader: number, payload: Uint8Array): Uint8Array {
  const hdr = [0x60, 0, 0, 0, ...be16(payload.length), nextHeader, 64, ...v6(src), ...v6(dst)];
  return concat(new Uint8Array(hdr), payload);
}

export function ipv6Fragment(nextHeader: number, offsetBytes: number, more: boolean, id: number, data: Uint8Array): Uint8Array {
  return concat(new Uint8Array([nextHeader, 0, ...be16(offsetBytes | (more ? 1 : 0)), ...be32(id)]), data);
}

export function udp(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([...be16(srcPort), ...be16(dstPort), ...be16(8 + payload.length), 0, 0]), payload);
}

export const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

export function tcp(srcPort: number, dstPort: number, seq: number, flags: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(new Uint8Array([...be16(srcPort), ...be16(dstPort), ...be32(seq >>> 0), 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0]), payload);
}

/** GRE version 0 with optional key and sequence number. */
export function gre(protocol: number, payload: Uint8Array, o: { key?: number; seq?: number } = {}): Uint8Array {
  const flags = (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0);
  const hdr = [...be16(flags), ...be16(protocol), ...(o.key !== undefined ? be32(o.key) : []), ...(o.seq !== undefined ? be32(o.seq) : [])];
  return concat(new Uint8Array(hdr), payload);
}

/**
 * A frame whose bytes sit in the middle of a larger buffer filled with 0xAA, as a reader's
 * frames sit inside its read chunk: the dissector must keep to buf[off, off + capLen).
 */
export function frame(data: Uint8Array, opts: { linkType?: number; index?: number; tsSec?: number; tsNsec?: number } = {}): Frame {
  const pad = 7;
  const buf = new Uint8Array(data.length + 2 * pad).fill(0xaa);
  buf.set(data, pad);
  return {
    tsSec: opts.tsSec ?? 1_700_000_000,
    tsNsec: opts.tsNsec ?? 0,
    linkType: opts.linkType ?? 1,
    buf,
    off: pad,
    capLen: data.length,
    data,
    origLen: data.length,
    index: opts.index ?? 1,
    fileIndex: 0,
  };
}

export interface Delivered {
  kind: 'udp' | 'tcp';
  frame: number;
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: string;
  tunnelled: boolean;
}

/** A sink that copies out everything delivered (the packet object and payload are reused). */
export class RecordingSink implements DissectSink {
  readonly delivered: Delivered[] = [];
  readonly malformedReports: { layer: string; code: string; frame: number }[] = [];
  udp(p: TransportPacket): void {
    this.delivered.push(copy('udp', p));
  }
  tcpMessage(p: TransportPacket): void {
    this.delivered.push(copy('tcp', p));
  }
  malformed(layer: string, code: string, frame: Frame): void {
    this.malformedReports.push({ layer, code, frame: frame.index });
  }
  get payloads(): string[] {
    return this.delivered.map((d) => d.payload);
  }
}

function copy(kind: 'udp' | 'tcp', p: TransportPacket): Delivered {
  return {
    kind,
    frame: p.frame.index,
    ipVersion: p.ipVersion,
    src: p.src,
    dst: p.dst,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    payload: text(p.payload),
    tunnelled: p.tunnelled,
  };
}
