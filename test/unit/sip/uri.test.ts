/**
 * SIP/SIPS/tel URIs (RFC 3261 §19.1, §25.1; RFC 3966), name-addr values (§20.10) and Via
 * values (§20.42). URI examples are those of RFC 3261 §19.1.3 unless noted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNameAddr } from '../../../src/lib/sip/name-addr.js';
import { formatSipUri, isUnbracketedIpv6, parseSipUri, unescapeUriPart, type SipUri } from '../../../src/lib/sip/uri.js';
import { parseVia } from '../../../src/lib/sip/via.js';

function uri(s: string): SipUri {
  const r = parseSipUri(s);
  if (!r.ok) throw new Error(`${s}: ${r.error.code} at ${r.error.offset}`);
  return r.value;
}

describe('parseSipUri', () => {
  it.each<[string, Partial<SipUri>]>([
    ['sip:alice@atlanta.com', { scheme: 'sip', user: 'alice', host: 'atlanta.com' }],
    ['sip:alice:secretword@atlanta.com;transport=tcp', { user: 'alice', password: 'secretword', params: { transport: 'tcp' } }],
    ['sips:alice@atlanta.com?subject=project%20x&priority=urgent', { scheme: 'sips', headers: { subject: 'project%20x', priority: 'urgent' } }],
    ['sip:+1-212-555-1212:1234@gateway.com;user=phone', { user: '+1-212-555-1212', password: '1234', params: { user: 'phone' } }],
    ['sips:1212@gateway.com', { scheme: 'sips', user: '1212', host: 'gateway.com' }],
    ['sip:alice@192.0.2.4', { host: '192.0.2.4' }],
    ['sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com', { host: 'atlanta.com', params: { method: 'REGISTER' }, headers: { to: 'alice%40atlanta.com' } }],
    ['sip:alice;day=tuesday@atlanta.com', { user: 'alice;day=tuesday', host: 'atlanta.com' }],
    ['SIP:Bob@Biloxi.COM:5070;Transport=TCP;lr', { scheme: 'sip', user: 'Bob', host: 'Biloxi.COM', port: 5070, params: { transport: 'TCP', lr: '' } }],
    ['sip:[2001:db8::10]:5070', { host: '2001:db8::10', port: 5070 }],
    ['sip:bob@[2001:db8:0:0:0:0:0:1];maddr=[2001:db8::2]', { user: 'bob', host: '2001:db8:0:0:0:0:0:1', params: { maddr: '[2001:db8::2]' } }],
    ['sip:[::ffff:192.0.2.1]', { host: '::ffff:192.0.2.1' }],
    ['sip:host_with_underscore.example', { host: 'host_with_underscore.example' }],
    ['tel:+1-201-555-0123;phone-context=example.com', { scheme: 'tel', user: '+1-201-555-0123', host: '', params: { 'phone-context': 'example.com' } }],
    ['urn:service:sos', { scheme: 'urn', host: '' }],
    ['http://www.example.com/alice/photo.jpg', { scheme: 'http', host: '' }],
  ])('%s', (s, expected) => {
    expect(uri(s)).toMatchObject({ raw: s, ...expected });
  });

  it.each([
    ['', 0],
    ['alice@atlanta.com', 0],
    ['<sip:alice@atlanta.com>', 0],
    ['sip:', 4],
    ['sip:@atlanta.com', 4],
    ['sip:alice@', 10],
    ['sip:alice@atl anta.com', 13],
    ['sip:alice@atlanta.com:', 22],
    ['sip:alice@atlanta.com:65536', 22],
    ['sip:alice@atlanta.com:50x', 24],
    ['sip:alice@[2001:db8::1', 10],
    ['sip:alice@atlanta.com;;x', 21],
    ['sip:alice@atlanta.com?noequals', 21],
    ['sip:a@b"c', 7],
    ['tel:', 4],
    ['tel:;x=1', 4],
  ])('rejects %j (offset %i)', (s, offset) => {
    const r = parseSipUri(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ code: 'BAD_URI', layer: 'sip', offset });
  });

  it('reads IPv6 written without brackets, as some user agents send it (fixture sip-ipv6-udp-basic-call)', () => {
    const a = uri('sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c:5060');
    expect(a).toMatchObject({ host: 'fec0:0:0:0:216:d3ff:fe0d:22c', port: 5060 });
    expect(isUnbracketedIpv6(a)).toBe(true);
    const b = uri('sip:9876@fe80:0:0:0:21a:a0ff:fe07:32e0');
    expect(b.host).toBe('fe80:0:0:0:21a:a0ff:fe07:32e0');
    expect(b.port).toBeUndefined();
    expect(uri('sip:a@fe80::1').host).toBe('fe80::1');
    expect(isUnbracketedIpv6(uri('sip:[fe80::1]'))).toBe(false);
  });

  it('formatSipUri brackets IPv6 and round-trips what it parsed', () => {
    for (const s of [
      'sip:alice@atlanta.com',
      'sips:alice:pw@atlanta.com:5061;transport=tcp;lr?subject=x&priority=urgent',
      'sip:[2001:db8::10]:5070;maddr=[2001:db8::2]',
      'tel:+1-201-555-0123;phone-context=example.com',
      'urn:service:sos',
    ]) {
      expect(formatSipUri(uri(s))).toBe(s);
    }
    expect(formatSipUri({ scheme: 'sip', host: '2001:db8::1', port: 5060 })).toBe('sip:[2001:db8::1]:5060');
  });

  it('unescapeUriPart resolves %HH as UTF-8 and leaves broken escapes', () => {
    expect(unescapeUriPart('I%20have%20spaces')).toBe('I have spaces');
    expect(unescapeUriPart('%D0%B0%D0%B1')).toBe('аб');
    expect(unescapeUriPart('100%')).toBe('100%');
    expect(unescapeUriPart('%zz%4')).toBe('%zz%4');
    expect(unescapeUriPart('plain')).toBe('plain');
    expect(unescapeUriPart('%41→')).toBe('A→');
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        parseSipUri(s);
        parseSipUri(`sip:${s}`);
        parseNameAddr(s);
        parseVia(`SIP/2.0/UDP ${s}`);
        unescapeUriPart(s);
        return true;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseNameAddr', () => {
  it.each([
    ['"Alice" <sip:alice@atlanta.com>;tag=1928301774', { displayName: 'Alice', tag: '1928301774' }],
    ['Bob <sip:bob@biloxi.com>', { displayName: 'Bob' }],
    ['<sip:carol@chicago.com>', {}],
    ['sip:carol@chicago.com;tag=887s', { tag: '887s' }],
    ['"A \\"quoted\\" name" <sip:a@b>', { displayName: 'A "quoted" name' }],
    ['"" <sip:a@b>', { displayName: '' }],
    ['<sip:a@b;transport=tcp>;expires=3600;q=0.7', { params: { expires: '3600', q: '0.7' } }],
    ['<sip:a@b>;+sip.instance="<urn:uuid:615f3a97-c4e0-485c-9af7-b388bc70e9bb>"', { params: { '+sip.instance': '<urn:uuid:615f3a97-c4e0-485c-9af7-b388bc70e9bb>' } }],
    ['"26841945"<sip:26841945@10.192.60.4>;tag=c085d8', { displayName: '26841945', tag: 'c085d8' }],
    ['<tel:+15551234567>', {}],
  ])('%s', (s, expected) => {
    const r = parseNameAddr(s, { strict: true });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject(expected);
  });

  it('addr-spec: parameters after the URI are header parameters, not URI parameters', () => {
    const r = parseNameAddr('sip:alice@atlanta.com;tag=88sja8x');
    expect(r.ok && r.value.uri.params).toEqual({});
    expect(r.ok && r.value.params).toEqual({ tag: '88sja8x' });
  });

  it.each([
    ['"Mr. J. User <sip:j.user@example.com>', false],
    ['<sip:a@b', false],
    ['<a@b>', false],
    ['', false],
    ['Watson, Thomas <sip:t.watson@example.org>', true],
    ['"Watson" < sip:t.watson@example.org >', true],
    ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', true],
    ['"Joe" <sip:joe@example.org>;;;;', true],
  ])('%j: lax gives a value: %s; strict rejects', (s, laxOk) => {
    expect(parseNameAddr(s).ok).toBe(laxOk);
    const strict = parseNameAddr(s, { strict: true });
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.error.code).toBe('BAD_NAME_ADDR');
  });
});

describe('parseVia', () => {
  it.each([
    ['SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds', { transport: 'UDP', host: 'pc33.atlanta.com', branch: 'z9hG4bK776asdhds' }],
    ['SIP/2.0/TCP client.biloxi.example.com:5060;branch=z9hG4bK74b43', { transport: 'TCP', port: 5060 }],
    ['SIP/2.0/UDP 192.0.2.1:5060;received=192.0.2.207;branch=z9hG4bK77asjd', { received: '192.0.2.207' }],
    ['SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKa', { rport: true }],
    ['SIP/2.0/UDP 192.0.2.1;rport=5061;branch=z9hG4bKa', { rport: 5061 }],
    ['SIP/2.0/ws df7jal23ls0d.invalid;branch=z9hG4bK56sdasks', { transport: 'WS', host: 'df7jal23ls0d.invalid' }],
    ['SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bKa', { host: '2001:db8::9', port: 5060 }],
    ['SIP/2.0/UDP [2001:db8::9];branch=z9hG4bKa', { host: '2001:db8::9' }],
    ['SIP / 2.0 / UDP first.example.com: 4000;ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1', { host: 'first.example.com', port: 4000, ttl: 16, maddr: '224.2.0.1' }],
    ['SIP/2.0/UDP h;branch=z9hG4bKa (a comment)', { branch: 'z9hG4bKa' }],
  ])('%s', (s, expected) => {
    const r = parseVia(s, { strict: true });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ protocolName: 'SIP', protocolVersion: '2.0', ...expected });
  });

  it('reads an unbracketed IPv6 sent-by (fixture sip-ipv6-udp-basic-call) as a defect', () => {
    const s = 'SIP/2.0/UDP fe80:0:0:0:21a:a0ff:fe07:32e0:5060;branch=z9hG4bKkdjuw8376';
    const r = parseVia(s);
    expect(r.ok && r.value).toMatchObject({ host: 'fe80:0:0:0:21a:a0ff:fe07:32e0', port: 5060, branch: 'z9hG4bKkdjuw8376' });
    expect(parseVia(s, { strict: true }).ok).toBe(false);
  });

  it.each([
    'SIP/2.0 host',
    'SIP/2.0/UDP',
    'SIP/2.0/UDPhost',
    'SIP/2.0/UDP host:port',
    'SIP/2.0/UDP host:70000',
    ';',
    '',
  ])('rejects %j', (s) => {
    const r = parseVia(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('BAD_VIA');
  });

  it.each(['SIP/2.0/UDP h;branch=z9hG4bK', 'SIP/2.0/UDP h;;', 'SIP/2.0/UDP h;rport=x', 'SIP/2.0/UDP h;ttl=300'])(
    '%j parses laxly, strict rejects',
    (s) => {
      expect(parseVia(s).ok).toBe(true);
      expect(parseVia(s, { strict: true }).ok).toBe(false);
    },
  );
});
