// bench/probe-bench.bench.js — OPTIONS round-trip time on loopback: voipdiag probe against
// sipsak (the anchor), same kamailio, same run, interleaved rounds so both see the same load.
//
//   node bench/probe-bench.bench.js          # alone (needs `npm run build`, kamailio, sipsak)
//   npm run bench                            # picked up by bench/run.js as a plugin
//
// kamailio (test/harness/kamailio/kamailio.cfg, UDP only) is started on a free 127.0.0.1 port
// and stopped by its PID at the end. Each round: one `voipdiag probe --count N --interval 20ms
// --json` (N RTTs from one process) and N `sipsak -vv -s` processes (one RTT each, "reply
// received after X ms"), and N requests from a bare Node dgram socket in this process (the floor
// for any Node tool). Reported: the median RTT of each, voipdiag − sipsak, and the CLI start-up
// time (`voipdiag --version`, median of 5). Informs only; bounded: ROUNDS × 3N requests.
//
// The wire: tcpdump records every request and answer (when it can run), and the OPTIONS
// request → answer delays on the wire (kernel timestamps, voipdiag analyze of that pcap) give the
// floor no client can beat. sipsak 0.5.x reports some round trips of 3–20 µs on this machine,
// far below that floor (a timer artefact of sipsak, not a round trip): such samples are counted
// and left out of sipsak's median, which would otherwise measure the artefact.
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPids } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CFG = join(ROOT, 'test', 'harness', 'kamailio', 'kamailio.cfg');
const ROUNDS = Number(process.env.PROBE_BENCH_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.PROBE_BENCH_N ?? 20);
const TOLERANCE_MS = 0.3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function exec(cmd, args, timeoutMs = 30_000) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), wallMs: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function portFree(port) {
  const udp = await new Promise((r) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => r(false));
    s.bind(port, '127.0.0.1', () => s.close(() => r(true)));
  });
  if (!udp) return false;
  return new Promise((r) => {
    const srv = createServer();
    srv.once('error', () => r(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => r(true)));
  });
}

