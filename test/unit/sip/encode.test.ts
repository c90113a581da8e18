/** The probes' SIP encoder: exact bytes, Content-Length always right, round trip through the decoder. */
import { describe, expect, it } from 'vitest';
import { encodeSipRequest, encodeSipResponse, newBranch, newCallId, newTag } from '../../../src/lib/sip/encode.js';
import { decodeSipMessage } from '../../../src/lib/sip/message.js';

const dec = new TextDecoder();

const HEADERS: [string, string][] = [
  ['Via', 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc;rport'],
  ['Max-Forwards', '70'],
  ['From', '<sip:voipdiag@192.0.2.10>;tag=1234'],
  ['To', '<sip:pbx.example.com>'],
  ['Call-ID', 'c1@192.0.2.10'],
  ['CSeq', '1 OPTIONS'],
  ['User-Agent', 'voipdiag/0.1.0'],
];

describe('encodeSipRequest', () => {
  it('writes the start line, headers in order, Content-Length last', () => {
    const b = encodeSipRequest({ method: 'OPTIONS', requestUri: 'sip:pbx.example.com', headers: HEADERS });
    expect(dec.decode(b)).toBe(
      'OPTIONS sip:pbx.example.com SIP/2.0\r\n' +
        'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc;rport\r\n' +
        'Max-Forwards: 70\r\n' +
        'From: <sip:voipdiag@192.0.2.10>;tag=1234\r\n' +
        'To: <sip:pbx.example.com>\r\n' +
        'Call-ID: c1@192.0.2.10\r\n' +
        'CSeq: 1 OPTIONS\r\n' +
        'User-Agent: voipdiag/0.1.0\r\n' +
        'Content-Length: 0\r\n' +
        '\r\n',
    );
  });

  it('counts body bytes (UTF-8), replaces any given Content-Length, and round-trips', () => {
    const body = 'v=0\r\ns=é\r\n';
    const b = encodeSipRequest({
      method: 'INVITE',
      requestUri: 'sip:bob@[2001:db8::1]:5060',
      headers: [...HEADERS.map(([n, v]) => [n, n === 'CSeq' ? '1 INVITE' : v] as [string, string]), ['l', '999'], ['Content-Type', 'application/sdp']],
      body,
    });
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.end).toBe(b.length);
    expect(r.value.contentLength).toBe(11); // é is 2 bytes
    expect(r.value.bodyText).toBe(body);
    expect(r.value.getAll('content-length')).toEqual(['11']);
    expect(r.value.requestUri).toMatchObject({ user: 'bob', host: '2001:db8::1', port: 5060 });
    expect(r.value.validate()).toEqual([]);
  });

  it('takes a binary body as is', () => {
    const body = new Uint8Array([0, 1, 2, 255]);
    const b = encodeSipRequest({ method: 'MESSAGE', requestUri: 'sip:a@b', headers: HEADERS.map(([n, v]) => [n, n === 'CSeq' ? '1 MESSAGE' : v]), body });
    const r = decodeSipMessage(b);
    expect(r.ok && Array.from(r.value.body)).toEqual([0, 1, 2, 255]);
  });

  it('refuses CR/LF in the start line or a header (header injection is a caller bug)', () => {
    expect(() => encodeSipRequest({ method: 'OPTIONS', requestUri: 'sip:a@b', headers: [['Subject', 'x\r\nVia: evil']] })).toThrow(TypeError);
    expect(() => encodeSipRequest({ method: 'OPTIONS\r\n', requestUri: 'sip:a@b', headers: [] })).toThrow(TypeError);
  });
});

describe('encodeSipResponse', () => {
  it('writes the status line and round-trips', () => {
    const b = encodeSipResponse({ statusCode: 200, reason: 'OK', headers: HEADERS });
    expect(dec.decode(b).startsWith('SIP/2.0 200 OK\r\nVia: ')).toBe(true);
    const r = decodeSipMessage(b);
    expect(r.ok && [r.value.statusCode, r.value.reason]).toEqual([200, 'OK']);
  });

  it('refuses status codes outside 100–699', () => {
    expect(() => encodeSipResponse({ statusCode: 99, reason: 'x', headers: [] })).toThrow(TypeError);
    expect(() => encodeSipResponse({ statusCode: 700, reason: 'x', headers: [] })).toThrow(TypeError);
  });
});

describe('identifiers', () => {
  it('branch carries the RFC 3261 magic cookie and is unique', () => {
    const a = newBranch();
    expect(a).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
    expect(newBranch()).not.toBe(a);
  });

  it('tags and Call-IDs are random words', () => {
    expect(newTag()).toMatch(/^[0-9a-f]{16}$/);
    expect(newTag()).not.toBe(newTag());
    expect(newCallId('192.0.2.10')).toMatch(/^[0-9a-f]{32}@192\.0\.2\.10$/);
  });
});
