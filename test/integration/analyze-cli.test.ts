/**
 * `voipdiag analyze` as a user runs it: the built binary, its output, JSON envelope and schema,
 * and the documented exit codes for bad input.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, hasStackTrace, runCli } from '../helpers/cli.js';

const TCP_CALL = join(ROOT, 'fixtures/public/sip-tcp-call-g711-rtp-rtcp.pcap');
const SIPP5 = join(ROOT, 'fixtures/public/sipp-5-calls-udp.pcap');
const CANCEL = join(ROOT, 'fixtures/public/sip-invite-cancel-487.pcap');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'voipdiag-analyze-'));
});

describe('voipdiag analyze', () => {
  it('prints the capture, SIP, calls, RFC 6076 and RTP sections for a real call', async () => {
    const r = await runCli(['analyze', TCP_CALL]);
    expect(r.exitCode).toBe(0);
    for (const s of ['Capture', 'SIP', 'Calls (1)', 'RFC 6076 metrics', 'RTP streams (2)', '0x42F433D4', 'g711A, CN', '158936656982201062716']) {
      expect(r.stdout).toContain(s);
    }
    expect(r.stderr).toBe('');
  });

  it('--json gives the envelope and validates against schemas/analyze.schema.json', async () => {
    const r = await runCli(['analyze', TCP_CALL, SIPP5, '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas/analyze.schema.json'), 'utf8')));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'analyze', status: 'ok', warnings: [] });
    // Two files merged: the calls of both, in time order.
    expect(doc.result.calls.length).toBe(6);
    const starts = doc.result.calls.map((c: { start: string }) => c.start);
    expect([...starts].sort()).toEqual(starts);
    expect(doc.result.capture.files.length).toBe(2);
  });

  it('the analyze-pcap alias runs the same command', async () => {
    const r = await runCli(['analyze-pcap', CANCEL, '--json']);
    expect(r.exitCode).toBe(0);
    const call = JSON.parse(r.stdout).result.calls[0];
    expect(call).toMatchObject({ finalStatus: 487, endedBy: 'cancel' });
  });

  it('--ladder draws the call as an ASCII sequence diagram', async () => {
    const r = await runCli(['analyze', SIPP5, '--ladder', '1-16732@127.0.1.1']);
    expect(r.exitCode).toBe(0);
    const ladder = r.stdout.slice(r.stdout.indexOf('Call-ID: 1-16732@127.0.1.1'));
    const arrows = ladder.split('\n').filter((l) => /[<>]/.test(l));
    expect(arrows.map((l) => (l.includes('>') ? '>' : '<') + l.replace(/.*[|]([^|]*)[|].*/, '$1').replace(/[-<>]/g, '').trim())).toEqual([
      '>INVITE (SDP)',
      '<180 Ringing [INVITE]',
      '<200 OK (SDP) [INVITE]',
      '>ACK',
      '>BYE',
      '<200 OK [BYE]',
    ]);
    expect(ladder).toContain('127.0.0.1:5060');
    expect(ladder).toContain('+1001.730');
  });

  it('--call-id keeps only that call; an unknown one is a warning, not an error', async () => {
    const one = JSON.parse((await runCli(['analyze', SIPP5, '--call-id', '3-16732@127.0.1.1', '--json'])).stdout);
    expect(one.result.calls.map((c: { callId: string }) => c.callId)).toEqual(['3-16732@127.0.1.1']);
    // a call that ended in the capture is found, and the RFC 6076 figures are its own
    expect(one.warnings).toEqual([]);
    expect(one.result.rfc6076.attempts).toBe(1);
    const none = await runCli(['analyze', SIPP5, '--call-id', 'nope', '--json']);
    expect(none.exitCode).toBe(0);
    expect(JSON.parse(none.stdout).warnings[0].code).toBe('CALL_NOT_FOUND');
  });

  it('--since/--until select a time window (relative seconds)', async () => {
    const all = JSON.parse((await runCli(['analyze', SIPP5, '--json'])).stdout).result;
    const later = JSON.parse((await runCli(['analyze', SIPP5, '--since', '+2', '--json'])).stdout).result;
    expect(later.capture.packets).toBeLessThan(all.capture.packets);
    expect(later.calls.length).toBeLessThan(all.calls.length);
    const bad = await runCli(['analyze', SIPP5, '--until', 'yesterday-ish']);
    expect(bad.exitCode).toBe(2);
  });

  it('reads gzip and stdin like a plain file', async () => {
    const gz = join(tmp, 'call.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(TCP_CALL)));
    const plain = JSON.parse((await runCli(['analyze', TCP_CALL, '--json'])).stdout).result;
    const fromGz = JSON.parse((await runCli(['analyze', gz, '--json'])).stdout).result;
    const fromStdin = JSON.parse((await runCli(['analyze', '-', '--json'], { input: readFileSync(TCP_CALL) })).stdout).result;
    for (const r of [fromGz, fromStdin]) {
      expect(r.rtp.streams).toEqual(plain.rtp.streams);
      expect(r.calls).toEqual(plain.calls);
    }
  });

  describe('bad input', () => {
    it('not a capture: exit 3, one line naming the file, no stack trace', async () => {
      const r = await runCli(['analyze', join(ROOT, 'README.md')]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr.split('\n')[0]).toMatch(/^Error: .*README\.md: not a pcap or pcapng file/);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stdout).toBe('');
    });

    it('missing file: exit 3; with --json the error is in the envelope', async () => {
      const r = await runCli(['analyze', join(tmp, 'missing.pcap'), '--json']);
      expect(r.exitCode).toBe(3);
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({ status: 'error', result: null, error: { code: 'FILE_NOT_FOUND', exitCode: 3 } });
    });

    it('truncated capture: everything readable plus a warning, exit 0', async () => {
      const cut = join(tmp, 'cut.pcap');
      writeFileSync(cut, readFileSync(TCP_CALL).subarray(0, 5000));
      const r = await runCli(['analyze', cut, '--json']);
      expect(r.exitCode).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.result.capture.packets).toBe(17);
      expect(doc.result.capture.files[0].truncated).toBe(true);
      expect(doc.warnings.map((w: { code: string }) => w.code)).toContain('TRUNCATED');
      const human = await runCli(['analyze', cut]);
      expect(human.stderr).toMatch(/warning: .*cut\.pcap: file ends inside frame 18/);
    });

    it('empty capture (header only): an empty report, exit 0', async () => {
      const empty = join(tmp, 'empty.pcap');
      writeFileSync(empty, readFileSync(TCP_CALL).subarray(0, 24));
      const r = await runCli(['analyze', empty, '--json']);
      expect(r.exitCode).toBe(0);
      const res = JSON.parse(r.stdout).result;
      expect(res.capture.packets).toBe(0);
      expect(res.calls).toEqual([]);
      expect(res.rfc6076.serPct).toBeNull();
    });

    it('unknown flag: exit 2', async () => {
      copyFileSync(TCP_CALL, join(tmp, 'x.pcap'));
      const r = await runCli(['analyze', join(tmp, 'x.pcap'), '--frobnicate']);
      expect(r.exitCode).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  });
});
