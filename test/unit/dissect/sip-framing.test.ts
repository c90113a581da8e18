import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifySipStart, looksLikeSipStart, sipMessageLength, MAX_START_LINE } from '../../../src/lib/sip/framing.js';
import { ascii, concat } from './frames.js';

const yes = (s: string) => looksLikeSipStart(ascii(s), 0, s.length);

describe('looksLikeSipStart', () => {
  it.each([
    'INVITE sip:bob@example.com SIP/2.0\r\n',
    'REGISTER sip:10.0.0.1 SIP/2.0\r\nVia: x\r\n',
    'OPTIONS sips:ping@[2001:db8::1]:5061;transport=tls SIP/2.0\r\n',
    'NEWMETHOD tel:+15551234 SIP/2.0\r\n', // extension method: any token
    'invite sip:a@b SIP/2.0\r\n', // lower-case method is an (extension) token
    'INVITE sip:a@b sip/2.0\r\n', // SIP-Version is case-insensitive (RFC 3261 §7.1)
    'INVITE sip:a@b SIP/2.0\n', // bare LF (§7.5 leniency)
    'SIP/2.0 200 OK\r\n',
    'SIP/2.0 180 \r\n',
    'sip/2.0 486 Busy Here\r\n',
    'SIP/2.0 100\r\n', // reason phrase and its SP omitted by a sloppy peer
    'SIP/2.0 603 Decline',
  ])('accepts %j', (s) => {
    expect(yes(s)).toBe(true);
  });

  it.each([
    '',
    '\r\n\r\n', // keepalive
    'hello\0', // UDP keepalive seen in the wild
    'GET / HTTP/1.1\r\n',
    'HTTP/1.1 200 OK\r\n',
    'SIP/2.0 2000 OK\r\n',
    'SIP/2.0 099 Low\r\n',
    'SIP/2.0 700 High\r\n',
    'SIP/3.0 200 OK\r\n',
    'INVITE  sip:a@b SIP/2.0\r\n', // two spaces: empty Request-URI
    'INVITE sip:a@b SIP/2.0 \r\n', // junk after the version
    'INVITE sip:a@b SIP/2.0\rX',
    'INV(TE sip:a@b SIP/2.0\r\n', // "(" is not a token character
    'INVITE sip:a@b\r\n',
    '\x80\x08\x12\x34RTP',
    '\x16\x03\x01\x02\x00\x01', // TLS ClientHello
  ])('rejects %j', (s) => {
    expect(yes(s)).toBe(false);
  });

  it('tells "not yet" from "no" on a prefix', () => {
    const line = 'INVITE sip:bob@example.com SIP/2.0\r\n';
    for (let k = 0; k < line.length; k++) expect(classifySipStart(ascii(line.slice(0, k)), 0, k), `prefix ${k}`).toBe(0);
    expect(classifySipStart(ascii(line), 0, line.length)).toBe(1);
    const status = 'SIP/2.0 200 OK';
    for (let k = 0; k < 12; k++) expect(classifySipStart(ascii(status.slice(0, k)), 0, k)).toBe(0);
    expect(classifySipStart(ascii('GET / HT'), 0, 8)).toBe(-1);
  });

  it('honours off/end and bounds the scan', () => {
    const b = ascii('xxSIP/2.0 200 OK\r\nyy');
    expect(looksLikeSipStart(b, 2, b.length)).toBe(true);
    expect(looksLikeSipStart(b, 0, b.length)).toBe(false);
    expect(classifySipStart(b, 2, 8)).toBe(0);
    const long = ascii(`INVITE sip:${'a'.repeat(MAX_START_LINE)}`);
    expect(classifySipStart(long, 0, long.length)).toBe(-1);
    expect(classifySipStart(ascii(`${'A'.repeat(40)} sip:a SIP/2.0\r\n`), 0, 57)).toBe(-1);
  });

  it('never throws and stays within [off, end) on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), (bytes, cut) => {
        const end = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
        const v = classifySipStart(bytes, 0, end);
        expect([-1, 0, 1]).toContain(v);
        // Bytes past `end` must not matter.
        const copy = bytes.slice();
        copy.fill(0x20, end);
        expect(classifySipStart(copy, 0, end)).toBe(v);
      }),
      { numRuns: 3000 },
    );
  });
});

