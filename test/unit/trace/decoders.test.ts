/**
 * trace's kernel-structure decoders: sockaddr, the recvmsg control messages (SO_TIMESTAMPNS,
 * IP_RECVERR / IPV6_RECVERR with sock_extended_err + offender), ICMP echo, and the ICMP
 * (type, code) → answer kind table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import { decodeControlMessages, decodeSockExtendedErr } from '../../../src/lib/net/trace/errqueue.js';
import { canonicalAddress, decodeSockaddr, encodeSockaddr, formatIPv6, ipv6Bytes } from '../../../src/lib/net/trace/sockaddr.js';
import { decodeIcmpEcho, encodeIcmpEchoRequest, internetChecksum } from '../../../src/lib/net/trace/icmp-echo.js';
import { classifyIcmpError } from '../../../src/lib/net/trace/icmp-kinds.js';

describe('sockaddr', () => {
  it('encodes sockaddr_in: family host order, port network order', () => {
    expect(encodeSockaddr({ family: 4, address: '10.77.43.2', port: 5060 })).toEqual(hex`
      02 00         // sin_family AF_INET (2), little-endian
      13 c4         // sin_port 5060, big-endian
      0a 4d 2b 02   // 10.77.43.2
      00 00 00 00 00 00 00 00`);
  });

  it('encodes sockaddr_in6 with the address at offset 8', () => {
    expect(encodeSockaddr({ family: 6, address: 'fd77:43::2', port: 33434 })).toEqual(hex`
      0a 00                     // AF_INET6 (10)
      82 9a                     // port 33434
      00 00 00 00               // flowinfo
      fd 77 00 43 00 00 00 00 00 00 00 00 00 00 00 02
      00 00 00 00               // scope id`);
  });

  it('round-trips both families', () => {
    for (const a of [
      { family: 4 as const, address: '192.0.2.1', port: 1 },
      { family: 6 as const, address: '2001:db8::1', port: 65535 },
      { family: 6 as const, address: '::ffff:192.0.2.7', port: 5060 },
    ]) {
      const d = decodeSockaddr(encodeSockaddr(a), 0);
      expect(d).toEqual({ ok: true, value: a, end: a.family === 4 ? 16 : 28 });
    }
  });

  it('reports truncation and unknown families without throwing', () => {
    expect(decodeSockaddr(hex`02 00 13`, 0)).toEqual({ ok: false, error: { code: 'TRUNCATED', layer: 'sockaddr', offset: 0, need: 16, have: 3 } });
    expect(decodeSockaddr(hex`0a 00 00 00 00 00 00 00 00`, 0)).toMatchObject({ ok: false, error: { code: 'TRUNCATED', need: 28, have: 9 } });
    expect(decodeSockaddr(hex`01 00 00 00`, 0)).toMatchObject({ ok: false, error: { code: 'BAD_FAMILY' } });
  });

  it('formats IPv6 the RFC 5952 way', () => {
    const f = (s: string) => formatIPv6(ipv6Bytes(s), 0);
    expect(f('FD77:0043:0:0:0:0:0:0002')).toBe('fd77:43::2');
    expect(f('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1'); // longest zero run wins
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(f('::')).toBe('::');
    expect(f('::1')).toBe('::1');
    expect(canonicalAddress('FD77:41:0::1')).toBe('fd77:41::1');
    expect(canonicalAddress('10.77.41.1')).toBe('10.77.41.1');
  });
});

describe('recvmsg control messages', () => {
  // What recvmsg(MSG_ERRQUEUE) gave for a UDP probe with TTL 1 (IPv4): a timestamp cmsg, then
  // IP_RECVERR with sock_extended_err and the offender 10.77.41.1.
  const TIME_EXCEEDED_V4 = hex`
    20 00 00 00 00 00 00 00   // cmsg_len 32
    01 00 00 00               // SOL_SOCKET
    23 00 00 00               // SCM_TIMESTAMPNS (35)
    10 27 00 00 00 00 00 00   // tv_sec 10000
    e8 03 00 00 00 00 00 00   // tv_nsec 1000
    2c 00 00 00 00 00 00 00   // cmsg_len 44 (16 + 16 + 12 used of the 16-byte sockaddr_in)
    00 00 00 00               // SOL_IP
    0b 00 00 00               // IP_RECVERR (11)
    71 00 00 00               // ee_errno EHOSTUNREACH (113)
    02                        // ee_origin SO_EE_ORIGIN_ICMP
    0b 00 00                  // ee_type 11 time exceeded, ee_code 0, pad
    00 00 00 00 00 00 00 00   // ee_info, ee_data
    02 00 00 00 0a 4d 29 01   // offender sockaddr_in 10.77.41.1
    00 00 00 00               // (cmsg padding to 8)`;

  it('finds the kernel timestamp and the extended error with its offender', () => {
    const d = decodeControlMessages(TIME_EXCEEDED_V4, 0, TIME_EXCEEDED_V4.length);
    expect(d).toEqual({
      ok: true,
      value: {
        timestampNs: 10_000_000_001_000n,
        extendedError: { errno: 113, origin: 2, type: 11, code: 0, info: 0, data: 0, offender: { family: 4, address: '10.77.41.1', port: 0 } },
      },
      end: TIME_EXCEEDED_V4.length,
    });
  });

  it('reads IPV6_RECVERR with a sockaddr_in6 offender', () => {
    const body = hex`
      71 00 00 00 03 03 00 00 00 00 00 00 00 00 00 00   // EHOSTUNREACH, ICMP6 origin, type 3 (time exceeded)
      0a 00 00 00 00 00 00 00 fd 77 00 42 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00 00`;
    const cmsg = new Uint8Array(16 + body.length + 4);
    const dv = new DataView(cmsg.buffer);
    dv.setBigUint64(0, BigInt(16 + body.length), true);
    dv.setInt32(8, 41, true); // SOL_IPV6
    dv.setInt32(12, 25, true); // IPV6_RECVERR
    cmsg.set(body, 16);
    const d = decodeControlMessages(cmsg, 0, cmsg.length);
    expect(d.ok && d.value.extendedError).toEqual({ errno: 113, origin: 3, type: 3, code: 0, info: 0, data: 0, offender: { family: 6, address: 'fd77:42::2', port: 0 } });
    expect(d.ok && d.value.timestampNs).toBeNull();
  });

  it('rejects a cmsg_len that runs past the buffer, and a short sock_extended_err', () => {
    expect(decodeControlMessages(TIME_EXCEEDED_V4, 0, 50)).toMatchObject({ ok: false, error: { code: 'BAD_CMSG_LEN', offset: 32 } });
    expect(decodeSockExtendedErr(hex`71 00 00 00 02 0b`, 0, 6)).toEqual({ ok: false, error: { code: 'TRUNCATED', layer: 'sock_extended_err', offset: 0, need: 16, have: 6 } });
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        decodeControlMessages(b, 0, b.length);
        decodeSockaddr(b, 0);
        decodeIcmpEcho(b, 0, 4);
        decodeIcmpEcho(b, 0, 6);
      }),
    );
  });
});

describe('ICMP echo', () => {
  it('encodes an IPv4 echo request with the RFC 1071 checksum', () => {
    const m = encodeIcmpEchoRequest(4, 0x1234, 1, hex`61 62 63 64`);
    expect(m).toEqual(hex`
      08 00        // type 8 echo request, code 0
      21 04        // checksum: ~(0800 + 1234 + 0001 + 6162 + 6364) = ~defb
      12 34 00 01  // identifier 0x1234, sequence 1
      61 62 63 64  // "abcd"`);
    expect(internetChecksum(m)).toBe(0); // a correct checksum sums to zero
  });

  it('leaves the ICMPv6 checksum to the kernel', () => {
    expect(encodeIcmpEchoRequest(6, 7, 9, new Uint8Array(0))).toEqual(hex`80 00 00 00 00 07 00 09`);
  });

  it('decodes replies and refuses what is not an echo', () => {
    expect(decodeIcmpEcho(hex`00 00 ff ff 12 34 00 05 aa`, 0, 4)).toMatchObject({ ok: true, value: { type: 0, identifier: 0x1234, sequence: 5 } });
    expect(decodeIcmpEcho(hex`81 00 00 00 00 01 00 02`, 0, 6)).toMatchObject({ ok: true, value: { type: 129, sequence: 2 } });
    expect(decodeIcmpEcho(hex`0b 00 00 00 00 00 00 00`, 0, 4)).toMatchObject({ ok: false, error: { code: 'NOT_ECHO' } });
    expect(decodeIcmpEcho(hex`00 00 00`, 0, 4)).toEqual({ ok: false, error: { code: 'TRUNCATED', layer: 'icmp', offset: 0, need: 8, have: 3 } });
  });
});

describe('ICMP error kinds', () => {
  it.each([
    [4, 11, 0, 'time-exceeded'],
    [4, 3, 3, 'port-unreachable'],
    [4, 3, 1, 'host-unreachable'],
    [4, 3, 0, 'net-unreachable'],
    [4, 3, 13, 'admin-prohibited'],
    [4, 3, 10, 'admin-prohibited'],
    [4, 3, 4, 'frag-needed'],
    [4, 5, 0, 'other-icmp'],
    [6, 3, 0, 'time-exceeded'],
    [6, 1, 4, 'port-unreachable'],
    [6, 1, 1, 'admin-prohibited'],
    [6, 1, 3, 'host-unreachable'],
    [6, 1, 0, 'net-unreachable'],
    [6, 2, 0, 'frag-needed'],
  ] as const)('IPv%i type %i code %i → %s', (fam, type, code, kind) => {
    expect(classifyIcmpError(fam, type, code)).toBe(kind);
  });
});
