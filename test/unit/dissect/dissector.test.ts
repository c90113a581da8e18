import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import { Dissector, type DissectorOptions } from '../../../src/lib/dissect/dissector.js';
import type { Frame } from '../../../src/lib/pcap/frame.js';
import { ascii, concat, eth, frame, gre, ipv4, ipv6, RecordingSink, tcp, udp, vlanTag, TCP } from './frames.js';

const SIP = 'OPTIONS sip:ping@10.0.0.2 SIP/2.0\r\nContent-Length: 0\r\n\r\n';
const UDP_SIP = udp(5060, 5060, ascii(SIP));
const IP4 = ipv4('10.0.0.1', '10.0.0.2', 17, UDP_SIP);
const IP6 = ipv6('2001:db8::1', '2001:db8::2', 17, UDP_SIP);

function run(frames: Frame[], opts?: DissectorOptions): { sink: RecordingSink; d: Dissector } {
  const sink = new RecordingSink();
  const d = new Dissector(sink, opts);
  for (const f of frames) d.push(f);
  return { sink, d };
}

const v4Delivery = { kind: 'udp', ipVersion: 4, src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: SIP, tunnelled: false };
const v6Delivery = { ...v4Delivery, ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2' };

describe('link types', () => {
  it.each([
    ['ETHERNET', 1, eth(0x0800, IP4), v4Delivery],
    ['ETHERNET, IPv6', 1, eth(0x86dd, IP6), v6Delivery],
    ['ETHERNET, 802.1Q', 1, eth(0x8100, concat(vlanTag(100, 0x0800), IP4)), v4Delivery],
    ['ETHERNET, QinQ 802.1ad + 802.1Q', 1, eth(0x88a8, concat(vlanTag(10, 0x8100), vlanTag(20, 0x0800), IP4)), v4Delivery],
    ['ETHERNET, 0x9100 + 0x9100 + 802.1Q stacked', 1, eth(0x9100, concat(vlanTag(1, 0x9100), vlanTag(2, 0x8100), vlanTag(3, 0x86dd), IP6)), v6Delivery],
    ['ETHERNET, MPLS two labels', 1, eth(0x8847, concat(hex`00010 0 40  00020 1 40`, IP4)), v4Delivery],
    ['ETHERNET, 802.1Q then MPLS, IPv6', 1, eth(0x8100, concat(vlanTag(5, 0x8847), hex`00011 1 3f`, IP6)), v6Delivery],
    ['ETHERNET, PPPoE session', 1, eth(0x8864, concat(hex`11 00 0001`, new Uint8Array([0, IP4.length + 2]), hex`0021`, IP4)), v4Delivery],
    [
      'LINUX_SLL',
      113,
      concat(
        hex`
          0000              // packet type: to us
          0304              // ARPHRD_LOOPBACK
          0006              // address length
          000000000000 0000 // address
          0800              // protocol IPv4`,
        IP4,
      ),
      v4Delivery,
    ],
    [
      'LINUX_SLL2',
      276,
      concat(
        hex`
          86dd              // protocol IPv6
          0000              // reserved
          00000001          // interface index
          0001              // ARPHRD_ETHER
          04                // packet type: outgoing
          06                // address length
          525400123456 0000 // address`,
        IP6,
      ),
      v6Delivery,
    ],
    ['RAW (101), IPv4', 101, IP4, v4Delivery],
    ['RAW (101), IPv6', 101, IP6, v6Delivery],
    ['RAW (12, BSD DLT)', 12, IP4, v4Delivery],
    ['RAW (14, OpenBSD DLT)', 14, IP6, v6Delivery],
    ['IPV4 (228)', 228, IP4, v4Delivery],
    ['IPV6 (229)', 229, IP6, v6Delivery],
    ['NULL, little-endian AF_INET', 0, concat(hex`02000000`, IP4), v4Delivery],
    ['NULL, big-endian AF_INET', 0, concat(hex`00000002`, IP4), v4Delivery],
    ['NULL, macOS AF_INET6 (30)', 0, concat(hex`1e000000`, IP6), v6Delivery],
    ['NULL, FreeBSD AF_INET6 (28), big-endian', 0, concat(hex`0000001c`, IP6), v6Delivery],
    ['LOOP, AF_INET in network order', 108, concat(hex`00000002`, IP4), v4Delivery],
  ])('%s', (_, linkType, data, expected) => {
    const { sink, d } = run([frame(data, { linkType, index: 7 })]);
    expect(sink.malformedReports).toEqual([]);
    expect(sink.delivered).toEqual([{ ...expected, frame: 7 }]);
    expect(d.stats.byLinkType[linkType]).toBe(1);
    expect(d.stats.udp).toBe(1);
  });

  it('unknown link type is malformed link/UNSUPPORTED_LINKTYPE', () => {
    const { sink, d } = run([frame(IP4, { linkType: 105, index: 3 })]);
    expect(sink.malformedReports).toEqual([{ layer: 'link', code: 'UNSUPPORTED_LINKTYPE', frame: 3 }]);
    expect(d.stats.malformed).toBe(1);
  });

  it.each([
    ['ARP', 1, eth(0x0806, new Uint8Array(28))],
    ['802.3 length + LLC', 1, eth(0x0026, new Uint8Array(38))],
    ['PPPoE discovery', 1, eth(0x8863, new Uint8Array(20))],
    ['PPPoE LCP', 1, eth(0x8864, hex`1100 0001 0006 c021 01010004`)],
    ['SLL netlink', 113, concat(hex`0000 0338 0000 0000000000000000 0010`, new Uint8Array(20))],
    ['NULL AF_APPLETALK', 0, concat(hex`10000000`, IP4)],
    ['MPLS pseudowire control word', 1, eth(0x8847, concat(hex`00010140`, new Uint8Array(30)))],
  ])('non-IP is counted, not malformed: %s', (_, linkType, data) => {
    const { sink, d } = run([frame(data, { linkType })]);
    expect(sink.malformedReports).toEqual([]);
    expect(sink.delivered).toEqual([]);
    expect(d.stats.nonIp).toBe(1);
  });
});

describe('network layer', () => {
  it('trims Ethernet padding by the IP total length', () => {
    const small = ipv4('10.0.0.1', '10.0.0.2', 17, udp(1000, 2000, hex`aabb`));
    const padded = concat(eth(0x0800, small), new Uint8Array(60 - 14 - small.length).fill(0xee));
    const { sink } = run([frame(padded)]);
    expect(sink.delivered[0]?.payload).toBe('\xaa\xbb');
  });

  it('a frame cut short by the snap length is malformed ipv4/TRUNCATED', () => {
    const { sink } = run([frame(eth(0x0800, IP4).subarray(0, 40), { index: 2 })]);
    expect(sink.malformedReports).toEqual([{ layer: 'ipv4', code: 'TRUNCATED', frame: 2 }]);
    expect(sink.delivered).toEqual([]);
  });

  it.each([
    ['RAW with version nibble 5', 101, hex`50 00 0014`, 'ip', 'BAD_VERSION'],
    ['EtherType IPv4 with version 6 inside', 1, eth(0x0800, IP6), 'ipv4', 'BAD_VERSION'],
    ['UDP length 7', 228, ipv4('1.1.1.1', '2.2.2.2', 17, hex`0001 0002 0007 0000`), 'udp', 'BAD_LENGTH'],
    ['TCP data offset 4', 228, ipv4('1.1.1.1', '2.2.2.2', 6, hex`0001 0002 00000000 00000000 4000 0000 0000 0000`), 'tcp', 'BAD_HEADER_LENGTH'],
    ['empty RAW frame', 101, new Uint8Array(0), 'ip', 'TRUNCATED'],
    ['short Ethernet', 1, hex`0102030405`, 'ethernet', 'TRUNCATED'],
  ])('malformed: %s', (_, linkType, data, layer, code) => {
    const { sink } = run([frame(data, { linkType })]);
    expect(sink.malformedReports).toEqual([{ layer, code, frame: 1 }]);
  });

  it('ICMP errors quoting SIP are counted and never delivered', () => {
    // Port unreachable quoting the original IPv4/UDP/SIP datagram.
    const icmp = concat(hex`03 03 0000 00000000`, IP4);
    const icmp6 = concat(hex`01 04 0000 00000000`, IP6);
    const { sink, d } = run([
      frame(ipv4('10.0.0.2', '10.0.0.1', 1, icmp), { linkType: 228 }),
      frame(ipv6('2001:db8::2', '2001:db8::1', 58, icmp6), { linkType: 229 }),
    ]);
    expect(sink.delivered).toEqual([]);
    expect(sink.malformedReports).toEqual([]);
    expect(d.stats.icmp).toBe(2);
  });

  it('walks IPv6 hop-by-hop, routing and destination options headers', () => {
    const exts = concat(
      hex`2b 00 0502 0000 0100`, // hop-by-hop → routing: router alert + PadN
      hex`3c 02 00 00 00000000  20010db8000000000000000000000009`, // routing → dest opts (type 0, segments left 0)
      hex`11 00 01 04 00000000`, // destination options → UDP: PadN
      UDP_SIP,
    );
    const { sink } = run([frame(ipv6('2001:db8::1', '2001:db8::2', 0, exts), { linkType: 229 })]);
    expect(sink.delivered).toEqual([{ ...v6Delivery, frame: 1 }]);
  });

  it('AH is skipped; no-next-header and ESP end the packet quietly', () => {
    const ah = concat(hex`11 04 0000 00000100 00000001 0102030405060708090a0b0c`, UDP_SIP);
    const { sink, d } = run([
      frame(ipv6('2001:db8::1', '2001:db8::2', 51, ah), { linkType: 229 }),
      frame(ipv6('2001:db8::1', '2001:db8::2', 59, new Uint8Array(0)), { linkType: 229 }),
      frame(ipv4('1.1.1.1', '2.2.2.2', 50, new Uint8Array(40)), { linkType: 228 }),
    ]);
    expect(sink.payloads).toEqual([SIP]);
    expect(d.stats.otherIp).toBe(2);
    expect(sink.malformedReports).toEqual([]);
  });

  it('prints IPv4-mapped IPv6 addresses in mixed notation', () => {
    const p = concat(hex`60000000`, new Uint8Array([0, UDP_SIP.length, 17, 64]), hex`00000000000000000000ffff0a000001 00000000000000000000ffff0a000002`, UDP_SIP);
    const { sink } = run([frame(p, { linkType: 229 })]);
    expect([sink.delivered[0]?.src, sink.delivered[0]?.dst]).toEqual(['::ffff:10.0.0.1', '::ffff:10.0.0.2']);
  });
});

describe('tunnels', () => {
  const outer = (proto: number, payload: Uint8Array) => eth(0x0800, ipv4('192.0.2.1', '192.0.2.2', proto, payload));

  it('GRE with key and sequence carrying IPv4', () => {
    const { sink, d } = run([frame(outer(47, gre(0x0800, IP4, { key: 7, seq: 1 })))]);
    expect(sink.delivered).toEqual([{ ...v4Delivery, frame: 1, tunnelled: true }]);
    expect([d.stats.gre, d.stats.tunnelled, d.stats.ipv4]).toEqual([1, 1, 2]);
  });

  it('GRE transparent Ethernet bridging (0x6558) with a VLAN inside', () => {
    const { sink } = run([frame(outer(47, gre(0x6558, eth(0x8100, concat(vlanTag(9, 0x0800), IP4)), { key: 1 })))]);
    expect(sink.delivered).toEqual([{ ...v4Delivery, frame: 1, tunnelled: true }]);
  });

  it('GRE carrying IPv6', () => {
    const { sink } = run([frame(outer(47, gre(0x86dd, IP6)))]);
    expect(sink.delivered).toEqual([{ ...v6Delivery, frame: 1, tunnelled: true }]);
  });

  it('PPTP enhanced GRE (v1) with PPP', () => {
    const pptp = concat(hex`3001 880b`, new Uint8Array([0, IP4.length + 4, 0, 1]), hex`00000001 ff03 0021`, IP4);
    const { sink } = run([frame(outer(47, pptp))]);
    expect(sink.delivered).toEqual([{ ...v4Delivery, frame: 1, tunnelled: true }]);
  });

  it.each([
    ['ERSPAN type I (no sequence, no ERSPAN header)', gre(0x88be, eth(0x0800, IP4))],
    ['ERSPAN type II', gre(0x88be, concat(hex`1064 082a 00000007`, eth(0x0800, IP4)), { seq: 9 })],
    ['ERSPAN type III with subheader', gre(0x22eb, concat(hex`20000005 11223344 00000001 0000000000000000`, eth(0x8100, concat(vlanTag(3, 0x0800), IP4))), { seq: 1 })],
  ])('GRE %s', (_, payload) => {
    const { sink } = run([frame(outer(47, payload))]);
    expect(sink.malformedReports).toEqual([]);
    expect(sink.delivered).toEqual([{ ...v4Delivery, frame: 1, tunnelled: true }]);
  });

  it('VXLAN on UDP 4789 is decapsulated; other traffic on 4789 is plain UDP', () => {
    const vx = udp(51000, 4789, concat(hex`08000000 00006400`, eth(0x0800, IP4)));
    const rtp = udp(51000, 4789, hex`80 00 0001 00000000 00000001`);
    const { sink, d } = run([frame(outer(17, vx), { index: 1 }), frame(outer(17, rtp), { index: 2 })]);
    expect(sink.delivered).toEqual([
      { ...v4Delivery, frame: 1, tunnelled: true },
      { ...v4Delivery, frame: 2, src: '192.0.2.1', dst: '192.0.2.2', srcPort: 51000, dstPort: 4789, payload: '\x80\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01' },
    ]);
    expect(d.stats.udp).toBe(2);
  });

  it('IP-in-IP (4) and IPv6-in-IPv4 (41)', () => {
    const { sink, d } = run([frame(outer(4, IP4), { index: 1 }), frame(outer(41, IP6), { index: 2 })]);
    expect(sink.delivered).toEqual([
      { ...v4Delivery, frame: 1, tunnelled: true },
      { ...v6Delivery, frame: 2, tunnelled: true },
    ]);
    expect(d.stats.tunnelled).toBe(2);
  });

  it('IPv4-in-IPv6 (next header 4)', () => {
    const { sink } = run([frame(ipv6('2001:db8::a', '2001:db8::b', 4, IP4), { linkType: 229 })]);
    expect(sink.delivered).toEqual([{ ...v4Delivery, frame: 1, tunnelled: true }]);
  });

  it('nesting is bounded: TOO_DEEP, not a stack overflow', () => {
    let p = IP4;
    for (let i = 0; i < 20; i++) p = ipv4('192.0.2.1', '192.0.2.2', 47, gre(0x0800, p));
    const { sink } = run([frame(p, { linkType: 228 })]);
    expect(sink.malformedReports).toEqual([{ layer: 'tunnel', code: 'TOO_DEEP', frame: 1 }]);
    expect(sink.delivered).toEqual([]);
  });

  it('a packet is not marked tunnelled after a tunnelled one', () => {
    const { sink } = run([frame(outer(4, IP4), { index: 1 }), frame(eth(0x0800, IP4), { index: 2 })]);
    expect(sink.delivered.map((x) => x.tunnelled)).toEqual([true, false]);
  });
});

describe('transport delivery', () => {
  it('reuses one TransportPacket and delivers the right fields each time', () => {
    const sink = new RecordingSink();
    const seen = new Set<object>();
    const d = new Dissector({ ...sink, udp: (p) => (seen.add(p), sink.udp(p)), tcpMessage: (p) => sink.tcpMessage(p), malformed: () => {} });
    d.push(frame(eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, hex`01`)))));
    d.push(frame(eth(0x0800, ipv4('10.0.0.3', '10.0.0.4', 17, udp(3, 4, hex`02`)))));
    expect(seen.size).toBe(1);
    expect(sink.delivered.map((x) => [x.src, x.dst, x.srcPort, x.dstPort, x.payload])).toEqual([
      ['10.0.0.1', '10.0.0.2', 1, 2, '\x01'],
      ['10.0.0.3', '10.0.0.4', 3, 4, '\x02'],
    ]);
  });

  it('UDP and TCP in one capture; stats count each layer', () => {
    const { d } = run([
      frame(eth(0x0800, IP4)),
      frame(eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, 1, TCP.SYN)))),
      frame(eth(0x0806, new Uint8Array(28))),
    ]);
    expect(d.stats).toMatchObject({ frames: 3, ipv4: 2, udp: 1, tcp: 1, nonIp: 1, malformed: 0, byLinkType: { 1: 3 } });
  });
});