const msg = (headers: string, body = '') => ascii(`INVITE sip:b@example.com SIP/2.0\r\n${headers}\r\n${body}`);

describe('sipMessageLength', () => {
  it.each([
    ['Content-Length', 'Via: SIP/2.0/TCP h\r\nContent-Length: 5\r\n', 'hello'],
    ['compact l', 'l: 5\r\n', 'hello'],
    ['case-insensitive name', 'CONTENT-length:5\r\n', 'hello'],
    ['whitespace before the colon and around the value', 'Content-Length \t:   5  \r\n', 'hello'],
    ['folded value', 'Content-Length:\r\n   5\r\n', 'hello'],
    ['zero', 'Content-Length: 0\r\n', ''],
    ['no Content-Length: empty body', 'Via: x\r\n', ''],
  ])('%s', (_, headers, body) => {
    const m = msg(headers, body);
    expect(sipMessageLength(m, 0, m.length)).toBe(m.length);
  });

  it('bare LF line ends', () => {
    const m = ascii('SIP/2.0 200 OK\nContent-Length: 2\n\nhi');
    expect(sipMessageLength(m, 0, m.length)).toBe(m.length);
  });

  it('a header merely starting with "l" or "Content-Length" is not Content-Length', () => {
    const m = msg('Location: x\r\nContent-Length-X: 7\r\nl : 3\r\n', 'abc');
    expect(sipMessageLength(m, 0, m.length)).toBe(m.length);
  });

  it('Content-Length inside a folded continuation line is not a header', () => {
    const m = msg('Subject: a\r\n Content-Length: 99\r\n');
    expect(sipMessageLength(m, 0, m.length)).toBe(m.length);
  });

  it('returns 0 until the message is complete, for every prefix', () => {
    const m = msg('Call-ID: x\r\nContent-Length: 10\r\n', '0123456789');
    for (let k = 0; k < m.length; k++) expect(sipMessageLength(m, 0, k), `prefix ${k}`).toBe(0);
    expect(sipMessageLength(m, 0, m.length)).toBe(m.length);
  });

  it('frames the first of two coalesced messages, and the second from its offset', () => {
    const a = msg('Content-Length: 3\r\n', 'abc');
    const b = ascii('SIP/2.0 200 OK\r\nl: 0\r\n\r\n');
    const both = concat(a, b);
    expect(sipMessageLength(both, 0, both.length)).toBe(a.length);
    expect(sipMessageLength(both, a.length, both.length)).toBe(b.length);
  });

  it.each([
    ['non-numeric', 'Content-Length: abc\r\n'],
    ['empty value', 'Content-Length:\r\n'],
    ['digits split by a space', 'Content-Length: 1 2\r\n'],
    ['negative', 'Content-Length: -1\r\n'],
    ['ten digits', 'Content-Length: 1234567890\r\n'],
  ])('invalid Content-Length: %s → -1', (_, headers) => {
    const m = msg(headers);
    expect(sipMessageLength(m, 0, m.length)).toBe(-1);
  });

  it('an empty first line is not a message', () => {
    const m = ascii('\r\nINVITE sip:a SIP/2.0\r\n\r\n');
    expect(sipMessageLength(m, 0, m.length)).toBe(-1);
  });

  it('never throws on random bytes and never claims more than it has', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const n = sipMessageLength(bytes, 0, bytes.length);
        expect(n).toBeGreaterThanOrEqual(-1);
        expect(n).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 3000 },
    );
  });
});
