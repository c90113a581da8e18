/**
 * decodeSipMessage: start lines, header tokenising (compact forms, folding, multi-value), body
 * framing over UDP and streams, mandatory headers, the truncation law and never-throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../../helpers/hex.js';
import { decodeSipMessage, parseSipDate, type SipMessage } from '../../../src/lib/sip/message.js';
import { REAL_SIP_MESSAGES } from './real-messages.js';

const enc = new TextEncoder();

/** Build a message from LF-separated lines, sent with CRLF. */
function msg(text: string): Uint8Array {
  return enc.encode(text.replace(/\n/g, '\r\n'));
}

function decode(text: string, opts?: { stream?: boolean; strict?: boolean }): SipMessage {
  const b = msg(text);
  const r = decodeSipMessage(b, 0, b.length, opts);
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} ${r.error.header ?? ''}`);
  return r.value;
}

const OPTIONS = `OPTIONS sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport
Max-Forwards: 70
To: <sip:bob@example.com>
From: "Alice" <sip:alice@example.com>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.example.com
CSeq: 63104 OPTIONS
Content-Length: 0

`;

const INVITE_SDP = `INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9
Max-Forwards: 70
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Contact: <sip:alice@client.atlanta.example.com;transport=udp>
Content-Type: application/sdp
Content-Length: 151

v=0
o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com
s=-
c=IN IP4 192.0.2.101
t=0 0
m=audio 49172 RTP/AVP 0
a=rtpmap:0 PCMU/8000
`;

describe('start line', () => {
  it('decodes an annotated request byte for byte', () => {
    const b = hex`
      4f 50 54 49 4f 4e 53 20            // "OPTIONS "
      73 69 70 3a 62 40 68 20            // "sip:b@h "
      53 49 50 2f 32 2e 30 0d 0a         // "SIP/2.0" CRLF
      76 3a 20 53 49 50 2f 32 2e 30 2f 55 44 50 20 68 0d 0a   // "v: SIP/2.0/UDP h" (compact Via)
      69 3a 20 63 0d 0a                  // "i: c" (compact Call-ID)
      66 3a 20 3c 73 69 70 3a 61 40 68 3e 3b 74 61 67 3d 31 0d 0a  // "f: <sip:a@h>;tag=1"
      74 3a 20 73 69 70 3a 62 40 68 0d 0a                          // "t: sip:b@h"
      43 53 65 71 3a 20 31 20 4f 50 54 49 4f 4e 53 0d 0a           // "CSeq: 1 OPTIONS"
      6c 3a 20 30 0d 0a                  // "l: 0" (compact Content-Length)
      0d 0a                              // end of headers
    `;
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.end).toBe(b.length);
    const m = r.value;
    expect(m.kind).toBe('request');
    expect(m.method).toBe('OPTIONS');
    expect(m.requestUriText).toBe('sip:b@h');
    expect(m.version).toBe('SIP/2.0');
    expect(m.callId).toBe('c');
    expect(m.from?.tag).toBe('1');
    expect(m.to?.uri.user).toBe('b');
    expect(m.via[0]?.host).toBe('h');
    expect(m.contentLength).toBe(0);
    expect(m.headers.map((h) => h.name)).toEqual(['v', 'i', 'f', 't', 'CSeq', 'l']);
  });

  it.each([
    ['SIP/2.0 200 OK', 200, 'OK'],
    ['SIP/2.0 180 Ringing', 180, 'Ringing'],
    ['SIP/2.0 486 Busy Here', 486, 'Busy Here'],
    ['sip/2.0 603 Decline', 603, 'Decline'],
    ['SIP/2.0 699 ', 699, ''],
  ])('status line %j', (line, code, reason) => {
    const m = decode(`${line}\n${OPTIONS.split('\n').slice(1).join('\n')}`);
    expect(m.kind).toBe('response');
    expect(m.statusCode).toBe(code);
    expect(m.reason).toBe(reason);
    expect(m.method).toBeUndefined();
  });

  it.each([
    ['SIP/2.0 20 OK', 'BAD_STATUS_CODE'],
    ['SIP/2.0 2000 OK', 'BAD_STATUS_CODE'],
    ['SIP/2.0 099 Low', 'BAD_STATUS_CODE'],
    ['SIP/2.0 700 High', 'BAD_STATUS_CODE'],
    ['SIP/2.0 OK 200', 'BAD_STATUS_CODE'],
    ['SIP/3.0 200 OK', 'BAD_VERSION'],
    ['SIP/2.0', 'BAD_START_LINE'],
    ['SIP/x 200 OK', 'BAD_START_LINE'],
    ['HTTP/1.1 200 OK', 'BAD_START_LINE'],
    ['OPTIONS sip:bob@example.com', 'BAD_START_LINE'],
    ['OPTIONS sip:bob@example.com HTTP/1.1', 'BAD_START_LINE'],
    ['OPT IONS sip:bob@example.com SIP/2.0', 'BAD_REQUEST_URI'],
    ['OPTIONS bob@example.com SIP/2.0', 'BAD_REQUEST_URI'],
    ['OPTIONS sip:bob@example.com SIP/2.1', 'BAD_VERSION'],
    ['OPT"IONS sip:bob@example.com SIP/2.0', 'BAD_START_LINE'],
    ['GET / HTTP/1.1', 'BAD_START_LINE'],
  ])('rejects %j with %s', (line, code) => {
    const b = msg(`${line}\n${OPTIONS.split('\n').slice(1).join('\n')}`);
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('keeps extension methods', () => {
    const m = decode(OPTIONS.replace(/OPTIONS/g, 'PUBLISH'));
    expect(m.method).toBe('PUBLISH');
    expect(m.cseq).toEqual({ seq: 63104, method: 'PUBLISH' });
  });
});

describe('headers', () => {
  it('maps every compact form to its full name', () => {
    const m = decode(`MESSAGE sip:b@h SIP/2.0
