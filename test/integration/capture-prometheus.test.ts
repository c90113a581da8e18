/**
 * `voipdiag capture --serve` scraped by a real Prometheus server (Debian package prometheus),
 * both on 127.0.0.1: sipp calls and registrations through kamailio, from 127.0.0.1 (carrier
 * "lab-loopback" in contrib/carriers.example.yaml) and from 127.0.0.2 (no carrier: "other").
 * The values Prometheus stored — queried through its HTTP API — must be the traffic: requests by
 * method and carrier, calls by outcome, registrations, SER/SEER/ASR, delay histograms, RTP MOS,
 * drops. Also: promtool accepts contrib/prometheus/voipdiag-alerts.yml (and its unit tests pass),
 * the real server loads it, and the Grafana dashboard references only metrics the exporter
 * exposes (and all of them).
 *
 * Prometheus gets its own temp dir for --storage.tsdb.path, listens on 127.0.0.1 only, and is
 * stopped by its PID.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  labAvailable,
  labCaptureFilter,
  run,
  runSippUac,
  spawnTracked,
  startLab,
  stopTracked,
  useLabSafetyNet,
  waitExit,
  which,
  type Lab,
  type SippUacResult,
  type TrackedProcess,
} from '../harness/index.js';
import { BIN, ROOT } from '../helpers/cli.js';
import type { AnalyzeResult } from '../../src/lib/engine/analysis-result.js';

const built = existsSync(join(ROOT, 'dist', 'commands', 'capture.js'));
const haveProm = which('prometheus') !== null && which('promtool') !== null;
const CONTRIB = join(ROOT, 'contrib');
const ALERTS = join(CONTRIB, 'prometheus', 'voipdiag-alerts.yml');
const DASHBOARD = join(CONTRIB, 'grafana', 'voipdiag-dashboard.json');
const LAB = 'lab-loopback';
const UA = 'test-tool'; // sipp's "voipdiag-harness-uac" in contrib/ua-types.example.yaml

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function httpText(url: string, timeoutMs = 3000): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, text: await r.text() };
}

interface Sample {
  metric: Record<string, string>;
  value: number;
}

describe.skipIf(!labAvailable() || !built || !haveProm)('capture --serve scraped by a real Prometheus', () => {
  useLabSafetyNet();
  let lab: Lab;
  let dir: string;
  let capture: TrackedProcess;
  let prom: TrackedProcess;
  let exporterPort: number;
  let promPort: number;
  let captureOut = '';
  let captureErr = '';
  let report: AnalyzeResult;
  let metricsText = '';
  const runs: Record<string, SippUacResult> = {};
  const labRuns: string[] = [];
  const otherRuns: string[] = [];
  let queryAt: number | undefined;

  const query = async (expr: string): Promise<Sample[]> => {
    // evaluated at `queryAt`: after the last scrape of the final state, before the capture (and
    // with it the exporter) stopped, when Prometheus marks every series stale
    const at = queryAt === undefined ? '' : `&time=${queryAt}`;
    const r = await httpText(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
    const body = JSON.parse(r.text) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result.map((x) => ({ metric: x.metric, value: Number(x.value[1]) }));
  };
  /** The one value of an expression that must give exactly one series. */
  const scalar = async (expr: string): Promise<number> => {
    const s = await query(expr);
    expect(s, `${expr} → ${JSON.stringify(s)}`).toHaveLength(1);
    return s[0]!.value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'voipdiag-capture-prom-'));
    lab = await startLab({ uas: ['echo', 'busy', 'noanswer'], kamailio: { tls: false, ipv6: false } });
    exporterPort = await freePort();
    promPort = await freePort();

    capture = spawnTracked(
      'capture-serve',
      process.execPath,
      [
        BIN, 'capture', '-i', 'lo', '--filter', labCaptureFilter(lab.ports),
        '--serve', `127.0.0.1:${exporterPort}`,
        '--carriers', join(CONTRIB, 'carriers.example.yaml'),
        '--ua-types', join(CONTRIB, 'ua-types.example.yaml'),
        '--json', '--progress', '--duration', '120',
      ],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', NODE_NO_WARNINGS: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    capture.child.stdout?.setEncoding('utf8');
    capture.child.stdout?.on('data', (d: string) => (captureOut += d));
    capture.child.stderr?.setEncoding('utf8');
    capture.child.stderr?.on('data', (d: string) => (captureErr += d));

    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${ALERTS}`,
        'scrape_configs:',
        '  - job_name: voipdiag',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${exporterPort}']`,
        '',
      ].join('\n'),
    );
    prom = spawnTracked(
      'prometheus',
      'prometheus',
      [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promErr = '';
    prom.child.stderr?.setEncoding('utf8');
    prom.child.stderr?.on('data', (d: string) => (promErr += d));

    // both up: the capture listening (first progress line), Prometheus ready
    for (let i = 0; i < 300 && !/\d+ s: \d+ packets/.test(captureErr) && !capture.exitInfo; i++) await sleep(50);
    expect(capture.exitInfo, captureErr).toBeNull();
    expect(captureErr).toContain(`serving Prometheus metrics on http://127.0.0.1:${exporterPort}/metrics`);
    let ready = false;
    for (let i = 0; i < 150 && !ready && !prom.exitInfo; i++) {
      ready = await httpText(`http://127.0.0.1:${promPort}/-/ready`, 500).then((r) => r.status === 200, () => false);
      if (!ready) await sleep(100);
    }
    expect(ready, promErr).toBe(true);

    // the traffic: from 127.0.0.1 (lab-loopback) and 127.0.0.2 (no carrier: other)
    const p = lab.ports;
    const jobs: [string, 'lab' | 'other', Promise<SippUacResult>][] = [
      ['echo1', 'lab', runSippUac('call', { service: 'echo', ports: p })],
      ['echo2', 'lab', runSippUac('call', { service: 'echo', ports: p })],
      ['busy1', 'lab', runSippUac('fail', { service: 'busy', ports: p })],
      ['busy2', 'lab', runSippUac('fail', { service: 'busy', ports: p })],
      ['cancel', 'lab', runSippUac('cancel', { service: 'noanswer', ports: p, ringMs: 300 })],
      ['regOk', 'lab', runSippUac('register', { service: 'alice', ports: p, authUser: 'alice', authPass: 'alicepw', expires: 60 })],
      ['regBad', 'lab', runSippUac('register', { service: 'bob', ports: p, authUser: 'bob', authPass: 'not-bobs', expires: 60 })],
      ['echoOther', 'other', runSippUac('call', { service: 'echo', ports: p, localIp: '127.0.0.2' })],
      ['regOther', 'other', runSippUac('register', { service: 'bob', ports: p, localIp: '127.0.0.2', authUser: 'bob', authPass: 'bobpw', expires: 60 })],
    ];
    for (const [name, carrier, job] of jobs) {
      runs[name] = await job;
      (carrier === 'lab' ? labRuns : otherRuns).push(name);
    }

    // the capturer hands packets over in ~1 s ring blocks: wait until the exporter has counted
    // every call, then until Prometheus has scraped that state
    const callsSeen = () =>
      httpText(`http://127.0.0.1:${exporterPort}/metrics`).then((r) =>
        [...r.text.matchAll(/^voipdiag_calls_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0),
      );
    for (let i = 0; i < 100 && (await callsSeen()) < 6; i++) await sleep(100);
    await sleep(1500);
    metricsText = (await httpText(`http://127.0.0.1:${exporterPort}/metrics`)).text;
    const packets = Number(/^voipdiag_capture_packets (\d+)/m.exec(metricsText)?.[1] ?? NaN);
    for (let i = 0; i < 100; i++) {
      const s = await query('voipdiag_capture_packets').catch(() => []);
      if (s[0]?.value === packets) break;
      await sleep(200);
    }
    queryAt = Date.now() / 1000;

    // the capture's own report: SIGINT, as an operator's Ctrl-C
    process.kill(capture.pid, 'SIGINT');
    if (!(await waitExit(capture, 15_000))) await stopTracked(capture, { graceMs: 3000 });
    await sleep(100);
    report = (JSON.parse(captureOut) as { result: AnalyzeResult }).result;
  }, 120_000);

  afterAll(async () => {
    if (prom) await stopTracked(prom, { signal: 'SIGTERM', graceMs: 5000 });
    if (capture) await stopTracked(capture, { signal: 'SIGINT', graceMs: 5000 });
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the scenarios ran as meant', () => {
    for (const name of ['echo1', 'echo2', 'echoOther', 'busy1', 'busy2', 'cancel', 'regOk', 'regOther']) {
      expect(runs[name]?.exitCode, `${name}: ${runs[name]?.stdout.slice(-400)}`).toBe(0);
    }
    expect(report.capture.drops?.dropped).toBe(0);
    expect(report.calls).toHaveLength(6);
  });

  test('Prometheus scraped the exporter (up = 1) and loaded the alert rules', async () => {
    expect(await scalar('up{job="voipdiag"}')).toBe(1);
    const rules = JSON.parse((await httpText(`http://127.0.0.1:${promPort}/api/v1/rules`)).text) as {
      data: { groups: { name: string; rules: { name: string; health: string; type: string }[] }[] };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual(['voipdiag-capture', 'voipdiag-media', 'voipdiag-sip']);
    expect(all.map((r) => r.name).sort()).toEqual([
      'VoipActiveCallsDropped',
      'VoipMosLow',
      'VoipRegistrationFailureRateHigh',
      'VoipRtpLossHigh',
      'VoipSip5xxRatioHigh',
      'VoipdiagCaptureDropping',
      'VoipdiagExporterDown',
    ]);
    expect(all.every((r) => r.type === 'alerting' && r.health !== 'err')).toBe(true);
  });

  test('voipdiag_sip_requests_total: every request, by method and carrier (unknown source → other)', async () => {
    const samples = await query('sum by (method, carrier) (voipdiag_sip_requests_total)');
    const got: Record<string, number> = {};
    for (const s of samples) got[`${s.metric.method} ${s.metric.carrier}`] = s.value;
    // through kamailio each request is seen on both legs, except REGISTER (kamailio is the
    // registrar); the sipp clients' sent requests give the expectation, when nothing was resent
    expect(report.sip.retransmissions, 'no retransmission in this run').toBe(0);
    const want: Record<string, number> = {};
    for (const [names, carrier] of [[labRuns, LAB], [otherRuns, 'other']] as const) {
      for (const n of names) {
        for (const m of runs[n]!.messages.filter((x) => x.direction === 'sent' && x.status === null)) {
          const k = `${m.method} ${carrier}`;
          want[k] = (want[k] ?? 0) + (m.method === 'REGISTER' ? 1 : 2);
        }
      }
    }
    expect(got).toEqual(want);
    // and the totals are the capture's own report
    const byMethod: Record<string, number> = {};
    for (const s of samples) byMethod[s.metric.method!] = (byMethod[s.metric.method!] ?? 0) + s.value;
    expect(byMethod).toEqual(report.sip.methods);
    // every series carries the User-Agent class of sipp
    expect(new Set((await query('voipdiag_sip_requests_total')).map((s) => s.metric.ua_type))).toEqual(new Set([UA]));
  });

  test('voipdiag_sip_responses_total: by code, summing to the report', async () => {
    const samples = await query('sum by (code) (voipdiag_sip_responses_total)');
    const got = Object.fromEntries(samples.map((s) => [s.metric.code, s.value]));
    expect(got).toEqual(report.sip.statusCodes);
    // the 486s of the two busy calls, on both legs, all on the lab carrier
    expect(await scalar(`sum(voipdiag_sip_responses_total{code="486",method="INVITE",carrier="${LAB}"})`)).toBe(4);
    expect(await scalar(`sum(voipdiag_sip_responses_total{code="401",method="REGISTER",carrier="${LAB}"})`)).toBe(3);
    expect(await scalar(`sum(voipdiag_sip_responses_total{code="401",method="REGISTER",carrier="other"})`)).toBe(1);
  });

  test('voipdiag_calls_total by outcome and carrier, and the delay histograms', async () => {
    const samples = await query('sum by (outcome, carrier) (voipdiag_calls_total)');
    const got = Object.fromEntries(samples.map((s) => [`${s.metric.outcome} ${s.metric.carrier}`, s.value]));
    expect(got).toEqual({ [`answered ${LAB}`]: 2, [`failed ${LAB}`]: 2, [`cancelled ${LAB}`]: 1, 'answered other': 1 });
    expect(runs.echo1!.stats.successful + runs.echo2!.stats.successful).toBe(2);
    expect(await scalar(`sum(voipdiag_setup_ms_count{carrier="${LAB}"})`)).toBe(2);
    expect(await scalar('sum(voipdiag_setup_ms_count{carrier="other"})')).toBe(1);
    // SRD for every call with a provisional or final answer; SDD and SDT for the answered ones
    expect(await scalar(`sum(voipdiag_srd_ms_count{carrier="${LAB}"})`)).toBe(5);
    expect(await scalar('sum(voipdiag_sdd_ms_count)')).toBe(3);
    expect(await scalar('sum(voipdiag_sdt_seconds_count)')).toBe(3);
    // the setup-time sum is the sum of the report's setup times, in ms
    const setupSum = report.calls.reduce((n, c) => n + (c.setupMs ?? 0), 0);
    expect(await scalar('sum(voipdiag_setup_ms_sum)')).toBeCloseTo(setupSum, 3);
    const sdtSum = report.calls.reduce((n, c) => n + (c.finalStatus === 200 ? (c.durationMs ?? 0) / 1000 : 0), 0);
    expect(await scalar('sum(voipdiag_sdt_seconds_sum)')).toBeCloseTo(sdtSum, 5);
    // no 408/500/503/504: no ineffective session, so no series at all
    expect((await query('voipdiag_iss_total')).filter((x) => x.value !== 0)).toEqual([]);
  });

  test('SER, SEER, ASR per carrier (RFC 6076 §4.7/4.8, E.411), percent', async () => {
    // lab: 2 answered, 2 busy (486), 1 cancelled (487) of 5 INVITEs; other: 1 of 1
    expect(await scalar(`voipdiag_ser{carrier="${LAB}"}`)).toBeCloseTo(40, 6);
    expect(await scalar(`voipdiag_seer{carrier="${LAB}"}`)).toBeCloseTo(80, 6);
    expect(await scalar(`voipdiag_asr{carrier="${LAB}"}`)).toBeCloseTo(40, 6);
    expect(await scalar('voipdiag_ser{carrier="other"}')).toBeCloseTo(100, 6);
    expect(await scalar(`voipdiag_ner{carrier="${LAB}"}`)).toBeCloseTo(100, 6);
  });

  test('registrations: alice registered and bob refused on lab-loopback, bob registered from 127.0.0.2', async () => {
    const samples = await query('sum by (result, carrier) (voipdiag_registrations_total)');
    const got = Object.fromEntries(samples.map((s) => [`${s.metric.result} ${s.metric.carrier}`, s.value]));
    expect(got).toEqual({ [`success ${LAB}`]: 1, [`failure ${LAB}`]: 1, 'success other': 1 });
    expect(await scalar(`voipdiag_registration_success_ratio{carrier="${LAB}"}`)).toBeCloseTo(0.5, 9);
    expect(await scalar('voipdiag_registration_success_ratio{carrier="other"}')).toBe(1);
    expect(await scalar(`sum(voipdiag_rrd_ms_count{carrier="${LAB}"})`)).toBe(1);
    const rrd = report.registrations.find((r) => r.aor.includes('alice@'))!.rrdMs.avg!;
    expect(await scalar(`sum(voipdiag_rrd_ms_sum{carrier="${LAB}"})`)).toBeCloseTo(rrd, 3);
  });

  test('RTP: one MOS per scored stream of the answered calls, clean loopback above 4.2; capture gauges', async () => {
    const scored = (carrier: string) =>
      report.rtp.streams.filter((s) => s.mos !== null && report.calls.some((c) => c.streams.includes(s.id) && (carrier === LAB ? c.caller.ip === '127.0.0.1' : c.caller.ip === '127.0.0.2')));
    expect(scored(LAB).length).toBeGreaterThanOrEqual(4);
    expect(await scalar(`sum(voipdiag_rtp_mos_count{carrier="${LAB}"})`)).toBe(scored(LAB).length);
    expect(await scalar('sum(voipdiag_rtp_mos_count{carrier="other"})')).toBe(scored('other').length);
    expect(await scalar('sum(voipdiag_rtp_mos_sum) / sum(voipdiag_rtp_mos_count)')).toBeGreaterThan(4.2);
    expect(await scalar('sum(voipdiag_rtp_loss_percent_sum)')).toBe(0);
    // every call is over: no dialog in progress
    expect((await query('sum(voipdiag_dialogs_active)')).map((s) => s.value).filter((v) => v !== 0)).toEqual([]);
    expect(await scalar('voipdiag_capture_dropped_packets')).toBe(0);
    expect(await scalar('voipdiag_capture_packets')).toBe(report.capture.packets);
  });

  test('promtool: the alert rules check and their unit tests pass', async () => {
    const check = await run('promtool', ['check', 'rules', ALERTS], { timeoutMs: 30_000 });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: 7 rules found/);
    const unit = await run('promtool', ['test', 'rules', 'voipdiag-alerts.test.yml'], { timeoutMs: 60_000, cwd: join(CONTRIB, 'prometheus') });
    expect(unit.code, unit.stdout + unit.stderr).toBe(0);
    expect(unit.stdout + unit.stderr).toMatch(/SUCCESS/);
  });

  test('the Grafana dashboard and the alert rules use only metrics the exporter exposes, and the dashboard all of them', () => {
    const families = new Map<string, string>();
    for (const m of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1]!, m[2]!);
    const exposed = new Set<string>();
    for (const [name, type] of families) {
      exposed.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(name + suffix);
    }
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      templating: { list: { name: string; query?: unknown }[] };
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(20);
    const used = new Set<string>();
    for (const { title, expr } of exprs) {
      for (const m of expr.matchAll(/\bvoipdiag_[a-z_]+/g)) {
        expect(exposed.has(m[0]), `${title}: ${m[0]} is not exposed`).toBe(true);
        used.add(m[0].replace(/_(bucket|sum|count)$/, (s) => (families.get(m[0].slice(0, -s.length)) === 'histogram' ? '' : s)));
      }
    }
    expect([...families.keys()].filter((f) => f.startsWith('voipdiag_') && !used.has(f))).toEqual([]);
    // the rows an operator expects and the two template variables, used by the panels
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['SIP signalling', 'Media quality', 'Capture health', 'Business: ASR / ACD']);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['carrier', 'ua_type']));
    const perCarrier = exprs.filter((e) => /voipdiag_/.test(e.expr) && !/voipdiag_(capture_|rtp_streams_active)/.test(e.expr));
    for (const e of perCarrier) expect(e.expr, e.title).toContain('$carrier');
    expect(exprs.some((e) => e.expr.includes('$ua_type'))).toBe(true);
    // the alert rules too
    const rules = readFileSync(ALERTS, 'utf8');
    for (const m of rules.matchAll(/\bvoipdiag_[a-z_]+/g)) expect(exposed.has(m[0]) || families.has(m[0]), `alert rules: ${m[0]}`).toBe(true);
  });
});
