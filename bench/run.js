#!/usr/bin/env node
// bench/run.js - `npm run bench` (the npm script builds first, then runs this file).
//
//   npm run bench                      # medium capture (~1.0 M packets, ~250 MB)
//   BENCH_SIZE=large npm run bench     # large (~5.2 M packets, ~1.2 GB); also: small
//   BENCH_RUNS=5 npm run bench         # runs per command (default 3, medians reported)
//
// 1. Makes the standard capture with the project's generator (src/lib/gen), or reuses it from
//    bench/data/ (git-ignored) when the cached file matches the generator version, scenario and
//    byte count in its truth JSON.
// 2. analyze bench: `voipdiag analyze F --json` against the anchors `tshark -r F -q -z sip,stat`
//    and `tshark -r F -q -z sip,stat -z rtp,streams`, measured in this same run (wall time, peak
//    RSS; BENCH_RUNS runs each, medians). Ratios are packets/s over the anchor's packets/s
//    (> 1: faster than tshark). voipdiag's JSON is checked against the truth: a bench that
//    measures a wrong answer is worthless. The first run's stdout goes to bench/data/ for that
//    check; the other runs' to /dev/null.
// 3. start-up: `voipdiag --version`, median of 5, against bare `node -e 0`.
// 4. every bench/*.bench.js module, in name order: `export async function run(ctx)` returning
//    rows (or { rows, checks }); see bench/README.md.
//
// Prints one table (stdout) and writes bench/data/last-run.json. Informs, never gates CI (it is
// not part of `npm test`); the exit status is 1 only when an answer was wrong or a command failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  formatTable,
  haveCommand,
  haveGnuTime,
  lastLine,
  measure,
  measureRuns,
  median,
  parseRtpStreams,
  parseSipStat,
  sameCounts,
} from './lib.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const DATA_DIR = join(BENCH_DIR, 'data');
const VOIPDIAG = join(ROOT, 'bin', 'run.js');
const NODE = process.execPath;

const LOAD_AT_START = loadavg()[0];
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

