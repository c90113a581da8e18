import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import { Prng } from '../../../src/lib/gen/prng.js';
import { TOS_SIP, encodeUdpFrame, makeHost, wordSum, foldSum } from '../../../src/lib/gen/udp-frame.js';

const phone = makeHost({
  ip: '10.1.0.10',
  mac: hex`00 04 f2 00 00 01`,
  sipPort: 5060,
  user: '1000',
  userAgent: 'test',
  password: 'x',
  isPbx: false,
});
const pbx = makeHost({
  ip: '10.0.0.10',
  mac: hex`52 54 00 a1 b2 c3`,
  sipPort: 5060,
  user: 'asterisk',
  userAgent: 'test',
  password: '',
  isPbx: true,
});

describe('encodeUdpFrame', () => {
  it('lays out Ethernet / IPv4 / UDP with both checksums (odd payload length)', () => {
    const frame = encodeUdpFrame(phone, pbx, 5060, 5060, new TextEncoder().encode('hi!'), TOS_SIP, 0x1234);
    expect(frame).toEqual(hex`
      52 54 00 a1 b2 c3  00 04 f2 00 00 01  08 00   // Ethernet: dst, src, IPv4
      45 60 00 1f  12 34 40 00  40 11 14 26         // IPv4: IHL 5, CS3, total 31, id, DF, TTL 64, UDP, checksum
      0a 01 00 0a  0a 00 00 0a                      // 10.1.0.10 → 10.0.0.10
      13 c4 13 c4  00 0b 3a d2                      // UDP 5060 → 5060, length 11, checksum
      68 69 21                                      // "hi!"
    `);
  });

  it('every frame verifies: IPv4 header and pseudo-header sums fold to 0xffff', () => {
    const rng = new Prng('frames');
    for (let n = 0; n < 200; n++) {
      const payload = new Uint8Array(rng.int(0, 1400)).map(() => rng.u32() & 0xff);
      const f = encodeUdpFrame(phone, pbx, rng.int(1024, 65536), rng.int(1024, 65536), payload, 0xb8, rng.int(0, 65536));
      expect(foldSum(wordSum(f, 14, 34))).toBe(0xffff);
      const udpLength = f.length - 34;
      const pseudo = wordSum(f, 26, 34) + 17 + udpLength;
      expect(foldSum(pseudo + wordSum(f, 34, f.length))).toBe(0xffff);
    }
  });
});
