/**
 * The lax streaming dissector: frame → link → IP → UDP/TCP, with IP fragment reassembly and
 * TCP stream reassembly for SIP framing (STYLE.md rule 11).
 *
 * Frames go in one at a time (`push`); UDP datagrams and SIP messages framed out of TCP
 * streams come out through the DissectSink, in one reused TransportPacket. A frame that cannot
 * be dissected is reported once through `sink.malformed(layer, code, frame)` and dissection
 * carries on with the next frame; nothing here throws on bad bytes.
 *
 * Link types: ETHERNET (802.1Q/802.1ad/0x9100 tags, MPLS, PPPoE session), LINUX_SLL,
 * LINUX_SLL2, RAW (101, 12, 14), IPV4, IPV6, NULL, LOOP. Network: IPv4 and IPv6 (extension
 * headers, fragments), tunnels: GRE (with ERSPAN I/II/III and PPTP), IP-in-IP, VXLAN on
 * UDP 4789 (the inner packet is dissected and marked `tunnelled`). ICMP and ICMPv6 are counted, never looked into: their errors quote SIP that
 * was not delivered and must not count as SIP.
 *
 * Hot path (Ethernet/IPv4/UDP): one switch per layer, header fields read into preallocated
 * structs, address strings interned by number, and no allocation per packet: the reused
 * TransportPacket points into the frame's buffer (`buf`/`off`/`end`).
 */
import { ReusedFrame, type Frame } from '../pcap/frame.js';
import { ReusedTransportPacket, type DissectSink } from './packet.js';
import { LINKTYPE } from '../layers/link-types.js';
import { ETHERTYPE } from '../layers/ethertypes.js';
import { IPPROTO } from '../layers/ip-protocols.js';
import { newFault, type LayerErrorCode } from '../layers/errors.js';
import { AddressTextCache, ipv6Key } from '../layers/ip-address.js';
import { ETHERNET_HEADER_LENGTH, parseEthernetType } from '../layers/ethernet.js';
import { newVlanTag, parseVlanTag } from '../layers/vlan.js';
import { newMplsLabel, parseMplsLabel } from '../layers/mpls.js';
import { newPppoeSessionHeader, parsePppoeSession } from '../layers/pppoe.js';
import { newPppHeader, parsePpp, PPP_PROTOCOL } from '../layers/ppp.js';
import { ARPHRD_NETLINK, newLinuxSllHeader, parseLinuxSll } from '../layers/linux-sll.js';
import { newLinuxSll2Header, parseLinuxSll2 } from '../layers/linux-sll2.js';
import { newNullHeader, parseNull } from '../layers/null-loopback.js';
import { newIpv4Header, parseIpv4 } from '../layers/ipv4.js';
import { newIpv6Header, parseIpv6 } from '../layers/ipv6.js';
import { isIpv6LengthExtension, newIpv6Extension, parseIpv6Extension } from '../layers/ipv6-extension.js';
import { newIpv6Fragment, parseIpv6Fragment } from '../layers/ipv6-fragment.js';
import { newUdpHeader, parseUdp } from '../layers/udp.js';
import { newTcpHeader, parseTcp } from '../layers/tcp.js';
import { newGreHeader, parseGre } from '../layers/gre.js';
import { GRE_PROTOCOL_ERSPAN_2, GRE_PROTOCOL_ERSPAN_3, newErspanHeader, parseErspan } from '../layers/erspan.js';
import { isVxlan, VXLAN_HEADER_LENGTH, VXLAN_UDP_PORT } from '../layers/vxlan.js';
import {
  FRAGMENT_COMPLETE,
  FRAGMENT_ERROR,
  FragmentReassembler,
  newFragmentStats,
  type FragmentReassemblyOptions,
  type FragmentStats,
} from './ip-reassembly.js';
import { TcpReassembler, newTcpStreamStats, type TcpFlow, type TcpReassemblyOptions, type TcpStreamStats } from './tcp-reassembly.js';

