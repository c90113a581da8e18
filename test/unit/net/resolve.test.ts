import { describe, expect, it } from 'vitest';
import { resolveTarget, type DnsClient, type NaptrRecord, type SrvRecord } from '../../../src/lib/net/resolve.js';
import { parseTarget } from '../../../src/lib/probe/target.js';

function target(text: string) {
  const r = parseTarget(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

interface Zone {
  naptr?: Record<string, NaptrRecord[]>;
  srv?: Record<string, SrvRecord[]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
}

function fakeDns(zone: Zone): DnsClient & { queries: string[] } {
  const queries: string[] = [];
  const answer = <T>(map: Record<string, T[]> | undefined, name: string, type: string): Promise<T[]> => {
    queries.push(`${type} ${name}`);
    const r = map?.[name];
    if (r === undefined) return Promise.reject(Object.assign(new Error('nodata'), { code: 'ENODATA' }));
    return Promise.resolve(r);
  };
  return {
    queries,
    resolveNaptr: (n) => answer(zone.naptr, n, 'NAPTR'),
    resolveSrv: (n) => answer(zone.srv, n, 'SRV'),
    resolve4: (n) => answer(zone.a, n, 'A'),
    resolve6: (n) => answer(zone.aaaa, n, 'AAAA'),
  };
}

const naptr = (order: number, pref: number, service: string, replacement: string): NaptrRecord => ({
  flags: 's',
  service,
  regexp: '',
  replacement,
  order,
  preference: pref,
});

describe('RFC 3263 resolution', () => {
  it('an IP literal needs no DNS', async () => {
    const dns = fakeDns({});
    const r = await resolveTarget(target('sip:127.0.0.1'), dns);
    expect(r.addresses).toEqual([{ ip: '127.0.0.1', port: 5060, family: 4, transport: 'udp' }]);
    expect(dns.queries).toEqual([]);
    expect((await resolveTarget(target('sips:[::1]'), dns)).addresses[0]).toMatchObject({ ip: '::1', port: 5061, transport: 'tls' });
  });

  it('NAPTR → SRV → A/AAAA, ordered by order then preference', async () => {
    const dns = fakeDns({
      naptr: {
        'example.test': [naptr(20, 10, 'SIP+D2U', '_sip._udp.example.test'), naptr(10, 20, 'SIP+D2T', '_sip._tcp.example.test'), naptr(10, 10, 'SIPS+D2T', '_sips._tcp.example.test')],
      },
      srv: { '_sips._tcp.example.test': [{ name: 'b.example.test', port: 5071, priority: 10, weight: 5 }, { name: 'a.example.test', port: 5061, priority: 5, weight: 0 }] },
      a: { 'a.example.test': ['192.0.2.1'], 'b.example.test': ['192.0.2.2'] },
      aaaa: { 'a.example.test': ['2001:db8::1'] },
    });
    const r = await resolveTarget(target('sip:example.test'), dns);
    expect(r.transport).toBe('tls');
    expect(r.addresses.map((a) => `${a.ip}:${a.port}`)).toEqual(['192.0.2.1:5061', '2001:db8::1:5061', '192.0.2.2:5071']);
    expect(r.steps.map((s) => s.type)).toEqual(['NAPTR', 'SRV', 'A', 'AAAA', 'A', 'AAAA']);
  });

  it('no NAPTR: SRV in preference order, first that exists', async () => {
    const dns = fakeDns({ srv: { '_sip._udp.example.test': [{ name: 'sip.example.test', port: 5080, priority: 0, weight: 0 }] }, a: { 'sip.example.test': ['192.0.2.9'] } });
    const r = await resolveTarget(target('example.test'), dns);
    expect(r.transport).toBe('udp');
    expect(r.addresses).toEqual([{ ip: '192.0.2.9', port: 5080, family: 4, transport: 'udp' }]);
    expect(dns.queries.slice(0, 4)).toEqual(['NAPTR example.test', 'SRV _sips._tcp.example.test', 'SRV _sip._tcp.example.test', 'SRV _sip._udp.example.test']);
  });

  it('an explicit transport asks only its SRV; a port skips SRV', async () => {
    const dns = fakeDns({ a: { 'example.test': ['192.0.2.3'] } });
    const r = await resolveTarget(target('sip:example.test;transport=tcp'), dns);
    expect(r).toMatchObject({ transport: 'tcp', addresses: [{ ip: '192.0.2.3', port: 5060 }] });
    expect(dns.queries[0]).toBe('SRV _sip._tcp.example.test');
    const dns2 = fakeDns({ a: { 'example.test': ['192.0.2.3'] } });
    await resolveTarget(target('sip:example.test:5999'), dns2);
    expect(dns2.queries).toEqual(['A example.test', 'AAAA example.test']);
  });

  it('--no-srv goes straight to A/AAAA; family filter', async () => {
    const dns = fakeDns({ a: { 'example.test': ['192.0.2.3'] }, aaaa: { 'example.test': ['2001:db8::3'] } });
    const r = await resolveTarget(target('example.test'), dns, { noSrv: true, family: 6 });
    expect(r.addresses).toEqual([{ ip: '2001:db8::3', port: 5060, family: 6, transport: 'udp' }]);
    expect(dns.queries).toEqual(['AAAA example.test']);
  });

  it('localhost is loopback without DNS; nothing at all is an error', async () => {
    const dns = fakeDns({});
    const r = await resolveTarget(target('sip:localhost'), dns, { noSrv: true });
    expect(r.addresses.map((a) => a.ip)).toEqual(['127.0.0.1', '::1']);
    await expect(resolveTarget(target('sip:nothing.test'), dns)).rejects.toThrow(/no NAPTR, SRV, A or AAAA/);
  });

  it('a failing DNS server is an error, not an empty answer', async () => {
    const dns = fakeDns({});
    dns.resolveNaptr = () => Promise.reject(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }));
    await expect(resolveTarget(target('sip:example.test'), dns)).rejects.toThrow(/NAPTR query for example.test failed: ECONNREFUSED/);
  });
});
