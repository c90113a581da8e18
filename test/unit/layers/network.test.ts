import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hex } from '../../helpers/hex.js';
import { decodeIpv4, isIpv4Fragment } from '../../../src/lib/layers/ipv4.js';
import { decodeIpv6 } from '../../../src/lib/layers/ipv6.js';
import { decodeIpv6Extension, isIpv6LengthExtension } from '../../../src/lib/layers/ipv6-extension.js';
import { decodeIpv6Fragment } from '../../../src/lib/layers/ipv6-fragment.js';
import { AddressTextCache, ipv4Text, ipv6Text } from '../../../src/lib/layers/ip-address.js';

describe('IPv4', () => {
  it('decodes a header with options and trims Ethernet padding by total length', () => {
    const r = decodeIpv4(hex`
      46          // version 4, IHL 6 (24 bytes)
      b8          // DSCP 46 (EF), ECN 0
      00 20       // total length 32
      1c 46       // identification
      40 00       // DF, offset 0
      3f 11       // TTL 63, protocol UDP
      00 00       // checksum (not verified)
      c0 a8 01 0a // 192.168.1.10
      0a 00 00 01 // 10.0.0.1
      94 04 00 00 // option: router alert
      01 02 03 04 05 06 07 08   // 8 payload bytes
      00 00 00 00 00 00         // Ethernet padding, not part of the datagram`);
    expect(r).toEqual({
      ok: true,
      value: {
        headerLength: 24,
        dscp: 46,
        ecn: 0,
        totalLength: 32,
        payloadLength: 8,
        identification: 0x1c46,
        dontFragment: true,
        moreFragments: false,
        fragmentOffset: 0,
        ttl: 63,
        protocol: 17,
        checksum: 0,
        src: 0xc0a8010a,
        dst: 0x0a000001,
      },
      end: 24,
    });
    expect(r.ok && isIpv4Fragment(r.value)).toBe(false);
  });

  it('reads fragment fields', () => {
    const r = decodeIpv4(hex`45 00 0018 abcd  20 b9  40 11 0000 01020304 05060708  0000 0000`);
    // MF set, offset 0xb9 × 8 = 1480 bytes
    expect(r.ok && [r.value.moreFragments, r.value.fragmentOffset, isIpv4Fragment(r.value)]).toEqual([true, 1480, true]);
  });

  it('uses the captured length when total length is 0 (segmentation offload)', () => {
    const r = decodeIpv4(hex`45 00 0000 0001 4000 40 06 0000 7f000001 7f000001   aa bb cc`);
    expect(r.ok && [r.value.totalLength, r.value.payloadLength]).toEqual([0, 3]);
  });

  it.each([
    ['version 6 nibble', hex`65 00 0014 0000 0000 4011 0000 00000000 00000000`, 'BAD_VERSION'],
    ['IHL 4', hex`44 00 0014 0000 0000 4011 0000 00000000 00000000`, 'BAD_HEADER_LENGTH'],
    ['total length 19 < header', hex`45 00 0013 0000 0000 4011 0000 00000000 00000000`, 'BAD_TOTAL_LENGTH'],
  ])('rejects %s', (_, bytes, code) => {
    expect(decodeIpv4(bytes)).toMatchObject({ ok: false, error: { code, layer: 'ipv4', offset: 0 } });
  });

  it('a capture shorter than total length is TRUNCATED with need/have', () => {
    expect(decodeIpv4(hex`45 00 0100 0000 0000 4011 0000 00000000 00000000 0102`)).toEqual({
      ok: false,
      error: { code: 'TRUNCATED', layer: 'ipv4', offset: 0, need: 256, have: 22 },
    });
  });
});

