import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import { decodeUdp } from '../../../src/lib/layers/udp.js';
import { decodeTcp, TCP_FLAG } from '../../../src/lib/layers/tcp.js';
import { decodeGre } from '../../../src/lib/layers/gre.js';
import { decodeErspan } from '../../../src/lib/layers/erspan.js';
import { decodeVxlan, isVxlan } from '../../../src/lib/layers/vxlan.js';

describe('UDP', () => {
  it('decodes and trims by its length field', () => {
    const r = decodeUdp(hex`
      13 c4     // source port 5060
      13 c5     // destination port 5061
      00 0c     // length 12: header + 4 bytes
      ab cd     // checksum
      de ad be ef
      00 00     // trailing bytes not in the datagram`);
    expect(r).toEqual({ ok: true, value: { srcPort: 5060, dstPort: 5061, length: 12, checksum: 0xabcd, payloadLength: 4 }, end: 8 });
  });
  it('length 0 (jumbogram) takes what the IP layer carries', () => {
    const r = decodeUdp(hex`0001 0002 0000 0000  01 02 03`);
    expect(r.ok && r.value.payloadLength).toBe(3);
  });
  it.each([
    ['length 7', hex`0001 0002 0007 0000`, { code: 'BAD_LENGTH', layer: 'udp', offset: 0 }],
    ['length beyond the IP payload', hex`0001 0002 0010 0000 01`, { code: 'TRUNCATED', layer: 'udp', offset: 0, need: 16, have: 9 }],
  ])('%s', (_, bytes, error) => {
    expect(decodeUdp(bytes)).toEqual({ ok: false, error });
  });
});

describe('TCP', () => {
  it('decodes a SYN with options', () => {
    const r = decodeTcp(hex`
      fd 22 13 c4       // ports 64802 → 5060
      9a 4e 2b 10       // sequence number
      00 00 00 00       // acknowledgment number
      60 02             // data offset 6 (24 bytes), SYN
      ff ff 00 00 00 00 // window, checksum, urgent pointer
      02 04 05 b4       // option: MSS 1460`);
    expect(r).toEqual({
      ok: true,
      value: { srcPort: 64802, dstPort: 5060, seq: 0x9a4e2b10, ack: 0, headerLength: 24, flags: TCP_FLAG.SYN, window: 0xffff, checksum: 0, urgentPointer: 0 },
      end: 24,
    });
  });
  it('keeps sequence numbers unsigned', () => {
    const r = decodeTcp(hex`0001 0002 ffffffff 80000000 5018 0100 0000 0000`);
    expect(r.ok && [r.value.seq, r.value.ack, r.value.flags]).toEqual([0xffffffff, 0x80000000, TCP_FLAG.PSH | TCP_FLAG.ACK]);
  });
  it('rejects a data offset below 5', () => {
    expect(decodeTcp(hex`0001 0002 00000000 00000000 4000 0000 0000 0000`)).toMatchObject({ ok: false, error: { code: 'BAD_HEADER_LENGTH' } });
  });
});

describe('GRE', () => {
  it.each([
    ['plain RFC 2784, IPv4', hex`00 00  08 00`, { version: 0, protocol: 0x0800, hasKey: false, hasSequence: false, key: 0, sequence: 0 }, 4],
    [
      'RFC 2890 key and sequence, transparent Ethernet',
      hex`
        30 00       // K, S, version 0
        65 58       // protocol: transparent Ethernet bridging
        00 00 00 2a // key 42
        00 00 01 00 // sequence 256`,
      { version: 0, protocol: 0x6558, hasKey: true, hasSequence: true, key: 42, sequence: 256 },
      12,
    ],
    [
      'checksum present, IPv6',
      hex`80 00  86 dd  12 34 00 00`,
      { version: 0, protocol: 0x86dd, hasChecksum: true, checksum: 0x1234 },
      8,
    ],
    [
      'PPTP enhanced GRE (version 1) with sequence and ack',
      hex`
        30 81       // K, S, A, version 1
        88 0b       // protocol: PPP
        00 10 ab cd // payload length 16, call ID 0xabcd
        00 00 00 07 // sequence
        00 00 00 06 // acknowledgment`,
      { version: 1, protocol: 0x880b, hasKey: true, hasSequence: true, hasAck: true, key: 0x0010abcd, sequence: 7, ack: 6 },
      16,
    ],
    [
      'RFC 1701 routing: one SRE, then the terminator',
      hex`
        40 00       // R
        08 00       // IPv4
        00 00 00 00 // checksum + offset (present with R)
        08 00 00 04 c0 00 02 01   // SRE: family IPv4, offset 0, length 4, one address
        00 00 00 00               // terminating SRE`,
      { version: 0, protocol: 0x0800, hasRouting: true },
      20,
    ],
  ])('%s', (_, bytes, fields, end) => {
    const r = decodeGre(bytes);
    expect(r.ok && r.end).toBe(end);
    expect(r.ok && r.value).toMatchObject(fields);
  });
  it('rejects versions other than 0 and 1', () => {
    expect(decodeGre(hex`00 02 08 00`)).toMatchObject({ ok: false, error: { code: 'BAD_GRE', layer: 'gre' } });
  });
});

describe('ERSPAN', () => {
  it('type II', () => {
    expect(
      decodeErspan(hex`
        10 64       // version 1 (type II), VLAN 100
        08 2a       // COS 0, En 1, T 0, session 42
        00 00 00 07 // reserved, index 7`),
    ).toEqual({ ok: true, value: { version: 1, vlan: 100, sessionId: 42, hasSubheader: false }, end: 8 });
  });
  it('type III with the platform-specific subheader', () => {
    expect(
      decodeErspan(hex`
        20 00 00 05       // version 2 (type III), VLAN 0, session 5
        11 22 33 44       // timestamp
        00 00 00 01       // SGT 0, …, O = 1
        00 00 00 00 00 00 00 00   // platform-specific subheader`),
    ).toEqual({ ok: true, value: { version: 2, vlan: 0, sessionId: 5, hasSubheader: true }, end: 20 });
  });
  it('rejects other versions', () => {
    expect(decodeErspan(hex`30 00 00 00 00 00 00 00`)).toMatchObject({ ok: false, error: { code: 'BAD_GRE', layer: 'erspan' } });
  });
});

describe('VXLAN', () => {
  it('decodes the VNI and recognises the header strictly', () => {
    const h = hex`08 000000  00 12 34 00`;
    expect(decodeVxlan(h)).toEqual({ ok: true, value: { vni: 0x1234 }, end: 8 });
    expect(isVxlan(h, 0, 8)).toBe(true);
    expect(isVxlan(hex`80 08 1234 00000000`, 0, 8)).toBe(false); // RTP
    expect(isVxlan(hex`08 000000 00123401`, 0, 8)).toBe(false); // reserved byte set
    expect(isVxlan(h, 0, 7)).toBe(false);
  });
});
