/**
 * RFC 3263 resolution through node:dns's real Resolver against the loopback DNS responder of
 * test/harness-probe (no lab needed: one UDP socket on 127.0.0.1, closed at the end).
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../../src/lib/net/resolve.js';
import { parseTarget } from '../../../src/lib/probe/target.js';
import { startDnsServer, type DnsServer } from '../../harness-probe/dns-server.js';

function target(text: string) {
  const r = parseTarget(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('resolution with a real resolver on loopback', () => {
  let dns: DnsServer;
  let resolver: Resolver;
  beforeAll(async () => {
    dns = await startDnsServer(
      {
        'sbc.test': [
          { type: 'NAPTR', order: 50, preference: 50, flags: 's', service: 'SIPS+D2T', regexp: '', replacement: '_sips._tcp.sbc.test' },
          { type: 'NAPTR', order: 90, preference: 50, flags: 's', service: 'SIP+D2U', regexp: '', replacement: '_sip._udp.sbc.test' },
        ],
        '_sips._tcp.sbc.test': [
          { type: 'SRV', priority: 20, weight: 0, port: 5071, target: 'b.sbc.test' },
          { type: 'SRV', priority: 10, weight: 10, port: 5061, target: 'a.sbc.test' },
        ],
        'a.sbc.test': [{ type: 'A', value: '192.0.2.1' }, { type: 'AAAA', value: '2001:db8::1' }],
        'b.sbc.test': [{ type: 'A', value: '192.0.2.2' }],
        'plain.test': [{ type: 'A', value: '192.0.2.3' }],
      },
      { maxSeconds: 30 },
    );
    resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.port}`]);
  });
  afterAll(async () => {
    await dns?.close();
  });

  it('NAPTR (order) → SRV (priority) → A and AAAA', async () => {
    const r = await resolveTarget(target('sip:sbc.test'), resolver);
    expect(r.transport).toBe('tls');
    expect(r.addresses.map((a) => `${a.transport} ${a.ip} ${a.port}`)).toEqual(['tls 192.0.2.1 5061', 'tls 2001:db8::1 5061', 'tls 192.0.2.2 5071']);
    expect(dns.queries.slice(0, 3)).toEqual(['NAPTR sbc.test', 'SRV _sips._tcp.sbc.test', 'A a.sbc.test']);
  });

  it('no NAPTR and no SRV: A of the host, UDP 5060; unknown names fail clearly', async () => {
    const r = await resolveTarget(target('plain.test'), resolver);
    expect(r).toMatchObject({ transport: 'udp', addresses: [{ ip: '192.0.2.3', port: 5060 }] });
    await expect(resolveTarget(target('nowhere.test'), resolver)).rejects.toThrow(/no NAPTR, SRV, A or AAAA/);
  });
});
