/**
 * Codec laws for every layer decoder (STYLE.md rule 14): each prefix of a valid structure is
 * TRUNCATED with exact need/have (need = the next length the decoder can know it needs), the
 * whole structure decodes to the expected end, and random bytes never make a decoder throw.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hex } from '../../helpers/hex.js';
import type { Decoded } from '../../../src/lib/result.js';
import type { LayerErrorCode } from '../../../src/lib/layers/errors.js';
import { decodeEthernet } from '../../../src/lib/layers/ethernet.js';
import { decodeVlanTag } from '../../../src/lib/layers/vlan.js';
import { decodeMplsLabel } from '../../../src/lib/layers/mpls.js';
import { decodeLinuxSll } from '../../../src/lib/layers/linux-sll.js';
import { decodeLinuxSll2 } from '../../../src/lib/layers/linux-sll2.js';
import { decodeNull } from '../../../src/lib/layers/null-loopback.js';
import { decodePppoeSession } from '../../../src/lib/layers/pppoe.js';
import { decodePpp } from '../../../src/lib/layers/ppp.js';
import { decodeIpv4 } from '../../../src/lib/layers/ipv4.js';
import { decodeIpv6 } from '../../../src/lib/layers/ipv6.js';
import { decodeIpv6Extension } from '../../../src/lib/layers/ipv6-extension.js';
import { decodeIpv6Fragment } from '../../../src/lib/layers/ipv6-fragment.js';
import { decodeUdp } from '../../../src/lib/layers/udp.js';
import { decodeTcp } from '../../../src/lib/layers/tcp.js';
import { decodeGre } from '../../../src/lib/layers/gre.js';
import { decodeErspan } from '../../../src/lib/layers/erspan.js';
import { decodeVxlan } from '../../../src/lib/layers/vxlan.js';

type Decode = (buf: Uint8Array) => Decoded<unknown, LayerErrorCode>;

interface LawCase {
  name: string;
  decode: Decode;
  layer: string;
  bytes: Uint8Array;
  /** [k, need]: prefixes shorter than k (and not shorter than the previous step) need `need` bytes. */
  needs: [number, number][];
  /** `end` of a successful decode of the whole structure. */
  end: number;
}

