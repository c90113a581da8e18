/**
 * The exporter's label maps (src/lib/exporter/labels.ts): IP and CIDR parsing, prefix
 * matching, carrier and User-Agent classification (first match wins, "other" otherwise), the
 * YAML loaders and their errors, and the example files shipped in contrib/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CarrierMap,
  OTHER,
  UaTypeMap,
  inPrefix,
  loadCarrierMap,
  loadUaTypeMap,
  parseCidr,
  parseIp,
} from '../../../src/lib/exporter/labels.js';
import { VoipdiagError, ExitCode } from '../../../src/lib/errors.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'voipdiag-exporter-labels-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** The VoipdiagError `fn` throws (fails the test if it throws something else or nothing). */
function thrown(fn: () => unknown): VoipdiagError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VoipdiagError);
    return e as VoipdiagError;
  }
  throw new Error('expected a throw');
}

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', '00000000'],
    ['127.0.0.1', '7f000001'],
    ['192.0.2.255', 'c00002ff'],
    ['255.255.255.255', 'ffffffff'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:DB8:0:0:8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['fe80::', 'fe800000000000000000000000000000'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['64:ff9b::203.0.113.7', '0064ff9b0000000000000000cb007107'],
  ])('%s', (text, want) => {
    expect(hex(parseIp(text))).toBe(want);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.-4', '01.2.3.x', 'a.b.c.d', ':::1', '1::2::3', '2001:db8:0:0:0:0:0:0:1', '12345::', 'g::1', 'example.com'])(
    'rejects %j',
    (text) => {
      expect(parseIp(text)).toBeNull();
    },
  );
});

describe('parseCidr and inPrefix', () => {
  it('parses prefixes, a bare address as a host route, and rejects bad lengths', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ v6: false, bits: 8 });
    expect(parseCidr('10.1.2.3')).toMatchObject({ v6: false, bits: 32 });
    expect(parseCidr(' 2001:db8::/32 ')).toMatchObject({ v6: true, bits: 32 });
    expect(parseCidr('::1')).toMatchObject({ v6: true, bits: 128 });
    for (const bad of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/8.5', '10.0.0.0/x', '2001:db8::/129', 'nope/8', '/8']) expect(parseCidr(bad), bad).toBeNull();
  });

  const within = (ip: string, cidr: string) => inPrefix(parseIp(ip)!, parseCidr(cidr)!);
  it.each([
    ['10.255.255.255', '10.0.0.0/8', true],
    ['11.0.0.0', '10.0.0.0/8', false],
    ['192.0.2.127', '192.0.2.0/25', true],
    ['192.0.2.128', '192.0.2.0/25', false],
    ['192.0.2.128', '192.0.2.128/25', true],
    ['203.0.113.31', '203.0.113.16/28', true],
    ['203.0.113.32', '203.0.113.16/28', false],
    // a prefix length that is not a multiple of 8: /7 holds 10.x and 11.x only
    ['11.1.1.1', '10.0.0.0/7', true],
    ['12.0.0.0', '10.0.0.0/7', false],
    ['8.8.8.8', '0.0.0.0/0', true],
    ['127.0.0.1', '127.0.0.1/32', true],
    ['127.0.0.2', '127.0.0.1/32', false],
    ['2001:db8:a:ffff::1', '2001:db8:a::/48', true],
    ['2001:db8:b::1', '2001:db8:a::/48', false],
    ['2001:db8:c:5060:1::', '2001:db8:c:5060::/64', true],
    // families never match each other, even ::ffff:a.b.c.d against a v4 prefix
    ['::ffff:10.0.0.1', '10.0.0.0/8', false],
    ['10.0.0.1', '::/0', false],
  ] as const)('%s in %s: %s', (ip, cidr, want) => {
    expect(within(ip, cidr)).toBe(want);
  });
});