async function startKamailio() {
  let port = 0;
  for (let i = 0; i < 50 && port === 0; i++) {
    const p = 21000 + 2 * Math.floor(Math.random() * 2000);
    if (await portFree(p)) port = p;
  }
  if (port === 0) throw new Error('no free port for kamailio');
  const dir = mkdtempSync(join(tmpdir(), 'voipdiag-probe-bench-'));
  const child = spawn('kamailio', ['-f', CFG, '-DD', '-E', '-Y', dir, '-P', join(dir, 'k.pid'), '-m', '64', '-M', '8', '-l', `udp:127.0.0.1:${port}`, '-l', `tcp:127.0.0.1:${port}`, '-A', 'LOG_LEVEL=1'], {
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    const workers = childPids(child.pid);
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await Promise.race([exited, sleep(5000)]);
    for (const w of [child.pid, ...workers]) {
      try {
        process.kill(w, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const r = await exec('sipsak', ['-s', `sip:ping@127.0.0.1:${port}`], 3000);
    if (r.code === 0) return { port, stop };
    await sleep(100);
  }
  await stop();
  throw new Error('kamailio did not answer OPTIONS within 10 s');
}

async function voipdiagRtts(node, bin, port) {
  const r = await exec(node, [bin, 'probe', `sip:ping@127.0.0.1:${port}`, '--count', String(PER_ROUND), '--interval', '20ms', '--json']);
  if (r.code !== 0) throw new Error(`voipdiag probe exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout).result.targets[0].probes.map((p) => p.rttMs).filter((x) => typeof x === 'number');
}

/** The floor for any Node tool: a bare connected dgram socket, same request, same pacing. */
async function nodeFloorRtts(port) {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  await new Promise((r) => s.connect(port, '127.0.0.1', r));
  const lp = s.address().port;
  const out = [];
  try {
    for (let i = 1; i <= PER_ROUND; i++) {
      const msg =
        `OPTIONS sip:ping@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bKfloor${i}x${Date.now()};rport\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:bench@127.0.0.1>;tag=f${i}\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: floor${i}.${Date.now()}@127.0.0.1\r\n` +
        `CSeq: ${i} OPTIONS\r\nContent-Length: 0\r\n\r\n`;
      const got = new Promise((r) => {
        const t = setTimeout(() => r(null), 2000);
        s.once('message', () => {
          clearTimeout(t);
          r(process.hrtime.bigint());
        });
      });
      const t0 = process.hrtime.bigint();
      s.send(msg);
      const t1 = await got;
      if (t1 !== null) out.push(Number(t1 - t0) / 1e6);
      await sleep(20);
    }
  } finally {
    s.close();
  }
  return out;
}

async function sipsakRtts(port) {
  const out = [];
  for (let i = 0; i < PER_ROUND; i++) {
    const r = await exec('sipsak', ['-vv', '-s', `sip:ping@127.0.0.1:${port}`], 5000);
    const m = /reply received after ([0-9.]+) ms/.exec(r.stdout + r.stderr);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

export async function measureProbe({ node = process.execPath, withStartup = true, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const bin = join(ROOT, 'bin', 'run.js');
  const kam = await startKamailio();
  const ours = [];
  const anchor = [];
  const floor = [];
  const dir = mkdtempSync(join(tmpdir(), 'voipdiag-probe-wire-'));
  const pcap = join(dir, 'wire.pcap');
  let wire = null;
  try {
    log(`probe-bench: kamailio on 127.0.0.1:${kam.port}, ${ROUNDS} rounds × ${PER_ROUND} requests each`);
    const rec = await startWire(pcap, kam.port);
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(...(await voipdiagRtts(node, bin, kam.port)));
      anchor.push(...(await sipsakRtts(kam.port)));
      floor.push(...(await nodeFloorRtts(kam.port)));
    }
    if (rec) {
      await sleep(300);
      rec.kill('SIGINT');
      await new Promise((r) => rec.once('exit', r));
      const a = await exec(node, [bin, 'analyze', pcap, '--json'], 60_000);
      try {
        wire = JSON.parse(a.stdout).result.sip.optionsRttMs;
      } catch {
        wire = null;
      }
    }
  } finally {
    await kam.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // A client cannot see an answer before it is on the wire: sipsak's samples below the wire's
  // fastest OPTIONS round trip are its timer artefact, not round trips.
  const wireMin = wire?.min ?? 0;
  const plausible = anchor.filter((x) => x >= wireMin);
  const startup = [];
  if (withStartup) for (let i = 0; i < 5; i++) startup.push((await exec(node, [bin, '--version'])).wallMs);
  const oursMs = median(ours);
  const anchorMs = median(plausible);
  return {
    oursMs,
    anchorMs,
    nodeFloorMs: median(floor),
    wire,
    anchorImplausible: anchor.length - plausible.length,
    deltaMs: oursMs - anchorMs,
    samples: { ours: ours.length, anchor: plausible.length, floor: floor.length },
    startupMs: withStartup ? median(startup) : null,
  };
}

/** tcpdump on lo for the kamailio port, or null when it cannot run (not root, not installed). */
async function startWire(pcap, port) {
  const p = spawn('tcpdump', ['-i', 'lo', '-n', '-s', '0', '-U', '-w', pcap, `udp port ${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const ok = await Promise.race([
    new Promise((r) => p.once('error', () => r(false))),
    new Promise((r) => p.once('exit', () => r(false))),
    (async () => {
      for (let i = 0; i < 100 && !/listening on/.test(err); i++) await sleep(50);
      return /listening on/.test(err);
    })(),
  ]);
  if (!ok) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
    return null;
  }
  return p;
}

function rowsOf(m) {
  const wireNote = m.wire
    ? `; wire (tcpdump) min ${m.wire.min} / median ${m.wire.p50} ms; ${m.anchorImplausible} sipsak samples below the wire minimum left out (sipsak's timer artefact)`
    : '; no wire capture (tcpdump unavailable): sipsak samples unfiltered';
  const rows = [
    { name: 'sipsak OPTIONS RTT (median)', rate: m.anchorMs, rateUnit: 'ms', note: `anchor, ${m.samples.anchor} requests (one process each)${wireNote}` },
    {
      name: 'voipdiag probe OPTIONS RTT (median)',
      rate: m.oursMs,
      rateUnit: 'ms',
      ratio: m.anchorMs / m.oursMs,
      anchor: 'sipsak OPTIONS RTT (median)',
      note: `${m.samples.ours} requests; Δ ${m.deltaMs >= 0 ? '+' : ''}${m.deltaMs.toFixed(3)} ms vs sipsak (ratio > 1: lower RTT)`,
    },
  ];
  rows.push({ name: 'bare Node dgram OPTIONS RTT (median)', rate: m.nodeFloorMs, rateUnit: 'ms', note: `${m.samples.floor} requests: what any Node tool can reach here` });
  if (m.startupMs !== null) rows.push({ name: 'voipdiag --version (start-up)', wallSec: m.startupMs / 1000, note: 'median of 5' });
  return rows;
}

/** bench/run.js plugin entry (run.js measures start-up itself). */
export async function run(ctx) {
  const m = await measureProbe({ node: ctx.node, withStartup: false, log: ctx.log });
  return {
    rows: rowsOf(m),
    checks: [{ name: `voipdiag median OPTIONS RTT within ${TOLERANCE_MS} ms of sipsak's`, ok: Math.abs(m.deltaMs) <= TOLERANCE_MS, detail: `Δ ${m.deltaMs.toFixed(3)} ms` }],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await measureProbe();
  for (const r of rowsOf(m)) {
    const value = r.rate !== undefined ? `${r.rate.toFixed(3)} ${r.rateUnit}` : `${(r.wallSec * 1000).toFixed(0)} ms`;
    process.stdout.write(`${r.name.padEnd(40)} ${value.padStart(12)}  ${r.note}\n`);
  }
  const ok = Math.abs(m.deltaMs) <= TOLERANCE_MS;
  process.stdout.write(`\n${ok ? 'ok' : 'NOT ok'}: voipdiag's median is ${Math.abs(m.deltaMs).toFixed(3)} ms ${m.deltaMs >= 0 ? 'above' : 'below'} sipsak's (tolerance ${TOLERANCE_MS} ms)\n`);
  process.stdout.write(JSON.stringify({ probeBench: m }) + '\n');
}
