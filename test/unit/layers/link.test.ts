import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import { decodeEthernet, macText } from '../../../src/lib/layers/ethernet.js';
import { decodeVlanTag } from '../../../src/lib/layers/vlan.js';
import { decodeMplsLabel } from '../../../src/lib/layers/mpls.js';
import { decodeLinuxSll } from '../../../src/lib/layers/linux-sll.js';
import { decodeLinuxSll2 } from '../../../src/lib/layers/linux-sll2.js';
import { decodeNull } from '../../../src/lib/layers/null-loopback.js';
import { decodePppoeSession } from '../../../src/lib/layers/pppoe.js';
import { decodePpp } from '../../../src/lib/layers/ppp.js';
import { isSupportedLinkType, linkTypeName, LINKTYPE } from '../../../src/lib/layers/link-types.js';
import { isVlanTpid } from '../../../src/lib/layers/ethertypes.js';

describe('Ethernet', () => {
  it('decodes addresses and EtherType', () => {
    const r = decodeEthernet(hex`
      00 1b 21 3a 4f 5e   // destination MAC
      f0 de f1 12 34 56   // source MAC
      08 00               // EtherType IPv4
      45                  // first payload byte`);
    expect(r).toEqual({ ok: true, value: { dst: 0x001b213a4f5e, src: 0xf0def1123456, etherType: 0x0800 }, end: 14 });
    expect(macText(0x001b213a4f5e)).toBe('00:1b:21:3a:4f:5e');
  });
  it('decodes at an offset', () => {
    const r = decodeEthernet(hex`ff ff   ffffffffffff 000000000001 0806`, 2);
    expect(r.ok && r.value.etherType).toBe(0x0806);
    expect(r.ok && r.end).toBe(16);
  });
});

describe('VLAN tag (802.1Q / 802.1ad)', () => {
  it.each([
    ['802.1Q, PCP 5, VID 100, IPv4 inside', hex`a0 64  08 00`, { pcp: 5, dei: false, vid: 100, etherType: 0x0800 }],
    ['802.1ad outer tag, DEI, VID 4094, inner TPID', hex`1f fe  81 00`, { pcp: 0, dei: true, vid: 4094, etherType: 0x8100 }],
  ])('%s', (_, bytes, value) => {
    expect(decodeVlanTag(bytes)).toEqual({ ok: true, value, end: 4 });
  });
  it('knows the TPIDs', () => {
    expect([0x8100, 0x88a8, 0x9100, 0x0800].map(isVlanTpid)).toEqual([true, true, true, false]);
  });
});

describe('MPLS label stack entry', () => {
  it.each([
    ['label 16, TC 0, not bottom, TTL 64', hex`00 01 00 40`, { label: 16, tc: 0, bottom: false, ttl: 64 }],
    ['label 1048575, TC 7, bottom, TTL 255', hex`ff ff ff ff`, { label: 0xfffff, tc: 7, bottom: true, ttl: 255 }],
    ['label 299776 (0x49300), TC 0, bottom, TTL 1', hex`49 30 01 01`, { label: 0x49300, tc: 0, bottom: true, ttl: 1 }],
  ])('%s', (_, bytes, value) => {
    expect(decodeMplsLabel(bytes)).toEqual({ ok: true, value, end: 4 });
  });
});

describe('Linux cooked capture', () => {
  it('SLL (v1), 16 bytes', () => {
    const r = decodeLinuxSll(hex`
      00 04               // packet type: sent by us
      00 01               // ARPHRD_ETHER
      00 06               // address length 6
      52 54 00 12 34 56 00 00   // address, zero padded to 8
      08 00               // protocol: IPv4`);
    expect(r).toEqual({ ok: true, value: { packetType: 4, arphrdType: 1, addressLength: 6, addressOffset: 6, protocol: 0x0800 }, end: 16 });
  });
  it('SLL2 (v2), 20 bytes', () => {
    const r = decodeLinuxSll2(hex`
      86 dd               // protocol: IPv6
      00 00               // reserved
      00 00 00 01         // interface index 1
      03 04               // ARPHRD_LOOPBACK (772)
      00                  // packet type: to us
      06                  // address length
      00 00 00 00 00 00 00 00   // address`);
    expect(r).toEqual({
      ok: true,
      value: { protocol: 0x86dd, interfaceIndex: 1, arphrdType: 772, packetType: 0, addressLength: 6, addressOffset: 12 },
      end: 20,
    });
  });
});