async function main() {
  const size = process.env.BENCH_SIZE ?? 'medium';
  const runs = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? '3', 10) || 3);
  const gen = await import(pathToFileURL(join(ROOT, 'dist', 'lib', 'gen', 'index.js')).href);
  if (!gen.isStandardCaptureSize(size)) {
    log(`BENCH_SIZE must be small, medium or large (got ${size})`);
    process.exit(2);
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const tools = { tshark: haveCommand('tshark'), gnuTime: haveGnuTime };
  const rows = [];
  const checks = [];
  log(`size ${size}, ${runs} run(s) per command, peak RSS from ${tools.gnuTime ? '/usr/bin/time' : '/proc/PID/status VmHWM'}`);

  // ---- capture
  const capture = await ensureCapture(gen, size);
  const packets = capture.truth.packets.total;
  log(
    `capture ${capture.pcap}: ${packets} packets, ${(capture.truth.packets.fileBytes / 1e6).toFixed(0)} MB` +
      (capture.generatedSec === null ? ' (cached)' : ` (generated in ${capture.generatedSec.toFixed(1)} s)`),
  );
  rows.push(...(await generatorRows(capture, runs)));
  warmPageCache(capture.pcap);

  // ---- analyze vs tshark
  const analyze = await analyzeBench({ capture, runs, tools });
  rows.push(...analyze.rows);
  checks.push(...analyze.checks);

  // ---- start-up
  rows.push(...(await startupRows()));

  // ---- plugins
  const ctx = {
    root: ROOT,
    benchDir: BENCH_DIR,
    dataDir: DATA_DIR,
    size,
    runs,
    capture,
    node: NODE,
    voipdiag: [NODE, VOIPDIAG],
    tools,
    measure,
    measureRuns,
    median,
    log,
  };
  const plugins = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.js'))
    .sort();
  for (const file of plugins) {
    const section = basename(file, '.bench.js');
    log(`plugin ${file}`);
    try {
      const mod = await import(pathToFileURL(join(BENCH_DIR, file)).href);
      if (typeof mod.run !== 'function') throw new Error('exports no run(ctx) function');
      const out = await mod.run(ctx);
      const pluginRows = Array.isArray(out) ? out : (out?.rows ?? []);
      rows.push(...pluginRows.map((r) => ({ section, ...r })));
      if (!Array.isArray(out) && Array.isArray(out?.checks)) checks.push(...out.checks.map((c) => ({ ...c, name: `${section}: ${c.name}` })));
    } catch (err) {
      rows.push({ section, name: file, note: `FAILED: ${err?.message ?? err}` });
      checks.push({ name: `${section}: ran`, ok: false, detail: String(err?.message ?? err) });
    }
  }

  // ---- report
  process.stdout.write(`\nvoipdiag bench — ${size} capture, ${packets.toLocaleString('en')} packets, ${runs} run(s), medians\n\n`);
  process.stdout.write(formatTable(rows));
  const load = Math.max(LOAD_AT_START, loadavg()[0]);
  if (load > cpus().length * 0.75) {
    process.stdout.write(`\nnote: load average reached ${load.toFixed(1)} on ${cpus().length} CPUs: other work competed with these runs; trust the ratios more than the absolute rates\n`);
  }
  process.stdout.write('\nchecks against the generator truth:\n');
  for (const c of checks) process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}${c.ok || !c.detail ? '' : ` — ${c.detail}`}\n`);
  const ok = checks.every((c) => c.ok);
  const summary = {
    schema: 1,
    date: new Date().toISOString(),
    ok,
    host: hostInfo(),
    git: gitInfo(),
    size,
    runs,
    capture: {
      path: capture.pcap,
      packets,
      bytes: capture.truth.packets.fileBytes,
      generator: capture.truth.generator,
      scenario: capture.truth.scenario,
      generatedSec: capture.generatedSec,
    },
    rows,
    checks,
  };
  const summaryPath = join(DATA_DIR, 'last-run.json');
  writeFileSync(summaryPath, JSON.stringify(summary, null, 1) + '\n');
  process.stdout.write(`\n${ok ? 'all checks ok' : 'SOME CHECKS FAILED: the numbers above measure a wrong or missing answer'}; summary in ${summaryPath}\n`);
  process.exitCode = ok ? 0 : 1;
}

/** The standard capture of `size` from bench/data, generated when missing or stale. */
async function ensureCapture(gen, size) {
  const pcap = join(DATA_DIR, `${size}.pcap`);
  const truthPath = join(DATA_DIR, `${size}.truth.json`);
  const scenario = gen.resolveScenario(gen.STANDARD_CAPTURES[size]);
  if (existsSync(pcap) && existsSync(truthPath)) {
    try {
      const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
      const fresh =
        truth.generator?.version === gen.GENERATOR_VERSION &&
        isDeepStrictEqual(truth.scenario, scenario) &&
        statSync(pcap).size === truth.packets?.fileBytes;
      if (fresh) return { size, pcap, truthPath, truth, generatedSec: null };
      log(`cached ${size} capture is stale (generator or scenario changed): regenerating`);
    } catch {
      log(`cached ${size} truth unreadable: regenerating`);
    }
  }
  log(`generating the ${size} capture…`);
  const tmpPcap = `${pcap}.tmp-${process.pid}`;
  const tmpTruth = `${truthPath}.tmp-${process.pid}`;
  const { truth, seconds } = await gen.generateCaptureFile(scenario, tmpPcap, tmpTruth);
  renameSync(tmpPcap, pcap);
  renameSync(tmpTruth, truthPath);
  return { size, pcap, truthPath, truth, generatedSec: seconds };
}

/** Generator speed: this run's generation of the bench capture (if any), and small → /dev/null. */
async function generatorRows(capture, runs) {
  const rows = [];
  if (capture.generatedSec !== null) {
    rows.push({
      section: 'generate',
      name: `gen ${capture.size} → bench/data (in-process)`,
      wallSec: capture.generatedSec,
      rate: capture.truth.packets.total / capture.generatedSec,
      rateUnit: 'pkt/s',
      note: `${(capture.truth.packets.fileBytes / 1e6 / capture.generatedSec).toFixed(0)} MB/s`,
    });
  }
  const args = [join(BENCH_DIR, 'gen-capture.js'), '--size', 'small', '--out', '/dev/null', '--json'];
  const report = join(DATA_DIR, 'gen-small.json');
  const r = await measureRuns(NODE, args, runs, { firstStdoutPath: report });
  const small = r.exitCode === 0 ? readJson(report) : {};
  rows.push({
    section: 'generate',
    name: 'node bench/gen-capture.js --size small --out /dev/null',
    wallSec: r.wallSec,
    rate: small.packets && r.wallSec ? small.packets / r.wallSec : null,
    rateUnit: 'pkt/s',
    peakRssMb: r.peakRssMb,
    note:
      r.exitCode === 0
        ? `wall incl. node start-up; ${(small.packetsPerSec / 1e6).toFixed(2)} M pkt/s generating`
        : `FAILED (exit ${r.exitCode}): ${lastLine(r.stderr)}`,
  });
  return rows;
}

/** Read the capture once so every measured command starts with a warm page cache. */
function warmPageCache(path) {
  try {
    execFileSync('cat', [path], { stdio: ['ignore', 'ignore', 'ignore'] });
  } catch {
    // not worth failing the bench over
  }
}

async function analyzeBench({ capture, runs, tools }) {
  const rows = [];
  const checks = [];
  const packets = capture.truth.packets.total;
  const section = 'analyze';
  const rate = (r) => (r.exitCode === 0 && r.wallSec ? packets / r.wallSec : null);

  log(`voipdiag analyze --json (${runs} runs)…`);
  const analyzeOut = join(DATA_DIR, `${capture.size}.analyze.json`);
  const ours = await measureRuns(VOIPDIAG, ['analyze', capture.pcap, '--json'], runs, { firstStdoutPath: analyzeOut });

  let sipOnly = null;
  let sipRtp = null;
  const sipOut = join(DATA_DIR, `${capture.size}.tshark-sip-stat.txt`);
  const sipRtpOut = join(DATA_DIR, `${capture.size}.tshark-sip-rtp.txt`);
  if (tools.tshark) {
    log(`tshark -z sip,stat (${runs} runs)…`);
    sipOnly = await measureRuns('tshark', ['-r', capture.pcap, '-q', '-z', 'sip,stat'], runs, { firstStdoutPath: sipOut });
    log(`tshark -z sip,stat -z rtp,streams (${runs} runs)…`);
    sipRtp = await measureRuns('tshark', ['-r', capture.pcap, '-q', '-z', 'sip,stat', '-z', 'rtp,streams'], runs, { firstStdoutPath: sipRtpOut });
  } else {
    log('tshark not found: no anchor, no ratios');
  }
  const anchorRate = sipRtp ? rate(sipRtp) : null;
  const ratio = (r) => (anchorRate && rate(r) ? rate(r) / anchorRate : null);
  const failNote = (r) => (r.exitCode === 0 ? '' : `FAILED (exit ${r.exitCode}): ${lastLine(r.stderr)}`);
  const sipOnlyRate = sipOnly ? rate(sipOnly) : null;
  rows.push({
    section,
    name: 'voipdiag analyze F --json',
    wallSec: ours.exitCode === 0 ? ours.wallSec : null,
    rate: rate(ours),
    rateUnit: 'pkt/s',
    ratio: ratio(ours),
    anchor: sipRtp ? 'tshark sip,stat + rtp,streams' : null,
    peakRssMb: ours.exitCode === 0 ? ours.peakRssMb : null,
    note: failNote(ours) || (sipOnlyRate && rate(ours) ? `${(rate(ours) / sipOnlyRate).toFixed(2)}× tshark sip,stat alone` : ''),
  });
  if (sipOnly) {
    rows.push({
      section,
      name: 'tshark -r F -q -z sip,stat',
      wallSec: sipOnly.wallSec,
      rate: sipOnlyRate,
      rateUnit: 'pkt/s',
      ratio: ratio(sipOnly),
      anchor: 'tshark sip,stat + rtp,streams',
      peakRssMb: sipOnly.peakRssMb,
      note: failNote(sipOnly) || 'anchor (SIP only)',
    });
  }
  if (sipRtp) {
    rows.push({
      section,
      name: 'tshark -r F -q -z sip,stat -z rtp,streams',
      wallSec: sipRtp.wallSec,
      rate: anchorRate,
      rateUnit: 'pkt/s',
      ratio: anchorRate ? 1 : null,
      anchor: 'tshark sip,stat + rtp,streams',
      peakRssMb: sipRtp.peakRssMb,
      note: failNote(sipRtp) || 'anchor',
    });
  }

  // ---- answers
  checks.push({ name: 'voipdiag analyze exits 0', ok: ours.exitCode === 0, detail: failNote(ours) });
  if (ours.exitCode === 0) checks.push(...checkAnalyzeResult(readJson(analyzeOut), capture.truth));
  if (sipOnly && sipOnly.exitCode === 0) {
    const s = parseSipStat(readFileSync(sipOut, 'utf8'));
    const t = capture.truth.sip;
    checks.push(check('tshark sip,stat (anchor) = truth', s.messages === t.messages && sameCounts(s.requests, t.requests) && sameCounts(s.responses, t.responses), `${s.messages} messages vs ${t.messages}`));
  }
  if (sipRtp && sipRtp.exitCode === 0) {
    const seen = parseRtpStreams(readFileSync(sipRtpOut, 'utf8'));
    const expected = capture.truth.streams.filter((s) => s.packetsCaptured > 0);
    const total = [...seen.values()].reduce((a, s) => a + s.packets, 0);
    checks.push(
      check('tshark rtp,streams (anchor) = truth', seen.size === expected.length && total === capture.truth.rtp.packetsCaptured, `${seen.size} streams / ${total} packets vs ${expected.length} / ${capture.truth.rtp.packetsCaptured}`),
    );
  }
  return { rows, checks };
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return { parseError: String(err) };
  }
}

function check(name, ok, detail = '') {
  return { name, ok: Boolean(ok), detail };
}

/** voipdiag's `analyze --json` envelope against the generator's truth. */
export function checkAnalyzeResult(envelope, truth) {
  const out = [];
  const r = envelope?.result;
  if (!r) return [check('voipdiag JSON has a result', false, envelope?.parseError ?? `status ${envelope?.status}`)];
  const t = truth;
  out.push(check('capture packets', r.capture?.packets === t.packets.total, `${r.capture?.packets} vs ${t.packets.total}`));
  out.push(check('SIP messages', r.sip?.messages === t.sip.messages, `${r.sip?.messages} vs ${t.sip.messages}`));
  out.push(check('SIP retransmissions = 0', r.sip?.retransmissions === 0, `${r.sip?.retransmissions}`));
  out.push(check('SIP methods', sameCounts(r.sip?.methods, t.sip.requests), `${JSON.stringify(r.sip?.methods)} vs ${JSON.stringify(t.sip.requests)}`));
  out.push(check('SIP status codes', sameCounts(r.sip?.statusCodes, t.sip.responses), `${JSON.stringify(r.sip?.statusCodes)} vs ${JSON.stringify(t.sip.responses)}`));

  const calls = new Map((r.calls ?? []).map((c) => [c.callId, c]));
  const wrongCalls = [];
  for (const c of t.calls) {
    const got = calls.get(c.callId);
    if (!got) wrongCalls.push(`${c.callId}: missing`);
    else if (got.finalStatus !== c.finalStatus) wrongCalls.push(`${c.callId}: final ${got.finalStatus} vs ${c.finalStatus} (${c.outcome})`);
  }
  out.push(check('calls', (r.calls ?? []).length === t.calls.length, `${(r.calls ?? []).length} vs ${t.calls.length}`));
  out.push(check('call outcomes (final status per Call-ID)', wrongCalls.length === 0, `${wrongCalls.length} wrong: ${wrongCalls.slice(0, 3).join('; ')}`));

  const expected = t.streams.filter((s) => s.packetsCaptured > 0);
  const streams = new Map();
  for (const s of r.rtp?.streams ?? []) streams.set(`${s.src?.ip}:${s.src?.port} ${s.dst?.ip}:${s.dst?.port} ${String(s.ssrc).toLowerCase()}`, s);
  const wrongStreams = [];
  for (const s of expected) {
    const got = streams.get(`${s.src} ${s.dst} ${s.ssrc}`);
    if (!got) wrongStreams.push(`${s.id}: missing`);
    else if (got.packets !== s.packetsCaptured || got.lost !== s.lostBySeq) wrongStreams.push(`${s.id}: ${got.packets}/${got.lost} vs ${s.packetsCaptured}/${s.lostBySeq}`);
  }
  out.push(check('RTP streams', streams.size === expected.length, `${streams.size} vs ${expected.length}`));
  out.push(check('RTP packets and lost per stream', wrongStreams.length === 0, `${wrongStreams.length} wrong: ${wrongStreams.slice(0, 3).join('; ')}`));

  const regs = r.registrations ?? [];
  const sum = (k) => regs.reduce((a, x) => a + (x[k] ?? 0), 0);
  const n = t.registrations.length;
  out.push(check('registrations (successes, challenges)', sum('successes') === n && sum('challenges') === n, `${sum('successes')} successes, ${sum('challenges')} challenges vs ${n}`));
  return out;
}

async function startupRows() {
  log('start-up (5 runs each)…');
  const bare = [];
  const ours = [];
  let failed = null;
  for (let i = 0; i < 5; i++) {
    bare.push(await measure(NODE, ['-e', '0']));
    const r = await measure(VOIPDIAG, ['--version']);
    if (r.exitCode !== 0) failed = r;
    ours.push(r);
  }
  const bareWall = median(bare.map((r) => r.wallSec));
  const ourWall = median(ours.map((r) => r.wallSec));
  return [
    {
      section: 'startup',
      name: 'voipdiag --version',
      wallSec: ourWall,
      ratio: bareWall && ourWall ? bareWall / ourWall : null,
      anchor: 'node -e 0',
      peakRssMb: median(ours.map((r) => r.peakRssMb)),
      note: failed ? `FAILED (exit ${failed.exitCode}): ${lastLine(failed.stderr)}` : `${(ourWall / bareWall).toFixed(1)}× the time of bare node`,
    },
    {
      section: 'startup',
      name: 'node -e 0',
      wallSec: bareWall,
      ratio: 1,
      anchor: 'node -e 0',
      peakRssMb: median(bare.map((r) => r.peakRssMb)),
      note: 'anchor',
    },
  ];
}

function hostInfo() {
  const cpu = cpus();
  let tshark = null;
  try {
    tshark = execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    // absent
  }
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? null,
    memGb: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: { atStart: LOAD_AT_START, atEnd: loadavg()[0] },
    node: process.version,
    platform: process.platform,
    tshark,
  };
}

function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, dirty };
  } catch {
    return null;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