export interface DissectorOptions {
  fragments?: Partial<FragmentReassemblyOptions>;
  tcp?: Partial<TcpReassemblyOptions>;
  /** Slots of the address-text intern table per IP family (default 4096). */
  addressCacheSlots?: number;
  /** Nested encapsulations (VLAN tags, MPLS labels, tunnels) followed at most (default 8). */
  maxDepth?: number;
}

export interface DissectStats {
  /** Frames pushed. */
  frames: number;
  /** Frames per LINKTYPE value. */
  byLinkType: Record<number, number>;
  /** Frames whose link layer carries something other than IP (ARP, LLC, netlink, …). */
  nonIp: number;
  /** IPv4 headers decoded (fragments and tunnelled inner headers included). */
  ipv4: number;
  /** IPv6 headers decoded (fragments and tunnelled inner headers included). */
  ipv6: number;
  /** UDP datagrams delivered (after reassembly). */
  udp: number;
  /** TCP segments decoded. */
  tcp: number;
  /** ICMP and ICMPv6 packets (counted, not dissected). */
  icmp: number;
  /** GRE headers decoded. */
  gre: number;
  /** Tunnel payloads dissected (GRE, IP-in-IP, VXLAN), nested ones counted each. */
  tunnelled: number;
  /** IP packets of another protocol (ESP, SCTP, …) or with no next header. */
  otherIp: number;
  /** Frames (or reassembled units) reported as malformed. */
  malformed: number;
  fragments: FragmentStats;
  tcpStreams: TcpStreamStats;
}

const DEFAULT_MAX_DEPTH = 8;

export class Dissector {
  readonly stats: DissectStats;
  private readonly sink: DissectSink;
  private readonly maxDepth: number;
  private readonly addresses: AddressTextCache;
  private readonly fragments: FragmentReassembler;
  private readonly tcpStreams: TcpReassembler;
  private readonly packet: ReusedTransportPacket;

  // Scratch headers, reused for every frame.
  private readonly fault = newFault();
  private readonly vlan = newVlanTag();
  private readonly mpls = newMplsLabel();
  private readonly pppoe = newPppoeSessionHeader();
  private readonly ppp = newPppHeader();
  private readonly sll = newLinuxSllHeader();
  private readonly sll2 = newLinuxSll2Header();
  private readonly nullHdr = newNullHeader();
  private readonly ip4 = newIpv4Header();
  private readonly ip6 = newIpv6Header();
  private readonly ip6ext = newIpv6Extension();
  private readonly ip6frag = newIpv6Fragment();
  private readonly udpHdr = newUdpHeader();
  private readonly tcpHdr = newTcpHeader();
  private readonly greHdr = newGreHeader();
  private readonly erspan = newErspanHeader();

  // Per-frame context.
  private frame: Frame;
  private depth = 0;
  private tunnelled = false;
  private ipVersion: 4 | 6 = 4;
  private v4src = 0;
  private v4dst = 0;
  private v6buf: Uint8Array = new Uint8Array(32);
  private v6src = 0;
  private v6dst = 0;
  private lastHousekeepingSec = -1;

  constructor(sink: DissectSink, opts: DissectorOptions = {}) {
    this.sink = sink;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.addresses = new AddressTextCache(opts.addressCacheSlots ?? 4096);
    const fragmentStats = newFragmentStats();
    const tcpStats = newTcpStreamStats();
    this.stats = {
      frames: 0,
      byLinkType: {},
      nonIp: 0,
      ipv4: 0,
      ipv6: 0,
      udp: 0,
      tcp: 0,
      icmp: 0,
      gre: 0,
      tunnelled: 0,
      otherIp: 0,
      malformed: 0,
      fragments: fragmentStats,
      tcpStreams: tcpStats,
    };
    this.fragments = new FragmentReassembler(fragmentStats, opts.fragments);
    this.tcpStreams = new TcpReassembler(
      {
        message: (flow, buf, start, end) => this.tcpMessage(flow, buf, start, end),
        malformed: (layer, code) => this.malformed(layer, code),
      },
      tcpStats,
      opts.tcp,
    );
    this.frame = new ReusedFrame();
    this.packet = new ReusedTransportPacket(this.frame);
  }

