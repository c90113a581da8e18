/**
 * Digest authentication. Vectors:
 * - RFC 7616 §3.9.1 (MD5 and SHA-256, qop=auth; HTTP, but the computation is the one SIP uses).
 *   Password "Circle of Life" (lower-case "of": RFC 7616 erratum 4495).
 * - RFC 2617 §3.5 (MD5, qop=auth), password "Circle Of Life".
 * - The qop-less RFC 2617 compatibility form: a REGISTER from the team's lab capture
 *   fixtures/lab/sip_failures_lo.pcap frame 14 (sipp, user bob, password "bobpw" from
 *   shared/lab/sipp/sipp-uac.sh), which kamailio accepted with 200 (frame 15).
 */
import { describe, expect, it } from 'vitest';
import {
  buildDigestAuthorization,
  digestResponse,
  formatNonceCount,
  parseAuthParams,
  parseDigestAuthorization,
  parseDigestChallenge,
  selectDigestChallenge,
  type DigestChallenge,
} from '../../../src/lib/sip/digest.js';

const RFC7616_NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
const RFC7616_OPAQUE = 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS';
const RFC7616_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

function challenge(value: string): DigestChallenge {
  const r = parseDigestChallenge(value);
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

describe('digest response vectors', () => {
  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ] as const)('RFC 7616 §3.9.1 %s', (algorithm, expected) => {
    const c = challenge(
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC7616_NONCE}", opaque="${RFC7616_OPAQUE}"`,
    );
    const header = buildDigestAuthorization(c, {
      username: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: RFC7616_CNONCE,
      nc: 1,
    });
    const parsed = parseDigestAuthorization(header);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      nonce: RFC7616_NONCE,
      uri: '/dir/index.html',
      response: expected,
      algorithm,
      cnonce: RFC7616_CNONCE,
      nc: '00000001',
      qop: 'auth',
      opaque: RFC7616_OPAQUE,
    });
  });

  it('RFC 2617 §3.5 (MD5, qop=auth)', () => {
    expect(
      digestResponse({
        algorithm: 'MD5',
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET',
        uri: '/dir/index.html',
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('no qop: RFC 2617 compatibility response, as sipp sent and kamailio accepted (lab capture)', () => {
    const c = challenge('Digest realm="voipdiag.lab", nonce="awK9aWsCvD2yqK8qvOGWKHiSJQi8mBEU"');
    expect(c.qop).toEqual([]);
    const header = buildDigestAuthorization(c, { username: 'bob', password: 'bobpw', method: 'REGISTER', uri: 'sip:127.0.0.1:5060' });
    expect(header).toBe(
      'Digest username="bob", realm="voipdiag.lab", nonce="awK9aWsCvD2yqK8qvOGWKHiSJQi8mBEU", uri="sip:127.0.0.1:5060", ' +
        'response="fbab4f8412d9b950626a61f1eee20673", algorithm=MD5',
    );
  });

  it('-sess variants and auth-int change the response as RFC 7616 §3.4.2/§3.4.3 define', () => {
    const base = {
      username: 'u',
      password: 'p',
      realm: 'r',
      nonce: 'n',
      method: 'INVITE',
      uri: 'sip:b@h',
      qop: 'auth' as const,
      nc: '00000001',
      cnonce: 'c',
    };
    const plain = digestResponse({ ...base, algorithm: 'SHA-256' });
    const sess = digestResponse({ ...base, algorithm: 'SHA-256-sess' });
    const authInt = digestResponse({ ...base, algorithm: 'SHA-256', qop: 'auth-int', body: 'v=0\r\n' });
    expect(new Set([plain, sess, authInt]).size).toBe(3);
    expect(plain).toMatch(/^[0-9a-f]{64}$/);
    expect(digestResponse({ ...base, algorithm: 'SHA-512-256' })).toMatch(/^[0-9a-f]{64}$/);
    expect(digestResponse({ ...base, algorithm: 'MD5-sess' })).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('challenges', () => {
  it('parses realm, nonce, opaque, algorithm, qop list, stale, domain; defaults to MD5', () => {
    const c = challenge(
      'Digest realm="atlanta.com", domain="sip:ss1.carrier.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=TRUE',
    );
    expect(c).toMatchObject({
      realm: 'atlanta.com',
      domain: 'sip:ss1.carrier.com',
      qop: ['auth', 'auth-int'],
      nonce: 'f84f1cec41e6cbe5aea9c8e88d359',
      opaque: '',
      stale: true,
      algorithm: 'MD5',
      userhash: false,
    });
    expect(challenge('digest realm=r,nonce=n,algorithm=sha-256-SESS').algorithm).toBe('SHA-256-sess');
  });

  it.each([
    ['Basic realm="x"', 'NOT_DIGEST'],
    ['Digest nonce="n"', 'MISSING_REALM'],
    ['Digest realm="r"', 'MISSING_NONCE'],
    ['Digest realm="r", nonce="n", algorithm=SHA-1', 'UNSUPPORTED_ALGORITHM'],
    ['Digest realm="r, nonce="n"', 'BAD_AUTH_PARAMS'],
    ['Digest realm', 'BAD_AUTH_PARAMS'],
    ['', 'BAD_AUTH_PARAMS'],
  ])('%j → %s', (v, code) => {
    const r = parseDigestChallenge(v);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('picks the strongest of several challenges (RFC 8760 §2.4)', () => {
    const chosen = selectDigestChallenge([
      'Digest realm="r", nonce="a", algorithm=MD5, qop="auth"',
      'Digest realm="r", nonce="b", algorithm=SHA-256, qop="auth"',
      'Digest realm="r", nonce="c", algorithm=SHA-1',
      'Basic realm="r"',
    ]);
    expect(chosen?.algorithm).toBe('SHA-256');
    expect(chosen?.nonce).toBe('b');
    expect(selectDigestChallenge(['Basic realm="r"'])).toBeUndefined();
  });

  it('auth-param lists tolerate LWS, escaped quotes and trailing commas', () => {
    expect(parseAuthParams('Digest  realm = "a \\"b\\"" ,nonce=x,')).toEqual({ scheme: 'Digest', params: { realm: 'a "b"', nonce: 'x' } });
  });
});

describe('Authorization header', () => {
  it('uses auth-int when it is the only qop offered, with cnonce, nc and opaque', () => {
    const c = challenge('Digest realm="r", nonce="n", qop="auth-int", opaque="o", algorithm=SHA-256');
    const h = buildDigestAuthorization(c, { username: 'alice', password: 'pw', method: 'INVITE', uri: 'sip:b@h', body: 'v=0', cnonce: 'cn', nc: 2 });
    expect(h).toContain('qop=auth-int');
    expect(h).toContain('nc=00000002');
    expect(h).toContain('cnonce="cn"');
    expect(h).toContain('opaque="o"');
    expect(h).toContain('algorithm=SHA-256');
  });

  it('makes a random cnonce when none is injected', () => {
    const c = challenge('Digest realm="r", nonce="n", qop="auth"');
    const a = buildDigestAuthorization(c, { username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:h' });
    const b = buildDigestAuthorization(c, { username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:h' });
    const cn = (h: string) => (parseDigestAuthorization(h) as { ok: true; value: { cnonce?: string } }).value.cnonce;
    expect(cn(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(cn(a)).not.toBe(cn(b));
  });

  it('sends H(username:realm) with userhash=true (RFC 7616 §3.4.4)', () => {
    const c = challenge('Digest realm="api@example.org", nonce="n", qop="auth", algorithm=SHA-256, userhash=true');
    const h = buildDigestAuthorization(c, { username: 'Jäsøn Doe', password: 'Secret, or not?', method: 'GET', uri: '/doe.json', cnonce: 'c' });
    expect(h).toContain('userhash=true');
    expect(h).not.toContain('Jäsøn');
  });

  it('escapes quotes in quoted values and never contains the password', () => {
    const c = challenge('Digest realm="r", nonce="n", qop="auth"');
    const password = 'S3cr3t-"pw"\\';
    const h = buildDigestAuthorization(c, { username: 'we"ird', password, method: 'OPTIONS', uri: 'sip:h', cnonce: 'c' });
    expect(h).toContain('username="we\\"ird"');
    expect(h).not.toContain('S3cr3t');
    const back = parseDigestAuthorization(h);
    expect(back.ok && back.value.username).toBe('we"ird');
  });

  it('formats nonce counts as 8 hex digits', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(255)).toBe('000000ff');
    expect(formatNonceCount(0xffffffff)).toBe('ffffffff');
  });
});