describe('BSD loopback (NULL, LOOP)', () => {
  it.each([
    ['NULL, little-endian host, AF_INET', hex`02 00 00 00`, false, { family: 2, ipVersion: 4 }],
    ['NULL, big-endian host, AF_INET', hex`00 00 00 02`, false, { family: 2, ipVersion: 4 }],
    ['NULL, little-endian, AF_INET6 (NetBSD/OpenBSD 24)', hex`18 00 00 00`, false, { family: 24, ipVersion: 6 }],
    ['NULL, big-endian, AF_INET6 (FreeBSD 28)', hex`00 00 00 1c`, false, { family: 28, ipVersion: 6 }],
    ['NULL, little-endian, AF_INET6 (macOS 30)', hex`1e 00 00 00`, false, { family: 30, ipVersion: 6 }],
    ['NULL, AF_APPLETALK (16): not IP', hex`10 00 00 00`, false, { family: 16, ipVersion: 0 }],
    ['LOOP, network order, AF_INET', hex`00 00 00 02`, true, { family: 2, ipVersion: 4 }],
    ['LOOP, network order, AF_INET6 24', hex`00 00 00 18`, true, { family: 24, ipVersion: 6 }],
  ])('%s', (_, bytes, networkOrder, value) => {
    expect(decodeNull(bytes, 0, bytes.length, networkOrder)).toEqual({ ok: true, value, end: 4 });
  });
});

describe('PPPoE session and PPP', () => {
  it('PPPoE session header with PPP protocol', () => {
    const r = decodePppoeSession(hex`
      11        // version 1, type 1
      00        // code: session data
      12 34     // session id
      00 1e     // length 30 (PPP protocol + 28-byte IPv4 packet)
      00 21     // PPP protocol: IPv4`);
    expect(r).toEqual({ ok: true, value: { code: 0, sessionId: 0x1234, length: 30, pppProtocol: 0x21 }, end: 8 });
  });
  it('rejects another version/type', () => {
    expect(decodePppoeSession(hex`21 00 0000 0000 0021`)).toMatchObject({ ok: false, error: { code: 'BAD_PPPOE', layer: 'pppoe' } });
  });
  it.each([
    ['address/control, 2-byte protocol', hex`ff 03 00 21`, { addressControl: true, protocol: 0x21 }, 4],
    ['no address/control (ACFC)', hex`00 57`, { addressControl: false, protocol: 0x57 }, 2],
    ['compressed protocol field (PFC)', hex`21`, { addressControl: false, protocol: 0x21 }, 1],
  ])('PPP: %s', (_, bytes, value, end) => {
    expect(decodePpp(bytes)).toEqual({ ok: true, value, end });
  });
});

describe('link-type table', () => {
  it('names the registry values and supports the dissected ones', () => {
    expect(linkTypeName(LINKTYPE.ETHERNET)).toBe('ETHERNET');
    expect(linkTypeName(LINKTYPE.LINUX_SLL2)).toBe('LINUX_SLL2');
    expect(linkTypeName(12)).toBe('RAW');
    expect(linkTypeName(4242)).toBe('LINKTYPE_4242');
    expect([0, 1, 12, 14, 101, 108, 113, 228, 229, 276].every(isSupportedLinkType)).toBe(true);
    expect(isSupportedLinkType(105)).toBe(false);
  });
});