const cases: LawCase[] = [
  { name: 'Ethernet', decode: (b) => decodeEthernet(b), layer: 'ethernet', bytes: hex`000000000001 000000000002 0800`, needs: [[14, 14]], end: 14 },
  { name: 'VLAN tag', decode: (b) => decodeVlanTag(b), layer: 'vlan', bytes: hex`0064 0800`, needs: [[4, 4]], end: 4 },
  { name: 'MPLS label', decode: (b) => decodeMplsLabel(b), layer: 'mpls', bytes: hex`00010140`, needs: [[4, 4]], end: 4 },
  { name: 'SLL', decode: (b) => decodeLinuxSll(b), layer: 'sll', bytes: hex`0000 0001 0006 525400123456 0000 0800`, needs: [[16, 16]], end: 16 },
  { name: 'SLL2', decode: (b) => decodeLinuxSll2(b), layer: 'sll2', bytes: hex`0800 0000 00000002 0001 00 06 5254001234560000`, needs: [[20, 20]], end: 20 },
  { name: 'NULL', decode: (b) => decodeNull(b), layer: 'null', bytes: hex`02000000`, needs: [[4, 4]], end: 4 },
  { name: 'PPPoE session', decode: (b) => decodePppoeSession(b), layer: 'pppoe', bytes: hex`11 00 0001 0016 0021`, needs: [[8, 8]], end: 8 },
  { name: 'PPP with address/control', decode: (b) => decodePpp(b), layer: 'ppp', bytes: hex`ff 03 0021`, needs: [[1, 1], [3, 3], [4, 4]], end: 4 },
  {
    name: 'IPv4 with options and payload',
    decode: (b) => decodeIpv4(b),
    layer: 'ipv4',
    bytes: hex`46 00 0020 0001 0000 40 11 0000 0a000001 0a000002  94040000  0102030405060708`,
    needs: [[20, 20], [24, 24], [32, 32]],
    end: 24,
  },
  {
    name: 'IPv6 with payload',
    decode: (b) => decodeIpv6(b),
    layer: 'ipv6',
    bytes: hex`60000000 0008 11 40 20010db8000000000000000000000001 20010db8000000000000000000000002 0102030405060708`,
    needs: [[40, 40], [48, 48]],
    end: 40,
  },
  { name: 'IPv6 hop-by-hop (16 bytes)', decode: (b) => decodeIpv6Extension(b, 0), layer: 'ipv6', bytes: hex`11 01 0000 00000000 0000000000000000`, needs: [[2, 8], [16, 16]], end: 16 },
  { name: 'IPv6 AH (24 bytes)', decode: (b) => decodeIpv6Extension(b, 51), layer: 'ipv6', bytes: hex`11 04 0000 00000100 00000001 0102030405060708090a0b0c`, needs: [[2, 12], [24, 24]], end: 24 },
  { name: 'IPv6 fragment', decode: (b) => decodeIpv6Fragment(b), layer: 'ipv6', bytes: hex`11 00 0001 00000007`, needs: [[8, 8]], end: 8 },
  { name: 'UDP with payload', decode: (b) => decodeUdp(b), layer: 'udp', bytes: hex`13c4 13c4 000c 0000 01020304`, needs: [[8, 8], [12, 12]], end: 8 },
  { name: 'TCP with options', decode: (b) => decodeTcp(b), layer: 'tcp', bytes: hex`0001 0002 00000001 00000000 6002 ffff 0000 0000 020405b4`, needs: [[20, 20], [24, 24]], end: 24 },
  { name: 'GRE with key and sequence', decode: (b) => decodeGre(b), layer: 'gre', bytes: hex`3000 0800 0000002a 00000100`, needs: [[4, 4], [12, 12]], end: 12 },
  {
    name: 'GRE with routing',
    decode: (b) => decodeGre(b),
    layer: 'gre',
    bytes: hex`4000 0800 00000000 0800 00 04 c0000201 00000000`,
    needs: [[4, 4], [8, 8], [12, 12], [16, 16], [20, 20]],
    end: 20,
  },
  { name: 'ERSPAN type II', decode: (b) => decodeErspan(b), layer: 'erspan', bytes: hex`1064 082a 00000007`, needs: [[8, 8]], end: 8 },
  {
    name: 'ERSPAN type III with subheader',
    decode: (b) => decodeErspan(b),
    layer: 'erspan',
    bytes: hex`20000005 11223344 00000001 0000000000000000`,
    needs: [[1, 8], [12, 12], [20, 20]],
    end: 20,
  },
  { name: 'VXLAN', decode: (b) => decodeVxlan(b), layer: 'vxlan', bytes: hex`08000000 00123400`, needs: [[8, 8]], end: 8 },
];

describe('truncation law: every prefix is TRUNCATED with exact need/have', () => {
  for (const c of cases) {
    it(c.name, () => {
      const full = c.needs[c.needs.length - 1]![1];
      expect(c.bytes.length).toBe(full);
      for (let k = 0; k < full; k++) {
        const need = c.needs.find(([below]) => k < below)![1];
        // Copy the prefix so that nothing past it is reachable.
        expect(c.decode(c.bytes.slice(0, k)), `prefix ${k}`).toEqual({ ok: false, error: { code: 'TRUNCATED', layer: c.layer, offset: 0, need, have: k } });
      }
      const r = c.decode(c.bytes);
      expect(r.ok && r.end).toBe(c.end);
    });
  }
});

const CODES: LayerErrorCode[] = [
  'TRUNCATED',
  'BAD_VERSION',
  'BAD_HEADER_LENGTH',
  'BAD_TOTAL_LENGTH',
  'BAD_LENGTH',
  'BAD_GRE',
  'BAD_PPPOE',
];

describe('random bytes never throw', () => {
  for (const c of cases) {
    it(c.name, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
          const r = c.decode(bytes);
          if (r.ok) {
            expect(r.end).toBeLessThanOrEqual(bytes.length);
          } else {
            expect(CODES).toContain(r.error.code);
            if (r.error.code === 'TRUNCATED') expect(r.error.need!).toBeGreaterThan(r.error.have!);
          }
        }),
        { numRuns: 2000 },
      );
    });
  }
});
