import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderProbe, renderProbeLine } from '../../../src/lib/output/probe-view.js';
import type { ProbeResult } from '../../../src/lib/probe/result.js';

const nocolour = new Chalk({ level: 0 });

const RESULT: ProbeResult = {
  profile: { name: 'pbx', source: 'built-in', values: { rtt_ms: 50, mos_min: 4 } },
  targets: [
    {
      target: 'sip:pbx.example.com',
      uri: 'sip:pbx.example.com',
      mode: 'options',
      transport: 'tls',
      resolved: [{ ip: '192.0.2.10', port: 5061 }, { ip: '2001:db8::10', port: 5061 }],
      dns: [
        { query: 'pbx.example.com', type: 'NAPTR', answers: ['10 10 "s" "SIPS+D2T" _sips._tcp.pbx.example.com'] },
        { query: '_sips._tcp.pbx.example.com', type: 'SRV', answers: ['10 0 5061 pbx.example.com'] },
        { query: 'pbx.example.com', type: 'A', answers: ['192.0.2.10'] },
        { query: 'pbx.example.com', type: 'AAAA', answers: ['2001:db8::10'] },
      ],
      local: { ip: '192.0.2.99', port: 40001 },
      remote: { ip: '192.0.2.10', port: 5061 },
      probes: [
        { seq: 1, method: 'OPTIONS', rttMs: 12.345, status: 200, reason: 'OK', retransmitted: false },
        { seq: 2, method: 'OPTIONS', rttMs: null, status: null, reason: null, retransmitted: true, error: 'timeout' },
        { seq: 3, method: 'OPTIONS', rttMs: 10.5, status: 200, reason: 'OK', retransmitted: true },
      ],
      summary: { sent: 3, answered: 2, lossPct: 33.333, rttMs: { min: 10.5, avg: 11.423, max: 12.345, mdev: 0.923 }, jitterMs: 1.845 },
      server: 'Asterisk PBX 20.5.0',
      userAgent: null,
      allow: ['INVITE', 'ACK', 'OPTIONS'],
      tls: { subject: 'CN=pbx.example.com', issuer: 'CN=Example CA', daysToExpiry: 12, validTo: 'Jan  1 00:00:00 2030 GMT', verified: true, verifyError: null, protocol: 'TLSv1.3', servername: 'pbx.example.com' },
      findings: [
        { severity: 'warning', code: 'TLS_CERT_EXPIRING', message: 'the server certificate expires in 12 days (Jan  1 00:00:00 2030 GMT)' },
        { severity: 'info', code: 'NAT_DETECTED', message: 'behind NAT: the server saw this request from 198.51.100.7:61000, it left 192.0.2.99:40001', evidence: 'received=198.51.100.7 rport=61000' },
      ],
      breaches: [{ key: 'loss_pct', value: 33.333, limit: 0.5, kind: 'max', message: 'loss_pct 33.333 > 0.5 (profile pbx)' }],
      outcome: 'ok',
    },
    {
      target: 'sip:127.0.0.1',
      uri: 'sip:127.0.0.1',
      mode: 'call',
      transport: 'udp',
      resolved: [{ ip: '127.0.0.1', port: 5060 }],
      dns: [{ query: '127.0.0.1', type: 'literal', answers: ['127.0.0.1'] }],
      local: { ip: '127.0.0.1', port: 40002 },
      remote: { ip: '127.0.0.1', port: 5060 },
      probes: [{ seq: 1, method: 'INVITE', rttMs: 0.512, status: 200, reason: 'OK', retransmitted: false }],
      summary: { sent: 1, answered: 1, lossPct: 0, rttMs: { min: 0.512, avg: 0.512, max: 0.512, mdev: 0 }, jitterMs: null },
      server: 'sipp',
      userAgent: null,
      allow: [],
      call: {
        uri: 'sip:echo@127.0.0.1',
        status: 200,
        reason: 'OK',
        srdMs: 2.1,
        setupMs: 204.7,
        sdtMs: 10310.2,
        sddMs: 0.8,
        codec: 'PCMA',
        endedBy: 'us',
        prack: false,
        rx: { packets: 500, lossPct: 0, jitterMs: 0.41, mos: 4.38, source: 'measured' },
        tx: { packets: 500, lossPct: 0, jitterMs: 0.41, mos: 4.38, source: 'echo' },
        rtcp: { sent: 5, received: 0 },
        remoteMedia: { ip: '127.0.0.1', port: 6000 },
      },
      findings: [],
      breaches: [],
      outcome: 'ok',
    },
  ],
};

describe('probe view', () => {
  it('renders the summary table and the details (golden)', async () => {
    await expect(renderProbe(RESULT, nocolour)).toMatchFileSnapshot('golden/probe-view.txt');
  });
  it('one line per probe for --watch', () => {
    const t = RESULT.targets[0];
    if (!t) throw new Error('fixture');
    expect(t.probes.map((p) => renderProbeLine(t, p, nocolour))).toEqual([
      'sip:pbx.example.com tls 192.0.2.10:5061 OPTIONS seq=1 200 OK rtt=12.35 ms',
      'sip:pbx.example.com tls 192.0.2.10:5061 OPTIONS seq=2 timeout (retransmitted)',
      'sip:pbx.example.com tls 192.0.2.10:5061 OPTIONS seq=3 200 OK rtt=10.50 ms (retransmitted)',
    ]);
  });
  it('the result fixture is valid against schemas/probe.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'probe.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const env = { schemaVersion: 1, command: 'probe', status: 'breached', result: RESULT, warnings: [] };
    expect(validate(env), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...env, result: { ...RESULT, targets: [{ ...RESULT.targets[0], outcome: 'fine' }] } })).toBe(false);
  });
});