describe('IPv6', () => {
  it('decodes the fixed header', () => {
    const r = decodeIpv6(hex`
      6b 81 23 45       // version 6, traffic class 0xb8, flow label 0x12345
      00 08 11 40       // payload length 8, next header UDP, hop limit 64
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   // 2001:db8::1
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   // 2001:db8::2
      13 c4 13 c4 00 08 00 00                           // UDP header`);
    expect(r).toEqual({
      ok: true,
      value: {
        trafficClass: 0xb8,
        flowLabel: 0x12345,
        payloadLength: 8,
        effectivePayloadLength: 8,
        nextHeader: 17,
        hopLimit: 64,
        srcOffset: 8,
        dstOffset: 24,
      },
      end: 40,
    });
  });
  it('rejects an IPv4 nibble', () => {
    expect(decodeIpv6(new Uint8Array(40).fill(0x45))).toMatchObject({ ok: false, error: { code: 'BAD_VERSION', layer: 'ipv6' } });
  });
  it.each([
    ['hop-by-hop, 8 bytes', 0, hex`3a 00 05 02 00 00 01 00`, { type: 0, nextHeader: 58, length: 8 }],
    ['routing, 24 bytes', 43, hex`11 02 00 01 00000000  20010db8000000000000000000000001`, { type: 43, nextHeader: 17, length: 24 }],
    ['destination options, 16 bytes', 60, hex`06 01 01 0c 00000000 0000000000000000`, { type: 60, nextHeader: 6, length: 16 }],
    ['AH, payload len 4 → 24 bytes', 51, hex`11 04 0000 00000100 00000001 0102030405060708090a0b0c`, { type: 51, nextHeader: 17, length: 24 }],
  ])('extension header: %s', (_, type, bytes, value) => {
    expect(isIpv6LengthExtension(type)).toBe(true);
    expect(decodeIpv6Extension(bytes, type)).toEqual({ ok: true, value, end: value.length });
  });
  it('fragment header', () => {
    expect(
      decodeIpv6Fragment(hex`
        11        // next header UDP
        00        // reserved
        05 a9     // offset 0xb5 × 8 = 1448 bytes, M = 1
        de ad be ef   // identification`),
    ).toEqual({ ok: true, value: { nextHeader: 17, fragmentOffset: 1448, moreFragments: true, identification: 0xdeadbeef }, end: 8 });
  });
});

describe('address text', () => {
  it('IPv4 dotted quad', () => {
    expect(ipv4Text(0xc0a8010a)).toBe('192.168.1.10');
    expect(ipv4Text(0xffffffff)).toBe('255.255.255.255');
    expect(ipv4Text(0)).toBe('0.0.0.0');
  });

  // RFC 5952 §4 recommendations, and the §5 mixed notation for IPv4-mapped addresses.
  it.each([
    ['20010db8000000000000000000020001', '2001:db8::2:1'], // §4.2.1 longest run compressed
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'], // §4.2.2 a single 0 group is not
    ['20010000000000010000000000000001', '2001:0:0:1::1'], // §4.2.3 the longest run
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // §4.2.3 the first run on a tie
    ['20010DB8000000000000000000000AbC'.toLowerCase(), '2001:db8::abc'], // §4.3 lowercase
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['fe800000000000000000000000000000', 'fe80::'],
    ['00000000000000000000ffffc0000201', '::ffff:192.0.2.1'], // §5
    ['00010002000300040005000600070008', '1:2:3:4:5:6:7:8'],
    ['00000001000000000000000000000000', '0:1::'],
  ])('%s → %s', (h, expected) => {
    expect(ipv6Text(Buffer.from(h, 'hex'), 0)).toBe(expected);
  });

  it('agrees with the WHATWG URL serializer (RFC 5952 compression) on random addresses', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        fc.pre(!mapped);
        const viaUrl = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
        expect(ipv6Text(bytes, 0)).toBe(viaUrl);
      }),
    );
  });

  it('the cache interns strings and stays correct on collisions', () => {
    const cache = new AddressTextCache(4);
    const a = cache.v4(0x0a000001);
    expect(cache.v4(0x0a000001)).toBe(a);
    for (let i = 0; i < 100; i++) expect(cache.v4(0x0a000000 + i)).toBe(`10.0.0.${i}`);
    const addr = Buffer.from('20010db8000000000000000000000001', 'hex');
    const t = cache.v6(addr, 0);
    expect(t).toBe('2001:db8::1');
    expect(cache.v6(addr, 0)).toBe(t);
    for (let i = 0; i < 50; i++) {
      addr[15] = i;
      expect(cache.v6(addr, 0)).toBe(i === 0 ? '2001:db8::' : `2001:db8::${i.toString(16)}`);
    }
  });
});