describe('CarrierMap', () => {
  const map = new CarrierMap({
    'carrier-a': ['192.0.2.0/25', '2001:db8:a::/48'],
    'carrier-b': ['192.0.2.0/24'],
    pbx: ['10.0.0.10'],
  });

  it('labels by the first carrier, in order, whose prefix holds the address', () => {
    expect(map.names).toEqual(['carrier-a', 'carrier-b', 'pbx']);
    expect(map.match('192.0.2.5')).toBe('carrier-a'); // in both: the first wins
    expect(map.match('192.0.2.200')).toBe('carrier-b');
    expect(map.match('2001:db8:a::5')).toBe('carrier-a');
    expect(map.match('10.0.0.10')).toBe('pbx');
    expect(map.match('10.0.0.11')).toBe(OTHER);
  });

  it('labels anything it cannot parse "other", and answers the same from its cache', () => {
    expect(map.match('')).toBe(OTHER);
    expect(map.match('not-an-ip')).toBe(OTHER);
    for (let i = 0; i < 3; i++) expect(map.match('192.0.2.5')).toBe('carrier-a');
  });

  it('stays correct past its cache bound (every address of a /16)', () => {
    const m = new CarrierMap({ a: ['10.1.0.0/17'] });
    let a = 0;
    for (let i = 0; i < 70_000; i++) {
      const ip = `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
      if (m.match(ip) === 'a') a++;
    }
    expect(a).toBe(32_768);
  });

  it('refuses a prefix it cannot parse, naming the carrier (a usage error)', () => {
    const e = thrown(() => new CarrierMap({ good: ['10.0.0.0/8'], bad: ['10.0.0.0/40'] }));
    expect(e.code).toBe('BAD_CARRIERS');
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toContain('bad');
  });

  it('with no map, everything is "other"', () => {
    expect(new CarrierMap({}).match('192.0.2.1')).toBe(OTHER);
  });
});

describe('UaTypeMap', () => {
  const map = new UaTypeMap({ yealink: '^Yealink', polycom: 'Poly(com)?', any: '.' });

  it('first matching pattern wins, case-insensitively; no header → "other"', () => {
    expect(map.labels).toEqual(['yealink', 'polycom', 'any']);
    expect(map.match('Yealink SIP-T46S 66.85.0.5')).toBe('yealink');
    expect(map.match('yealink W60B')).toBe('yealink');
    expect(map.match('PolycomVVX-VVX_450-UA/6.4.3')).toBe('polycom');
    expect(map.match('Something Yealink-ish')).toBe('any'); // anchored: not yealink
    expect(map.match(undefined)).toBe(OTHER);
    expect(map.match('')).toBe(OTHER);
    expect(new UaTypeMap({ yealink: '^Yealink' }).match('Asterisk PBX')).toBe(OTHER);
  });

  it('refuses a pattern that is not a regular expression', () => {
    const e = thrown(() => new UaTypeMap({ broken: '(unclosed' }));
    expect(e.code).toBe('BAD_UA_TYPES');
    expect(e.exitCode).toBe(ExitCode.usage);
  });
});

describe('loadCarrierMap / loadUaTypeMap', () => {
  it('reads the "carriers:" form, the bare map form, and a single prefix as a string', () => {
    const a = loadCarrierMap(file('a.yaml', 'carriers:\n  x:\n    - 192.0.2.0/24\n  y: 198.51.100.7\n'));
    expect(a.names).toEqual(['x', 'y']);
    expect(a.match('198.51.100.7')).toBe('y');
    const b = loadCarrierMap(file('b.yaml', 'x: [192.0.2.0/24, "2001:db8::/32"]\n'));
    expect(b.match('2001:db8::99')).toBe('x');
  });

  it('reads both forms of the ua types file', () => {
    expect(loadUaTypeMap(file('u1.yaml', "ua_types:\n  phone: '^Yealink'\n")).match('Yealink T54W')).toBe('phone');
    expect(loadUaTypeMap(file('u2.yaml', "pbx: 'Asterisk|FreeSWITCH'\n")).match('FreeSWITCH-mod_sofia/1.10.9')).toBe('pbx');
  });

  it('without a file, everything is "other"', () => {
    expect(loadCarrierMap(undefined).match('192.0.2.1')).toBe(OTHER);
    expect(loadUaTypeMap(undefined).match('Yealink')).toBe(OTHER);
  });

  it.each([
    ['a missing file', () => loadCarrierMap(join(tmp, 'missing.yaml')), 'FILE_NOT_FOUND'],
    ['invalid YAML', () => loadCarrierMap(file('bad.yaml', 'carriers: [unclosed\n')), 'BAD_YAML'],
    ['a scalar document', () => loadCarrierMap(file('scalar.yaml', '42\n')), 'BAD_CARRIERS'],
    ['an empty document', () => loadCarrierMap(file('empty.yaml', '')), 'BAD_CARRIERS'],
    ['a bad prefix', () => loadCarrierMap(file('badcidr.yaml', 'x: [10.0.0.0/99]\n')), 'BAD_CARRIERS'],
    ['a missing ua file', () => loadUaTypeMap(join(tmp, 'missing-ua.yaml')), 'FILE_NOT_FOUND'],
    ['a scalar ua document', () => loadUaTypeMap(file('scalar-ua.yaml', 'hello\n')), 'BAD_UA_TYPES'],
    ['a bad ua regex', () => loadUaTypeMap(file('badre.yaml', "x: '[z-a]'\n")), 'BAD_UA_TYPES'],
  ])('%s is a usage error with a stable code', (_what, fn, code) => {
    const e = thrown(fn);
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(ExitCode.usage);
  });
});

describe('the example files in contrib/', () => {
  const carriers = loadCarrierMap(join(ROOT, 'contrib', 'carriers.example.yaml'));
  const uaTypes = loadUaTypeMap(join(ROOT, 'contrib', 'ua-types.example.yaml'));

  it.each([
    ['192.0.2.5', 'carrier-a'],
    ['192.0.2.200', 'carrier-b'],
    ['198.51.100.9', 'carrier-b'],
    ['2001:db8:a::1', 'carrier-a'],
    ['203.0.113.20', 'carrier-c'],
    ['2001:db8:c:5060::9', 'carrier-c'],
    ['10.20.3.4', 'on-net-phones'],
    ['10.0.0.11', 'pbx'],
    ['127.0.0.1', 'lab-loopback'],
    ['127.0.0.2', OTHER],
    ['8.8.8.8', OTHER],
  ])('carriers: %s → %s', (ip, want) => {
    expect(carriers.match(ip)).toBe(want);
  });

  it.each([
    ['Yealink SIP-T46S 66.85.0.5', 'yealink'],
    ['PolycomVVX-VVX_450-UA/6.4.3.5018', 'polycom'],
    ['Cisco-CP8845/12.8.1', 'cisco-phone'],
    ['Grandstream GXP2170 1.0.11.3', 'grandstream'],
    ['snomD785/10.1.54.13', 'snom'],
    ['Zoiper rv2.10.19.5', 'softphone'],
    ['JsSIP 3.10.0', 'webrtc'],
    ['Microsoft.PSTNHub.SIPProxy v.2023.7.21.3 i.EUNO.0', 'teams'],
    ['Asterisk PBX 20.5.0', 'asterisk'],
    ['FreeSWITCH-mod_sofia/1.10.10-release', 'freeswitch'],
    ['kamailio (5.6.3 (x86_64/linux))', 'kamailio'],
    ['friendly-scanner', 'scanner'],
    ['voipdiag-harness-uac', 'test-tool'],
    ['sipp', 'test-tool'],
    ['ACME Phone 1.0', OTHER],
  ])('ua types: %s → %s', (ua, want) => {
    expect(uaTypes.match(ua)).toBe(want);
  });
});