  /** Dissect one frame. Its data is read only during this call. */
  push(frame: Frame): void {
    const stats = this.stats;
    stats.frames++;
    const lt = frame.linkType;
    stats.byLinkType[lt] = (stats.byLinkType[lt] ?? 0) + 1;
    if (frame.tsSec !== this.lastHousekeepingSec) {
      this.lastHousekeepingSec = frame.tsSec;
      this.expire(frame.tsSec + frame.tsNsec / 1e9);
    }
    this.frame = frame;
    this.depth = 0;
    this.tunnelled = false;
    const b = frame.buf;
    const off = frame.off;
    const end = off + frame.capLen;
    switch (lt) {
      case LINKTYPE.ETHERNET:
        this.ethernet(b, off, end);
        break;
      case LINKTYPE.LINUX_SLL:
        this.linuxSll(b, off, end);
        break;
      case LINKTYPE.LINUX_SLL2:
        this.linuxSll2(b, off, end);
        break;
      case LINKTYPE.RAW:
      case LINKTYPE.RAW_BSD:
      case LINKTYPE.RAW_OPENBSD:
        this.ipByVersion(b, off, end, true);
        break;
      case LINKTYPE.IPV4:
        this.ipv4(b, off, end);
        break;
      case LINKTYPE.IPV6:
        this.ipv6(b, off, end);
        break;
      case LINKTYPE.NULL:
      case LINKTYPE.LOOP:
        this.nullLoopback(b, off, end, lt === LINKTYPE.LOOP);
        break;
      default:
        this.malformed('link', 'UNSUPPORTED_LINKTYPE');
    }
  }

  /**
   * Drop state older than the bounds at capture time `nowSec` (seconds since the epoch):
   * fragments after their timeout, TCP flows idle for `idleSec`. `push` calls this once per
   * second of capture time; live captures may also call it on a timer.
   */
  expire(nowSec: number): void {
    this.fragments.expire(nowSec);
    this.tcpStreams.expire(nowSec);
  }

  /** End of capture: nothing partial is emitted; incomplete fragments and TCP data are counted. */
  flush(): void {
    this.fragments.flush();
    this.tcpStreams.flush();
  }

  // ---- link layer -----------------------------------------------------------------------

  private ethernet(b: Uint8Array, off: number, end: number): void {
    const type = parseEthernetType(b, off, end, this.fault);
    if (type < 0) return this.bad();
    this.etherPayload(type, b, off + ETHERNET_HEADER_LENGTH, end);
  }