v: SIP/2.0/UDP h;branch=z9hG4bKa
i: cid
f: <sip:a@h>;tag=1
t: <sip:b@h>
CSeq: 1 MESSAGE
m: <sip:a@h>
c: text/plain
e: gzip
k: 100rel
s: hello
o: presence
r: <sip:c@h>
b: <sip:d@h>
u: talk
x: 1800;refresher=uas
a: *;audio
j: *;video
d: proxy
y: abc
n: <https://h/cert>
l: 2

hi`);
    const expected: Record<string, string> = {
      'call-id': 'cid',
      contact: '<sip:a@h>',
      'content-type': 'text/plain',
      'content-encoding': 'gzip',
      supported: '100rel',
      subject: 'hello',
      event: 'presence',
      'refer-to': '<sip:c@h>',
      'referred-by': '<sip:d@h>',
      'allow-events': 'talk',
      'session-expires': '1800;refresher=uas',
      'accept-contact': '*;audio',
      'reject-contact': '*;video',
      'request-disposition': 'proxy',
      identity: 'abc',
      'identity-info': '<https://h/cert>',
      'content-length': '2',
    };
    for (const [name, value] of Object.entries(expected)) expect(m.get(name), name).toBe(value);
    expect(m.get('Call-ID')).toBe('cid');
    expect(m.get('CALL-ID')).toBe('cid');
    expect(m.get('i')).toBe('cid');
    expect(m.has('I')).toBe(true);
    expect(m.sessionExpires).toEqual({ deltaSec: 1800, refresher: 'uas', params: { refresher: 'uas' } });
    expect(m.supported).toEqual(['100rel']);
    expect(m.bodyText).toBe('hi');
  });

  it('unfolds continuation lines (CRLF + WSP → one SP), tabs included', () => {
    const m = decode(`${OPTIONS.replace('Max-Forwards: 70', 'Subject: I know you\'re there,\n        pick up the phone\n\tand talk to me!')}`);
    expect(m.get('subject')).toBe("I know you're there, pick up the phone and talk to me!");
  });

  it('splits list headers at top-level commas only, across lines, never Authorization/Date/unknown', () => {
    const m = decode(OPTIONS.replace(
      'Content-Length: 0',
      [
        'Contact: "Doe, John" <sip:john@h;x=1,2>;q=0.5, <sip:j2@h>',
        'Contact: sip:j3@h',
        'Allow: INVITE, ACK ,BYE',
        'Allow: OPTIONS',
        'Supported: timer, 100rel',
        'Require: 100rel',
        'Authorization: Digest username="a", realm="r", nonce="n", uri="sip:h", response="x"',
        'Date: Sat, 13 Nov 2010 23:29:00 GMT',
        'X-Custom: a, b',
        'Route: <sip:p1@h;lr>, <sip:p2@h;lr>',
        'Record-Route: <sip:p3@h;lr>',
        'Content-Length: 0',
      ].join('\n'),
    ));
    expect(m.getAll('contact')).toEqual(['"Doe, John" <sip:john@h;x=1,2>;q=0.5', '<sip:j2@h>', 'sip:j3@h']);
    expect(m.contact.map((c) => [c.displayName, c.uri.user, c.params.q])).toEqual([
      ['Doe, John', 'john', '0.5'],
      [undefined, 'j2', undefined],
      [undefined, 'j3', undefined],
    ]);
    expect(m.allow).toEqual(['INVITE', 'ACK', 'BYE', 'OPTIONS']);
    expect(m.supported).toEqual(['timer', '100rel']);
    expect(m.require).toEqual(['100rel']);
    expect(m.getAll('authorization')).toHaveLength(1);
    expect(m.getAll('date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(m.date?.toISOString()).toBe('2010-11-13T23:29:00.000Z');
    expect(m.getAll('x-custom')).toEqual(['a, b']);
    expect(m.route.map((r) => r.uri.user)).toEqual(['p1', 'p2']);
    expect(m.recordRoute.map((r) => r.uri.params.lr)).toEqual(['']);
    expect(m.getAll('absent')).toEqual([]);
    expect(m.get('absent')).toBeUndefined();
  });

  it('keeps headers in order with names as written', () => {
    const m = decode(OPTIONS);
    expect(m.headers[0]).toEqual({ name: 'Via', value: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport' });
    expect(m.headers.map((h) => h.name)).toEqual(['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Content-Length']);
  });

  it('typed accessors: Via fields, rport/received, Contact *, Expires, RSeq/RAck, Max-Forwards', () => {
    const m = decode(`REGISTER sip:registrar.example.com SIP/2.0
