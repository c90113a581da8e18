import { describe, expect, it } from 'vitest';
import { parseTarget, requestUri } from '../../../src/lib/probe/target.js';

describe('parseTarget', () => {
  const cases: [string, Partial<ReturnType<typeof ok>>][] = [
    ['sip:pbx.example.com', { scheme: 'sip', host: 'pbx.example.com', hostFamily: 0, port: undefined, transport: undefined }],
    ['sip:echo@127.0.0.1:5070', { user: 'echo', host: '127.0.0.1', hostFamily: 4, port: 5070 }],
    ['sip:127.0.0.1;transport=TCP', { host: '127.0.0.1', transport: 'tcp' }],
    ['sips:pbx.example.com', { scheme: 'sips', transport: 'tls' }],
    ['sips:alice@[::1]:5061', { scheme: 'sips', user: 'alice', host: '::1', hostFamily: 6, port: 5061, transport: 'tls' }],
    ['127.0.0.1', { scheme: 'sip', host: '127.0.0.1', port: undefined }],
    ['127.0.0.1:5080', { host: '127.0.0.1', port: 5080 }],
    ['::1', { host: '::1', hostFamily: 6, port: undefined }],
    ['[::1]:5062', { host: '::1', port: 5062 }],
    ['sip:user:secret@host.example;transport=tls?subject=x', { user: 'user', host: 'host.example', transport: 'tls' }],
  ];
  function ok(text: string) {
    const r = parseTarget(text);
    if (!r.ok) throw new Error(r.message);
    return r.value;
  }
  for (const [text, want] of cases) {
    it(text, () => expect(ok(text)).toMatchObject(want));
  }

  for (const bad of ['', 'sip:', 'http://x', 'sip:h;transport=sctp', 'sips:h;transport=udp', 'sip:h:99999', 'sip:fe80::1', 'sip:[::1', 'sip:bad_host!']) {
    it(`rejects "${bad}"`, () => expect(parseTarget(bad).ok).toBe(false));
  }

  it('builds the Request-URI', () => {
    expect(requestUri(ok('sip:127.0.0.1:5060;transport=tcp'), 'ping')).toBe('sip:ping@127.0.0.1:5060;transport=tcp');
    expect(requestUri(ok('[::1]'))).toBe('sip:[::1]');
    expect(requestUri(ok('sips:h.example'))).toBe('sips:h.example');
  });
});