  private linuxSll(b: Uint8Array, off: number, end: number): void {
    const h = this.sll;
    const p = parseLinuxSll(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    if (h.arphrdType === ARPHRD_NETLINK) {
      this.stats.nonIp++;
      return;
    }
    this.etherPayload(h.protocol, b, p, end);
  }

  private linuxSll2(b: Uint8Array, off: number, end: number): void {
    const h = this.sll2;
    const p = parseLinuxSll2(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    if (h.arphrdType === ARPHRD_NETLINK) {
      this.stats.nonIp++;
      return;
    }
    this.etherPayload(h.protocol, b, p, end);
  }

  private nullLoopback(b: Uint8Array, off: number, end: number, networkOrder: boolean): void {
    const h = this.nullHdr;
    const p = parseNull(b, off, end, h, this.fault, networkOrder);
    if (p < 0) return this.bad();
    if (h.ipVersion === 4) this.ipv4(b, p, end);
    else if (h.ipVersion === 6) this.ipv6(b, p, end);
    else this.stats.nonIp++;
  }

  /** Dispatch on an EtherType, popping VLAN tags, MPLS labels and PPPoE on the way. */
  private etherPayload(type: number, b: Uint8Array, off: number, end: number): void {
    for (;;) {
      switch (type) {
        case ETHERTYPE.IPV4:
          return this.ipv4(b, off, end);
        case ETHERTYPE.IPV6:
          return this.ipv6(b, off, end);
        case ETHERTYPE.VLAN:
        case ETHERTYPE.QINQ:
        case ETHERTYPE.QINQ_LEGACY: {
          if (++this.depth > this.maxDepth) return this.tooDeep('vlan');
          const p = parseVlanTag(b, off, end, this.vlan, this.fault);
          if (p < 0) return this.bad();
          type = this.vlan.etherType;
          off = p;
          continue;
        }
        case ETHERTYPE.MPLS_UNICAST:
        case ETHERTYPE.MPLS_MULTICAST:
          return this.mplsStack(b, off, end);
        case ETHERTYPE.PPPOE_SESSION:
          return this.pppoeSession(b, off, end);
        default:
          // ARP, LLDP, an 802.3 length with LLC (type ≤ 1500), PPPoE discovery, …
          this.stats.nonIp++;
          return;
      }
    }
  }

  private mplsStack(b: Uint8Array, off: number, end: number): void {
    const m = this.mpls;
    for (;;) {
      if (++this.depth > this.maxDepth) return this.tooDeep('mpls');
      const p = parseMplsLabel(b, off, end, m, this.fault);
      if (p < 0) return this.bad();
      off = p;
      if (m.bottom) break;
    }
    const v = off < end ? b[off]! >>> 4 : 0;
    if (v === 4) this.ipv4(b, off, end);
    else if (v === 6) this.ipv6(b, off, end);
    else this.stats.nonIp++; // pseudowire control word, or empty
  }

  private pppoeSession(b: Uint8Array, off: number, end: number): void {
    const h = this.pppoe;
    const p = parsePppoeSession(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    // LENGTH counts from the PPP protocol field (2 bytes before p).
    const pend = Math.min(end, p - 2 + h.length);
    if (h.pppProtocol === PPP_PROTOCOL.IPV4) this.ipv4(b, p, pend);
    else if (h.pppProtocol === PPP_PROTOCOL.IPV6) this.ipv6(b, p, pend);
    else this.stats.nonIp++; // LCP, IPCP, …
  }

  // ---- network layer --------------------------------------------------------------------

  /** Raw IP: the version nibble decides. */
  private ipByVersion(b: Uint8Array, off: number, end: number, topLevel: boolean): void {
    if (off >= end) return this.malformedTruncated('ip', off, 20, 0);
    const v = b[off]! >>> 4;
    if (v === 4) this.ipv4(b, off, end);
    else if (v === 6) this.ipv6(b, off, end);
    else if (topLevel) this.malformed('ip', 'BAD_VERSION');
    else this.stats.nonIp++;
  }

  private ipv4(b: Uint8Array, off: number, end: number): void {
    const h = this.ip4;
    const p = parseIpv4(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    this.stats.ipv4++;
    this.ipVersion = 4;
    this.v4src = h.src;
    this.v4dst = h.dst;
    const proto = h.protocol;
    const pend = p + h.payloadLength;
    if (h.moreFragments || h.fragmentOffset !== 0) {
      const key = `4 ${h.src} ${h.dst} ${proto} ${h.identification}`;
      const r = this.fragments.add(key, h.fragmentOffset, h.moreFragments, b, p, pend, this.nowSec(), proto);
      if (r === FRAGMENT_ERROR) return this.malformed('ipv4', this.fragments.errorCode);
      if (r === FRAGMENT_COMPLETE) {
        const data = this.fragments.payload;
        this.ipPayload(proto, data, 0, data.length);
      }
      return;
    }
    this.ipPayload(proto, b, p, pend);
  }

  private ipv6(b: Uint8Array, off: number, end: number): void {
    const h = this.ip6;
    const p = parseIpv6(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    this.stats.ipv6++;
    this.ipVersion = 6;
    this.v6buf = b;
    this.v6src = h.srcOffset;
    this.v6dst = h.dstOffset;
    this.ipv6Chain(h.nextHeader, b, p, p + h.effectivePayloadLength, false);
  }

  /** Walk IPv6 extension headers from `nh` at `off` to the upper-layer protocol. */
  private ipv6Chain(nh: number, b: Uint8Array, off: number, end: number, reassembled: boolean): void {
    for (let i = 0; i < 32; i++) {
      if (isIpv6LengthExtension(nh)) {
        const p = parseIpv6Extension(b, off, end, nh, this.ip6ext, this.fault);
        if (p < 0) return this.bad();
        nh = this.ip6ext.nextHeader;
        off = p;
        continue;
      }
      if (nh === IPPROTO.FRAGMENT) {
        if (reassembled) return this.malformed('ipv6', 'BAD_FRAGMENT');
        const f = this.ip6frag;
        const p = parseIpv6Fragment(b, off, end, f, this.fault);
        if (p < 0) return this.bad();
        const key = `6 ${this.srcText()} ${this.dstText()} ${f.identification}`;
        const r = this.fragments.add(key, f.fragmentOffset, f.moreFragments, b, p, end, this.nowSec(), f.nextHeader);
        if (r === FRAGMENT_ERROR) return this.malformed('ipv6', this.fragments.errorCode);
        if (r === FRAGMENT_COMPLETE) {
          const data = this.fragments.payload;
          this.ipv6Chain(this.fragments.nextHeader, data, 0, data.length, true);
        }
        return;
      }
      if (nh === IPPROTO.NONE) {
        this.stats.otherIp++;
        return;
      }
      return this.ipPayload(nh, b, off, end);
    }
    this.tooDeep('ipv6');
  }

  /** Upper-layer dispatch on an IPv4 protocol / IPv6 next header. */
  private ipPayload(proto: number, b: Uint8Array, off: number, end: number): void {
    switch (proto) {
      case IPPROTO.UDP:
        return this.udp(b, off, end);
      case IPPROTO.TCP:
        return this.tcp(b, off, end);
      case IPPROTO.ICMP:
      case IPPROTO.ICMPV6:
        this.stats.icmp++;
        return;
      case IPPROTO.GRE:
        return this.gre(b, off, end);
      case IPPROTO.IPIP:
        if (!this.enterTunnel()) return;
        return this.ipv4(b, off, end);
      case IPPROTO.IPV6:
        if (!this.enterTunnel()) return;
        return this.ipv6(b, off, end);
      default:
        this.stats.otherIp++;
    }
  }

  private gre(b: Uint8Array, off: number, end: number): void {
    const h = this.greHdr;
    const p = parseGre(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    this.stats.gre++;
    if (!this.enterTunnel()) return;
    const proto = h.protocol;
    if (proto === ETHERTYPE.TRANSPARENT_ETHERNET) return this.ethernet(b, p, end);
    if (proto === GRE_PROTOCOL_ERSPAN_2 || proto === GRE_PROTOCOL_ERSPAN_3) {
      // ERSPAN type I: no sequence number and no ERSPAN header.
      if (proto === GRE_PROTOCOL_ERSPAN_2 && !h.hasSequence) return this.ethernet(b, p, end);
      const q = parseErspan(b, p, end, this.erspan, this.fault);
      if (q < 0) return this.bad();
      return this.ethernet(b, q, end);
    }
    if (proto === ETHERTYPE.PPP) {
      const q = parsePpp(b, p, end, this.ppp, this.fault);
      if (q < 0) return this.bad();
      if (this.ppp.protocol === PPP_PROTOCOL.IPV4) return this.ipv4(b, q, end);
      if (this.ppp.protocol === PPP_PROTOCOL.IPV6) return this.ipv6(b, q, end);
      this.stats.nonIp++;
      return;
    }
    this.etherPayload(proto, b, p, end);
  }

  private enterTunnel(): boolean {
    if (++this.depth > this.maxDepth) {
      this.tooDeep('tunnel');
      return false;
    }
    this.tunnelled = true;
    this.stats.tunnelled++;
    return true;
  }

  // ---- transport layer ------------------------------------------------------------------

  private udp(b: Uint8Array, off: number, end: number): void {
    const h = this.udpHdr;
    const p = parseUdp(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    const pend = p + h.payloadLength;
    if (h.dstPort === VXLAN_UDP_PORT && isVxlan(b, p, pend)) {
      if (!this.enterTunnel()) return;
      return this.ethernet(b, p + VXLAN_HEADER_LENGTH, pend);
    }
    this.stats.udp++;
    const pkt = this.packet;
    pkt.frame = this.frame;
    pkt.ipVersion = this.ipVersion;
    pkt.src = this.srcText();
    pkt.dst = this.dstText();
    pkt.srcKey = this.srcKey();
    pkt.dstKey = this.dstKey();
    pkt.srcPort = h.srcPort;
    pkt.dstPort = h.dstPort;
    pkt.transport = 'udp';
    pkt.buf = b;
    pkt.off = p;
    pkt.end = pend;
    pkt.tunnelled = this.tunnelled;
    this.sink.udp(pkt);
  }

  private tcp(b: Uint8Array, off: number, end: number): void {
    const h = this.tcpHdr;
    const p = parseTcp(b, off, end, h, this.fault);
    if (p < 0) return this.bad();
    this.stats.tcp++;
    const src = this.srcText();
    const dst = this.dstText();
    const key = `${src} ${h.srcPort} ${dst} ${h.dstPort}`;
    this.tcpStreams.segment(key, src, dst, this.srcKey(), this.dstKey(), h.srcPort, h.dstPort, this.ipVersion, this.tunnelled, h.seq, h.flags, b, p, end, this.nowSec());
  }

  private tcpMessage(flow: TcpFlow, buf: Uint8Array, start: number, end: number): void {
    const pkt = this.packet;
    pkt.frame = this.frame;
    pkt.ipVersion = flow.ipVersion;
    pkt.src = flow.src;
    pkt.dst = flow.dst;
    pkt.srcKey = flow.srcKey;
    pkt.dstKey = flow.dstKey;
    pkt.srcPort = flow.srcPort;
    pkt.dstPort = flow.dstPort;
    pkt.transport = 'tcp';
    pkt.buf = buf;
    pkt.off = start;
    pkt.end = end;
    pkt.tunnelled = flow.tunnelled;
    this.sink.tcpMessage(pkt);
  }

  // ---- helpers --------------------------------------------------------------------------

  private srcText(): string {
    return this.ipVersion === 4 ? this.addresses.v4(this.v4src) : this.addresses.v6(this.v6buf, this.v6src);
  }

  private dstText(): string {
    return this.ipVersion === 4 ? this.addresses.v4(this.v4dst) : this.addresses.v6(this.v6buf, this.v6dst);
  }

  private srcKey(): number {
    return this.ipVersion === 4 ? this.v4src | 0 : ipv6Key(this.v6buf, this.v6src);
  }

  private dstKey(): number {
    return this.ipVersion === 4 ? this.v4dst | 0 : ipv6Key(this.v6buf, this.v6dst);
  }

  private nowSec(): number {
    return this.frame.tsSec + this.frame.tsNsec / 1e9;
  }

  /** Report the fault a parser just filled. */
  private bad(): void {
    this.malformed(this.fault.layer, this.fault.code);
  }

  private malformedTruncated(layer: string, offset: number, need: number, have: number): void {
    this.fault.layer = layer;
    this.fault.code = 'TRUNCATED';
    this.fault.offset = offset;
    this.fault.need = need;
    this.fault.have = have;
    this.bad();
  }

  private tooDeep(layer: string): void {
    this.malformed(layer, 'TOO_DEEP');
  }

  private malformed(layer: string, code: LayerErrorCode): void {
    this.stats.malformed++;
    this.sink.malformed(layer, code, this.frame);
  }
}