Via: SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKnashds7;rport=40123;received=198.51.100.7;maddr=224.2.0.1;ttl=16
From: <sip:bob@example.com>;tag=456248
To: <sip:bob@example.com>
Call-ID: 843817637684230@998sdasdh09
CSeq: 1826 REGISTER
Contact: *
Expires: 0
RSeq: 988789
RAck: 776656 1 INVITE
Max-Forwards: 69
User-Agent: Yealink SIP-T46S 66.85.0.5
Content-Length: 0

`);
    const v = m.via[0];
    expect(v).toMatchObject({
      protocolName: 'SIP',
      protocolVersion: '2.0',
      transport: 'TLS',
      host: '2001:db8::9',
      port: 5061,
      branch: 'z9hG4bKnashds7',
      rport: 40123,
      received: '198.51.100.7',
      maddr: '224.2.0.1',
      ttl: 16,
    });
    expect(m.contact).toHaveLength(1);
    expect(m.contact[0]?.star).toBe(true);
    expect(m.expires).toBe(0);
    expect(m.rseq).toBe(988789);
    expect(m.rack).toEqual({ rseq: 776656, cseq: 1, method: 'INVITE' });
    expect(m.maxForwards).toBe(69);
    expect(m.userAgent).toBe('Yealink SIP-T46S 66.85.0.5');
    expect(m.server).toBeUndefined();
    expect(m.validate()).toEqual([]);
  });

  it('records out-of-range scalars as defects, once', () => {
    const m = decode(OPTIONS.replace('Max-Forwards: 70', 'Max-Forwards: 256\nExpires: soon'));
    expect(m.maxForwards).toBeUndefined();
    expect(m.maxForwards).toBeUndefined();
    expect(m.expires).toBeUndefined();
    expect(m.defects).toEqual([
      { code: 'BAD_HEADER_VALUE', header: 'max-forwards' },
      { code: 'BAD_HEADER_VALUE', header: 'expires' },
    ]);
  });

  it.each([
    ['no colon', 'Bogus header line'],
    ['space in name', 'Bad Name: x'],
    ['empty name', ': x'],
    ['fold before any header', null],
  ])('rejects a header line with %s', (_what, line) => {
    const text = line === null ? OPTIONS.replace('\nVia:', '\n folded\nVia:') : OPTIONS.replace('Max-Forwards: 70', line);
    const b = msg(text);
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('BAD_HEADER_LINE');
  });

  it.each([
    ['Call-ID', 'Call-ID: a84b4c76e66710@pc33.example.com\n'],
    ['CSeq', 'CSeq: 63104 OPTIONS\n'],
    ['From', 'From: "Alice" <sip:alice@example.com>;tag=1928301774\n'],
    ['To', 'To: <sip:bob@example.com>\n'],
    ['Via', 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport\n'],
  ])('reports a missing %s', (header, line) => {
    const r = decodeSipMessage(msg(OPTIONS.replace(line, '')));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('MISSING_MANDATORY');
    expect((r.error as { header?: string }).header).toBe(header);
  });

  it.each([
    ['CSeq: OPTIONS', 'BAD_CSEQ'],
    ['CSeq: 1', 'BAD_CSEQ'],
    ['CSeq: 4294967296 OPTIONS', 'BAD_CSEQ'],
    ['CSeq: -1 OPTIONS', 'BAD_CSEQ'],
    ['CSeq: 1 INVITE', 'CSEQ_METHOD_MISMATCH'],
    ['CSeq: 1 options', 'CSEQ_METHOD_MISMATCH'],
  ])('%s → %s', (line, code) => {
    const r = decodeSipMessage(msg(OPTIONS.replace('CSeq: 63104 OPTIONS', line)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('accepts the largest CSeq and responses to any method', () => {
    expect(decode(OPTIONS.replace('CSeq: 63104', 'CSeq: 4294967295')).cseq?.seq).toBe(4294967295);
    const resp = decode(`SIP/2.0 200 OK\n${OPTIONS.split('\n').slice(1).join('\n').replace('63104 OPTIONS', '7 NOTIFY')}`);
    expect(resp.cseq).toEqual({ seq: 7, method: 'NOTIFY' });
  });
});

describe('body framing', () => {
  it('reads exactly Content-Length bytes', () => {
    const m = decode(INVITE_SDP);
    expect(m.body.length).toBe(151);
    expect(m.bodyText).toContain('m=audio 49172 RTP/AVP 0');
  });

  it('UDP without Content-Length: the body is the rest of the datagram', () => {
    const m = decode(`${OPTIONS.replace('Content-Length: 0\n', '')}hello`);
    expect(m.contentLength).toBeUndefined();
    expect(m.bodyText).toBe('hello');
  });

  it('stream without Content-Length: empty body, the rest is the next message', () => {
    const b = msg(`${OPTIONS.replace('Content-Length: 0\n', '')}hello`);
    const r = decodeSipMessage(b, 0, b.length, { stream: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.body.length).toBe(0);
    expect(r.end).toBe(b.length - 5);
  });

  it('a shorter Content-Length cuts the body; the rest is counted over UDP', () => {
    const b = msg(OPTIONS.replace('Content-Length: 0', 'Content-Length: 3') + 'abcdef');
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.bodyText).toBe('abc');
    expect(r.value.trailingBytes).toBe(3);
    expect(r.end).toBe(b.length - 3);
  });

  it('a longer Content-Length is BODY_TRUNCATED with need/have', () => {
    const b = msg(OPTIONS.replace('Content-Length: 0', 'Content-Length: 10') + 'abc');
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'BODY_TRUNCATED', need: b.length + 7, have: b.length });
  });

  it.each([['-1'], ['five'], ['1 2'], ['0x10'], ['99999999999']])('Content-Length: %s is BAD_CONTENT_LENGTH', (v) => {
    const r = decodeSipMessage(msg(OPTIONS.replace('Content-Length: 0', `Content-Length: ${v}`)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('BAD_CONTENT_LENGTH');
  });

  it('two Content-Length values that disagree are BAD_CONTENT_LENGTH; equal ones are fine', () => {
    const bad = decodeSipMessage(msg(OPTIONS.replace('Content-Length: 0', 'Content-Length: 0\nl: 1')));
    expect(!bad.ok && bad.error.code).toBe('BAD_CONTENT_LENGTH');
    expect(decode(OPTIONS.replace('Content-Length: 0', 'Content-Length: 0\nContent-Length: 0')).contentLength).toBe(0);
  });

  it('decodes several messages back to back in a stream buffer, at an offset', () => {
    const one = msg(INVITE_SDP);
    const two = msg(OPTIONS);
    const buf = new Uint8Array(4 + one.length + 2 + two.length);
    buf.set(one, 4);
    buf.set(enc.encode('\r\n'), 4 + one.length); // a CRLF keep-alive between messages
    buf.set(two, 4 + one.length + 2);
    const a = decodeSipMessage(buf, 4, buf.length, { stream: true });
    expect(a.ok && a.value.method).toBe('INVITE');
    if (!a.ok) return;
    expect(a.end).toBe(4 + one.length);
    const b = decodeSipMessage(buf, a.end, buf.length, { stream: true });
    expect(b.ok && b.value.method).toBe('OPTIONS');
    expect(b.ok && b.end).toBe(buf.length);
  });

  it('accepts bare-LF line ends', () => {
    const text = INVITE_SDP.replace('Content-Length: 151', 'Content-Length: 144');
    const r = decodeSipMessage(enc.encode(text));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.callId).toBe('3848276298220188511@atlanta.example.com');
    expect(r.value.bodyText).toBe(text.slice(text.indexOf('\n\n') + 2));
    expect(r.value.body.length).toBe(144);
  });

  it('keeps no reference to the input buffer', () => {
    const b = msg(INVITE_SDP);
    const r = decodeSipMessage(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.value;
    b.fill(0x41);
    expect(m.callId).toBe('3848276298220188511@atlanta.example.com');
    expect(m.from?.tag).toBe('9fxced76sl');
    expect(m.bodyText.startsWith('v=0')).toBe(true);
    expect(m.body.buffer).not.toBe(b.buffer);
  });

  it('CRLF keep-alives and empty input are EMPTY', () => {
    for (const s of ['', '\r\n', '\r\n\r\n', '\n']) {
      const r = decodeSipMessage(enc.encode(s));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('EMPTY');
    }
  });
});

describe('codec laws', () => {
  const samples = [OPTIONS, INVITE_SDP].map(msg).concat(REAL_SIP_MESSAGES.slice(0, 12).map((m) => m.bytes));

  it('every proper prefix is NO_HEADER_END or BODY_TRUNCATED (with exact need/have), never a throw', () => {
    for (const [full, stream] of samples.flatMap((s) => [[s, true], [s, false]] as const)) {
      const whole = decodeSipMessage(full, 0, full.length, { stream });
      expect(whole.ok).toBe(true);
      if (!whole.ok) continue;
      const needed = whole.end;
      const hasBody = whole.value.body.length > 0;
      for (let n = 1; n < needed; n++) {
        const r = decodeSipMessage(full, 0, n, { stream });
        expect(r.ok, `prefix ${n}`).toBe(false);
        if (r.ok) continue;
        expect(['NO_HEADER_END', 'BODY_TRUNCATED'], `prefix ${n}`).toContain(r.error.code);
        expect(r.error.have).toBe(n);
        if (r.error.code === 'BODY_TRUNCATED') {
          expect(hasBody).toBe(true);
          expect(r.error.need).toBe(needed);
        }
      }
    }
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, stream) => {
        const r = decodeSipMessage(bytes, 0, bytes.length, { stream });
        if (r.ok) r.value.validate();
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on mutated real messages, and typed accessors never throw either', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.boolean(),
        (base, edits, strict) => {
          const b = base.slice();
          for (const [at, v] of edits) b[at % b.length] = v;
          const r = decodeSipMessage(b, 0, b.length, { strict });
          if (r.ok) {
            const m = r.value;
            m.validate();
            void [m.headers, m.bodyText, m.rack, m.sessionExpires, m.allow, m.require, m.supported];
          }
          return true;
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on random text made of SIP-ish characters', () => {
    const chars = fc.constantFrom(...'SIP/2.0 INVITE sip:@;<>",=\r\n\t:Via:CSeq 1\\%?[]'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 400 }), (cs) => {
        const b = enc.encode(`INVITE sip:a@b SIP/2.0\r\n${cs.join('')}`);
        const r = decodeSipMessage(b);
        if (r.ok) r.value.validate();
        return true;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseSipDate', () => {
  it.each([
    ['Sat, 13 Nov 2010 23:29:00 GMT', '2010-11-13T23:29:00.000Z'],
    ['Thu, 21 Feb 2002 13:02:03 GMT', '2002-02-21T13:02:03.000Z'],
    ['Fri, 01 Jan 2010 16:00:00 EST', undefined],
    ['Fri, 1 Jan 2010 16:00:00 GMT', undefined],
    ['Fri 01 Jan 2010 16:00:00 GMT', undefined],
    ['yesterday', undefined],
  ])('%j', (s, iso) => {
    expect(parseSipDate(s)?.toISOString()).toBe(iso);
  });
});
