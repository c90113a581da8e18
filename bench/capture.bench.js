// bench/capture.bench.js — how much live traffic `voipdiag capture` analyses without dropping a
// packet, on loopback, with the full analysis running (the same engine as analyze):
//
//  1. calls/s: sipp's built-in `uac` scenario (INVITE, 180, 200, ACK, -d ms of call, BYE, 200)
//     from two UAC processes, each to its own sipp `uas`, at rising rates (CAPTURE_BENCH_CPS,
//     CAPTURE_BENCH_STEP_SEC seconds each). A step passes when the capturer reports zero kernel
//     drops, the report has every call sipp created and every answer sipp counted, and sipp itself
//     kept the offered rate (otherwise the step measures sipp, and says so). The highest passing
//     step is the sustained rate.
//  1b. calls/s beyond what sipp can generate here: sipp's own dialogs (uac×2 → uas×2 at
//     CAPTURE_BENCH_RECORD_CPS for CAPTURE_BENCH_RECORD_SEC, recorded by tcpdump) replayed onto lo
//     by tcpreplay at CAPTURE_BENCH_REPLAY_CPS (packets/s = calls/s × packets per recorded call,
//     evenly paced, file order kept). Passes like a sipp step: zero drops, every recorded call
//     in the report, every answered one answered. On 2 CPUs sipp tops out near 4,000 calls/s
//     (its four processes share the CPUs with the capture), tcpreplay does not.
//  2. RTP packets/s: a bounded UDP flood of our own (this file, run with --rtp-generator):
//     CAPTURE_BENCH_RTP_STREAMS RTP streams (PCMU, 20 ms, own SSRC and 5-tuple each) for
//     CAPTURE_BENCH_RTP_SEC seconds at CAPTURE_BENCH_RTP_PPS packets/s in total, to closed ports on
//     127.0.0.1 (nothing answers; the kernel rate-limits its ICMP replies). Passes when no drop
//     is reported and every stream and packet is in the report with no loss.
//  For each: voipdiag's Node CPU (user+sys, from /proc), its peak RSS (VmHWM) and tcpdump's CPU,
//  and the anchor, measured in the same run on the same traffic: tshark (-z sip,stat or
//  -z rtp,streams, live on the same filter; CPU of tshark + dumpcap, its drop count).
//
//   node bench/capture.bench.js        # alone (needs `npm run build`, root, sipp, tcpdump, tshark)
//   npm run bench                      # picked up by bench/run.js as a plugin
//
// Everything stays on 127.0.0.1; every process is started here and stopped by its PID; every
// load is bounded by a count (sipp -m, the generator's packet budget) and by time (-timeout,
// --duration, a hard kill).
//
// Issue targets: 5,000 calls/s of full dialogs and 50,000 RTP packets/s with zero drops, RSS
// ≤ 150 MB. The numbers are what this machine measured; sipp and the capture share its CPUs.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPids, haveCommand } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'run.js');
const env = process.env;
const RATES = (env.CAPTURE_BENCH_CPS ?? '500,1000,2000,3000,4000,5000').split(',').map(Number).filter((x) => x > 0);
const STEP_SEC = Number(env.CAPTURE_BENCH_STEP_SEC ?? 5);
const CALL_MS = Number(env.CAPTURE_BENCH_CALL_MS ?? 500);
const RTP_PPS = Number(env.CAPTURE_BENCH_RTP_PPS ?? 50_000);
const RTP_SEC = Number(env.CAPTURE_BENCH_RTP_SEC ?? 5);
const RTP_STREAMS = Number(env.CAPTURE_BENCH_RTP_STREAMS ?? 1000);
const ANCHOR = env.CAPTURE_BENCH_ANCHOR !== '0';
const RECORD_CPS = Number(env.CAPTURE_BENCH_RECORD_CPS ?? 2000);
const RECORD_SEC = Number(env.CAPTURE_BENCH_RECORD_SEC ?? 20);
const REPLAY_CPS = (env.CAPTURE_BENCH_REPLAY_CPS ?? '5000,7500,10000').split(',').map(Number).filter((x) => x > 0);
const CLK_TCK = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- processes ------------------------------------------------------------------------------

/** Spawn directly (no shell); remember it so that nothing outlives the bench. */
const started = new Set();
function startProc(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, env: { ...process.env, ...opts.env } });
  const p = { child, pid: child.pid, out: '', err: '', exit: null };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => (p.out += d));
  child.stderr.on('data', (d) => (p.err = (p.err + d).slice(-65536)));
  p.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve((p.exit = { code, signal }))));
  child.on('error', (e) => {
    p.err += String(e);
  });
  started.add(p);
  void p.exited.then(() => started.delete(p));
  return p;
}

async function stopProc(p, signal = 'SIGTERM', graceMs = 5000) {
  if (p.exit) return p.exit;
  try {
    process.kill(p.pid, signal);
  } catch {
    /* gone */
  }
  const done = await Promise.race([p.exited, sleep(graceMs).then(() => null)]);
  if (done) return done;
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return p.exited;
}

process.on('exit', () => {
  for (const p of started) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** CPU seconds (user+sys) and peak RSS (MB) of a live process, 0 once it is gone. */
function procUsage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
    return { cpuSec: (Number(f[11]) + Number(f[12])) / CLK_TCK, hwmMb: kb('VmHWM'), rssMb: kb('VmRSS') };
  } catch {
    return null;
  }
}

/** Samples a process and its direct children (tcpdump, dumpcap) until stopped: last CPU, peak RSS. */
function sampler(pid) {
  const s = { cpuSec: 0, hwmMb: 0, rssMb: 0, children: new Map() };
  const tick = () => {
    const u = procUsage(pid);
    if (u) {
      s.cpuSec = u.cpuSec;
      s.hwmMb = Math.max(s.hwmMb, u.hwmMb);
      s.rssMb = Math.max(s.rssMb, u.rssMb);
    }
    for (const c of childPids(pid)) {
      const cu = procUsage(c);
      if (cu) s.children.set(c, cu.cpuSec);
    }
  };
  tick();
  const t = setInterval(tick, 100);
  return {
    /** Largest resident set so far (MB). */
    rssSoFar: () => s.rssMb,
    stop() {
      tick();
      clearInterval(t);
      return { cpuSec: s.cpuSec, hwmMb: s.hwmMb, childCpuSec: [...s.children.values()].reduce((a, b) => a + b, 0) };
    },
  };
}

// ---- ports ----------------------------------------------------------------------------------

async function udpFree(port) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind({ port, address: '0.0.0.0', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A block of `n` consecutive free UDP ports in 20000-40000. */
async function freeBlock(n) {
  for (let i = 0; i < 200; i++) {
    const base = 20000 + 10 * Math.floor(Math.random() * 2000);
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await udpFree(p);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free UDP ports`);
}

// ---- the capture under test -------------------------------------------------------------------

async function startCapture(filter, boundSec) {
  // The binary itself (its shebang carries the node flags users run with), not `node bin/run.js`.
  const p = startProc(BIN, ['capture', '-i', 'lo', '--filter', filter, '--duration', String(boundSec), '--json', '--progress'], {
    cwd: ROOT,
    env: { NO_COLOR: '1', NODE_NO_WARNINGS: '1', CI: '1' },
  });
  for (let i = 0; i < 300 && !/\d+ s: \d+ packets/.test(p.err) && !p.exit; i++) await sleep(50);
  if (p.exit) throw new Error(`voipdiag capture exited at start: ${p.err.trim().split('\n').pop()}`);
  return { p, usage: sampler(p.pid) };
}

async function finishCapture(cap) {
  await sleep(1500); // the capturer's last ring block
  const usage = cap.usage;
  // resident set while capturing, before the final report is built and printed
  const capturingRssMb = usage.rssSoFar();
  process.kill(cap.p.pid, 'SIGINT');
  const done = await Promise.race([cap.p.exited, sleep(60_000).then(() => null)]);
  const u = usage.stop();
  if (!done) {
    await stopProc(cap.p, 'SIGKILL', 1000);
    throw new Error('voipdiag capture did not stop within 60 s of SIGINT');
  }
  if (cap.p.exit.code !== 0) throw new Error(`voipdiag capture exited ${cap.p.exit.code}: ${cap.p.err.trim().split('\n').pop()}`);
  const env = JSON.parse(cap.p.out);
  return { result: env.result, warnings: env.warnings, nodeCpuSec: u.cpuSec, peakRssMb: u.hwmMb, capturingRssMb, tcpdumpCpuSec: u.childCpuSec };
}

// ---- the anchor: tshark live on the same filter --------------------------------------------------

async function startTshark(filter, stat) {
  const p = startProc('tshark', ['-i', 'lo', '-f', filter, '-n', '-q', '-o', 'rtp.heuristic_rtp:TRUE', '-z', stat, '-a', 'duration:120']);
  for (let i = 0; i < 300 && !/Capturing on/.test(p.err) && !p.exit; i++) await sleep(50);
  if (p.exit) throw new Error(`tshark exited at start: ${p.err.trim()}`);
  await sleep(300);
  return { p, usage: sampler(p.pid) };
}

async function finishTshark(t) {
  await sleep(1500);
  process.kill(t.p.pid, 'SIGINT');
  const done = await Promise.race([t.p.exited, sleep(60_000).then(() => null)]);
  const u = t.usage.stop();
  if (!done) await stopProc(t.p, 'SIGKILL', 1000);
  const captured = Number(/(\d+) packets? captured/.exec(t.p.err)?.[1] ?? NaN);
  const dropped = Number(/(\d+) packets? dropped/.exec(t.p.err)?.[1] ?? 0);
  return { cpuSec: u.cpuSec + u.childCpuSec, peakRssMb: u.hwmMb, captured, dropped, stdout: t.p.out };
}

// ---- calls/s with sipp ----------------------------------------------------------------------------

function sippStats(file) {
  let text = '';
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return { created: NaN, successful: NaN, failed: NaN };
  }
  const lines = text.split('\n').filter((l) => l.includes(';'));
  const head = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  const get = (k) => Number(last[head.indexOf(k)] ?? NaN);
  return { created: get('TotalCallCreated'), successful: get('SuccessfulCall(C)'), failed: get('FailedCall(C)') };
}

async function startUas(dir, port, cp, mp, maxCalls) {
  const p = startProc('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-cp', String(cp), '-mp', String(mp), '-nostdin', '-m', String(maxCalls), '-timeout', '900s'], { cwd: dir });
  for (let i = 0; i < 100 && !p.exit; i++) {
    if (!(await udpFree(port))) return p;
    await sleep(50);
  }
  throw new Error(`sipp uas on ${port} did not start: ${p.err.trim().split('\n').pop()}`);
}

async function runUac(dir, name, target, port, cp, mp, calls, rate) {
  const stf = join(dir, `${name}.csv`);
  const args = [
    '-sn', 'uac', target, '-i', '127.0.0.1', '-p', String(port), '-cp', String(cp), '-mp', String(mp),
    '-m', String(calls), '-r', String(rate), '-l', String(Math.max(100, Math.ceil(rate * (CALL_MS / 1000 + 2) * 2))),
    '-d', String(CALL_MS), '-nostdin', '-timeout', `${STEP_SEC + 30}s`, '-timeout_error',
    '-trace_stat', '-stf', stf, '-fd', '1',
  ];
  const t0 = performance.now();
  const p = startProc('sipp', args, { cwd: dir });
  const done = await Promise.race([p.exited, sleep((STEP_SEC + 45) * 1000).then(() => null)]);
  if (!done) await stopProc(p, 'SIGKILL', 1000);
  return { wallSec: (performance.now() - t0) / 1000, exit: p.exit, ...sippStats(stf) };
}

async function callStep(ctx, rate, withAnchor) {
  const calls = Math.round(rate * STEP_SEC);
  const half = Math.round(calls / 2);
  const dir = mkdtempSync(join(tmpdir(), 'voipdiag-capture-bench-'));
  // SIP on base..base+3 (the capture filter), control ports base+4..+7, media ports base+8..+23
  const base = await freeBlock(24);
  const [uas1, uas2, uac1, uac2] = [base, base + 1, base + 2, base + 3];
  const filter = `udp and portrange ${base}-${base + 3}`;
  const uases = [];
  let cap;
  let anchor;
  try {
    uases.push(await startUas(dir, uas1, base + 4, base + 8, half + 10), await startUas(dir, uas2, base + 5, base + 12, calls - half + 10));
    if (withAnchor) anchor = await startTshark(filter, 'sip,stat');
    else cap = await startCapture(filter, STEP_SEC + 120);
    const [a, b] = await Promise.all([
      runUac(dir, 'uac1', `127.0.0.1:${uas1}`, uac1, base + 6, base + 16, half, rate / 2),
      runUac(dir, 'uac2', `127.0.0.1:${uas2}`, uac2, base + 7, base + 20, calls - half, rate / 2),
    ]);
    const sipp = { created: a.created + b.created, successful: a.successful + b.successful, failed: a.failed + b.failed, wallSec: Math.max(a.wallSec, b.wallSec) };
    // sipp kept the offered rate if it created every call within the step plus the call length
    // and some slack, and none of its calls failed (a failed call is sipp's, not the capture's)
    const kept = sipp.created === calls && sipp.failed === 0 && sipp.wallSec <= STEP_SEC * 1.25 + CALL_MS / 1000 + 1.5;
    if (withAnchor) {
      const t = await finishTshark(anchor);
      const invites = Number(/INVITE\s*:\s*(\d+) Packets/.exec(t.stdout)?.[1] ?? NaN);
      return { rate, calls, sipp, kept, tshark: t, tsharkOk: t.dropped === 0 && invites >= sipp.created /* retransmissions included */ };
    }
    const r = await finishCapture(cap);
    const report = r.result;
    // every call, also those whose rows the live row cap dropped: the RFC 6076 counts
    const callsSeen = report.rfc6076.attempts;
    const answered = report.rfc6076.answered;
    const dropped = report.capture.drops?.dropped ?? NaN;
    // the capture kept up: no drop, every call sipp created, and (when sipp's own calls all
    // succeeded) exactly sipp's answered calls; sipp's failures are judged by `kept`
    const ok = dropped === 0 && callsSeen === sipp.created && (sipp.failed !== 0 || answered === sipp.successful);
    ctx.log(
      `capture-bench: ${rate} calls/s × ${STEP_SEC} s: sipp created ${sipp.created}/${calls} (ok ${sipp.successful}) in ${sipp.wallSec.toFixed(1)} s` +
        `${kept ? '' : ' (sipp fell behind)'}; capture: ${callsSeen} calls, ${answered} answered, ${report.capture.packets} packets, drops ${dropped}; ` +
        `node CPU ${r.nodeCpuSec.toFixed(1)} s, RSS ${r.capturingRssMb.toFixed(0)} MB capturing / ${r.peakRssMb.toFixed(0)} MB peak with the report, tcpdump CPU ${r.tcpdumpCpuSec.toFixed(1)} s`,
    );
    return { rate, calls, sipp, kept, ok, report, callsSeen, ...r };
  } finally {
    if (cap && !cap.p.exit) await stopProc(cap.p, 'SIGINT', 10_000);
    if (anchor && !anchor.p.exit) await stopProc(anchor.p, 'SIGINT', 10_000);
    for (const u of uases) await stopProc(u, 'SIGTERM', 3000);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- calls/s beyond sipp: its recorded dialogs replayed by tcpreplay ----------------------------

/** sipp uac×2 → uas×2 at `rate` for `sec`, recorded by tcpdump into dir/calls.pcap. */
async function recordCalls(ctx, dir, rate, sec) {
  const calls = Math.round(rate * sec);
  const half = Math.round(calls / 2);
  const base = await freeBlock(24);
  const [uas1, uas2, uac1, uac2] = [base, base + 1, base + 2, base + 3];
  const filter = `udp and portrange ${base}-${base + 3}`;
  const pcap = join(dir, 'calls.pcap');
  const uases = [];
  const rec = startProc('tcpdump', ['-i', 'lo', '-s', '0', '-B', '65536', '-U', '-n', '-w', pcap, filter]);
  try {
    for (let i = 0; i < 100 && !/listening on/.test(rec.err) && !rec.exit; i++) await sleep(50);
    if (rec.exit) throw new Error(`tcpdump exited at start: ${rec.err.trim()}`);
    uases.push(await startUas(dir, uas1, base + 4, base + 8, half + 10), await startUas(dir, uas2, base + 5, base + 12, calls - half + 10));
    const [a, b] = await Promise.all([
      runUac(dir, 'uac1', `127.0.0.1:${uas1}`, uac1, base + 6, base + 16, half, rate / 2),
      runUac(dir, 'uac2', `127.0.0.1:${uas2}`, uac2, base + 7, base + 20, calls - half, rate / 2),
    ]);
    await sleep(1500);
    await stopProc(rec, 'SIGINT', 10_000);
    const captured = Number(/(\d+) packets? captured/.exec(rec.err)?.[1] ?? NaN);
    const dropped = Number(/(\d+) packets? dropped by kernel/.exec(rec.err)?.[1] ?? NaN);
    const sipp = { created: a.created + b.created, successful: a.successful + b.successful, failed: a.failed + b.failed };
    ctx.log(`capture-bench: recorded sipp ${sipp.created} calls (${sipp.successful} ok, ${sipp.failed} failed) at ${rate} calls/s: ${captured} packets, tcpdump dropped ${dropped}`);
    return { pcap, filter, sipp, packets: captured, dropped };
  } finally {
    if (!rec.exit) await stopProc(rec, 'SIGINT', 5000);
    for (const u of uases) await stopProc(u, 'SIGTERM', 3000);
  }
}

async function replayStep(ctx, recording, rate) {
  const perCall = recording.packets / recording.sipp.created;
  const pps = Math.round(rate * perCall);
  const cap = await startCapture(recording.filter, Math.ceil(recording.packets / pps) + 120);
  try {
    const t = startProc('tcpreplay', ['-i', 'lo', '--pps', String(pps), '--pps-multi', '16', recording.pcap]);
    const bound = (recording.packets / pps) * 3 + 20;
    const done = await Promise.race([t.exited, sleep(bound * 1000).then(() => null)]);
    if (!done) await stopProc(t, 'SIGKILL', 1000);
    const m = /Actual: (\d+) packets .* sent in ([\d.]+) seconds/.exec(t.out + t.err);
    const sent = Number(m?.[1] ?? NaN);
    const seconds = Number(m?.[2] ?? NaN);
    const r = await finishCapture(cap);
    const report = r.result;
    // every call, also those whose rows the live row cap (20,000) dropped: the RFC 6076 counts
    const calls = report.rfc6076.attempts;
    const answered = report.rfc6076.answered;
    const dropped = report.capture.drops?.dropped ?? NaN;
    const achieved = (sent / perCall) / seconds;
    const ok = sent === recording.packets && dropped === 0 && calls === recording.sipp.created && answered === recording.sipp.successful;
    ctx.log(
      `capture-bench: replay at ${rate} calls/s (${pps} packets/s): tcpreplay sent ${sent} in ${seconds.toFixed(2)} s (${achieved.toFixed(0)} calls/s); ` +
        `capture: ${calls}/${recording.sipp.created} calls, ${answered} answered, ${report.capture.packets} packets, drops ${dropped}; ` +
        `node CPU ${r.nodeCpuSec.toFixed(1)} s, RSS ${r.capturingRssMb.toFixed(0)} MB capturing / ${r.peakRssMb.toFixed(0)} MB peak with the report`,
    );
    return { rate, achieved, seconds, sent, ok, report, calls, answered, dropped, ...r };
  } finally {
    if (!cap.p.exit) await stopProc(cap.p, 'SIGINT', 10_000);
  }
}

// ---- RTP packets/s with our own generator ----------------------------------------------------------

/**
 * The generator, run as `node bench/capture.bench.js --rtp-generator SRC_BASE DST_BASE PPS SEC
 * STREAMS`: STREAMS RTP streams = sources SRC_BASE.. × destinations DST_BASE.. (closed ports on
 * 127.0.0.1), PCMU (PT 0), 160-byte payloads, seq +1 and timestamp +160 per packet, each its own
 * SSRC. Sends PPS packets/s in total, paced every 2 ms against the clock, until PPS × SEC
 * packets are sent or SEC + 5 s have passed. Prints {"sent":N,"seconds":S} on stdout.
 */
async function rtpGenerator([srcBase, dstBase, pps, sec, streams]) {
  const nSrc = Math.min(50, streams);
  const nDst = Math.ceil(streams / nSrc);
  const socks = [];
  for (let i = 0; i < nSrc; i++) {
    const s = dgram.createSocket({ type: 'udp4', sendBufferSize: 1 << 20 });
    await new Promise((r) => s.bind(srcBase + i, '127.0.0.1', r));
    socks.push(s);
  }
  const state = [];
  for (let k = 0; k < streams; k++) {
    const pkt = Buffer.alloc(12 + 160, 0xff);
    pkt[0] = 0x80;
    pkt[1] = 0;
    pkt.writeUInt32BE((0x10000000 + k * 7919) >>> 0, 8);
    state.push({ sock: socks[k % nSrc], port: dstBase + Math.floor(k / nSrc), seq: (k * 97) & 0xffff, ts: k * 1000, pkt });
  }
  const total = pps * sec;
  const t0 = performance.now();
  let sent = 0;
  let next = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = (performance.now() - t0) / 1000;
      const due = Math.min(total, Math.floor(elapsed * pps));
      while (sent < due) {
        const st = state[next];
        next = (next + 1) % streams;
        const p = Buffer.from(st.pkt);
        p.writeUInt16BE(st.seq, 2);
        p.writeUInt32BE(st.ts >>> 0, 4);
        st.seq = (st.seq + 1) & 0xffff;
        st.ts += 160;
        st.sock.send(p, st.port, '127.0.0.1');
        sent++;
      }
      if (sent >= total || elapsed > sec + 5) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  const seconds = (performance.now() - t0) / 1000;
  await sleep(200);
  for (const s of socks) s.close();
  process.stdout.write(JSON.stringify({ sent, seconds, nSrc, nDst }) + '\n');
}

async function rtpStep(ctx, withAnchor) {
  const base = await freeBlock(100);
  const src = base;
  const dst = base + 50;
  const filter = `udp and portrange ${base}-${base + 99}`;
  let cap;
  let anchor;
  try {
    if (withAnchor) anchor = await startTshark(filter, 'rtp,streams');
    else cap = await startCapture(filter, RTP_SEC + 120);
    const gen = startProc(process.execPath, [fileURLToPath(import.meta.url), '--rtp-generator', String(src), String(dst), String(RTP_PPS), String(RTP_SEC), String(RTP_STREAMS)]);
    const done = await Promise.race([gen.exited, sleep((RTP_SEC + 20) * 1000).then(() => null)]);
    if (!done) await stopProc(gen, 'SIGKILL', 1000);
    const g = JSON.parse(gen.out.trim().split('\n').pop() ?? '{}');
    if (withAnchor) {
      const t = await finishTshark(anchor);
      return { gen: g, tshark: t };
    }
    const r = await finishCapture(cap);
    const streams = r.result.rtp.streams;
    const packets = streams.reduce((n, s) => n + s.packets, 0);
    const lost = streams.reduce((n, s) => n + Math.max(0, s.lost), 0);
    const dropped = r.result.capture.drops?.dropped ?? NaN;
    const ok = dropped === 0 && streams.length === RTP_STREAMS && packets === g.sent && lost === 0;
    ctx.log(
      `capture-bench: RTP ${g.sent} packets in ${g.seconds?.toFixed(2)} s (${(g.sent / g.seconds).toFixed(0)}/s) over ${RTP_STREAMS} streams: ` +
        `capture ${streams.length} streams, ${packets} packets, lost ${lost}, drops ${dropped}; node CPU ${r.nodeCpuSec.toFixed(1)} s, RSS ${r.peakRssMb.toFixed(0)} MB, tcpdump CPU ${r.tcpdumpCpuSec.toFixed(1)} s`,
    );
    return { gen: g, ok, streams: streams.length, packets, lost, dropped, ...r };
  } finally {
    if (cap && !cap.p.exit) await stopProc(cap.p, 'SIGINT', 10_000);
    if (anchor && !anchor.p.exit) await stopProc(anchor.p, 'SIGINT', 10_000);
  }
}

// ---- the plugin --------------------------------------------------------------------------------

export async function run(ctx) {
  const log = ctx?.log ?? ((m) => process.stderr.write(`${m}\n`));
  const c = { log };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { rows: [{ name: 'capture', note: 'skipped: needs root (tcpdump on lo)' }], checks: [] };
  }
  const rows = [];
  const checks = [];
  log(`capture-bench: ${cpus().length} CPUs; call steps ${RATES.join(', ')} calls/s × ${STEP_SEC} s (calls of ${CALL_MS} ms); RTP ${RTP_PPS} packets/s × ${RTP_SEC} s`);

  // 1. calls/s, rising until the capture or sipp gives up
  let best = null;
  let last = null;
  for (const rate of RATES) {
    const s = await callStep(c, rate, false);
    last = s;
    const perCall = s.nodeCpuSec / Math.max(1, s.callsSeen);
    rows.push({
      name: `capture, ${rate} calls/s offered (sipp uac×2 → uas×2)`,
      wallSec: s.sipp.wallSec,
      rate: s.sipp.created / Math.max(s.sipp.wallSec - CALL_MS / 1000, 0.001),
      rateUnit: 'calls/s',
      peakRssMb: s.peakRssMb,
      note:
        `${s.ok ? 'ok' : 'FAIL'}: drops ${s.report.capture.drops?.dropped}, calls ${s.callsSeen}/${s.sipp.created}, ` +
        `node CPU ${s.nodeCpuSec.toFixed(1)} s (${(perCall * 1e6).toFixed(0)} µs/call), tcpdump ${s.tcpdumpCpuSec.toFixed(1)} s` +
        `, RSS ${s.capturingRssMb.toFixed(0)} MB while capturing` +
        (s.kept ? '' : `; sipp could not keep the rate (${s.sipp.failed} of its calls failed)`),
    });
    if (!s.ok || !s.kept) break;
    best = s;
  }
  const limitedBy = !last
    ? 'nothing ran'
    : !last.ok
      ? `the capture (drops or missing calls at ${last.rate} calls/s)`
      : !last.kept
        ? `sipp (the generator) at ${last.rate} calls/s, where the capture still had 0 drops and all ${last.callsSeen} calls`
        : 'the highest rate tried';
  rows.push({
    name: 'capture: highest calls/s with zero drops and every call analysed',
    rate: best ? best.sipp.created / Math.max(best.sipp.wallSec - CALL_MS / 1000, 0.001) : 0,
    rateUnit: 'calls/s',
    peakRssMb: best?.peakRssMb,
    note: `target 5,000 calls/s; limited by ${limitedBy}`,
  });
  checks.push({ name: 'capture sustains the lowest call rate with zero drops', ok: best !== null || (last?.ok ?? false), detail: last ? `${last.rate} calls/s failed` : undefined });

  // anchor for calls: tshark -z sip,stat live, same traffic as the best step
  if (ANCHOR && best) {
    const a = await callStep(c, best.rate, true);
    rows.push({
      name: `anchor: tshark -z sip,stat live, ${best.rate} calls/s`,
      rate: a.sipp.created / Math.max(a.sipp.wallSec - CALL_MS / 1000, 0.001),
      rateUnit: 'calls/s',
      peakRssMb: a.tshark.peakRssMb,
      ratio: a.tshark.cpuSec > 0 ? a.tshark.cpuSec / (best.nodeCpuSec + best.tcpdumpCpuSec) : undefined,
      note: `tshark+dumpcap CPU ${a.tshark.cpuSec.toFixed(1)} s, dropped ${a.tshark.dropped}${a.tsharkOk ? '' : ' (missed INVITEs)'}, sipp reached ${Math.round(a.sipp.created / Math.max(a.sipp.wallSec - CALL_MS / 1000, 0.001))} calls/s beside it; ratio = its CPU ÷ voipdiag's (node + tcpdump)`,
    });
  }

  // 1b. calls/s beyond sipp: sipp's recorded dialogs replayed by tcpreplay
  let bestReplay = null;
  if (REPLAY_CPS.length > 0 && !haveCommand('tcpreplay')) {
    rows.push({ name: 'capture, replayed sipp dialogs', note: 'skipped: tcpreplay not installed (apt-get install tcpreplay)' });
  } else if (REPLAY_CPS.length > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'voipdiag-capture-replay-'));
    try {
      const rec = await recordCalls(c, dir, RECORD_CPS, RECORD_SEC);
      if (rec.dropped !== 0 || rec.sipp.failed !== 0 || !(rec.sipp.created > 0)) {
        rows.push({ name: 'capture, replayed sipp dialogs', note: `skipped: the recording is not clean (tcpdump dropped ${rec.dropped}, sipp failed ${rec.sipp.failed})` });
      } else {
        for (const rate of REPLAY_CPS) {
          const s = await replayStep(c, rec, rate);
          rows.push({
            name: `capture, sipp's ${rec.sipp.created} recorded dialogs replayed at ${rate} calls/s (tcpreplay)`,
            wallSec: s.seconds,
            rate: s.achieved,
            rateUnit: 'calls/s',
            peakRssMb: s.peakRssMb,
            note:
              `${s.ok ? 'ok' : 'FAIL'}: drops ${s.dropped}, calls ${s.calls}/${rec.sipp.created}, answered ${s.answered}/${rec.sipp.successful}, ` +
              `node CPU ${s.nodeCpuSec.toFixed(1)} s (${((s.nodeCpuSec / Math.max(1, s.calls)) * 1e6).toFixed(0)} µs/call), RSS ${s.capturingRssMb.toFixed(0)} MB while capturing`,
          });
          if (!s.ok) break;
          bestReplay = s;
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    rows.push({
      name: 'capture: highest replayed calls/s with zero drops and every call analysed',
      rate: bestReplay?.achieved ?? 0,
      rateUnit: 'calls/s',
      peakRssMb: bestReplay?.peakRssMb,
      note: `target 5,000 calls/s: ${bestReplay && bestReplay.achieved >= 5000 * 0.98 ? 'met' : 'NOT met'}`,
    });
    checks.push({ name: 'capture keeps up with 5,000 replayed calls/s', ok: bestReplay !== null && bestReplay.achieved >= 5000 * 0.98, detail: bestReplay ? `best ${bestReplay.achieved.toFixed(0)} calls/s` : 'no replay step passed' });
  }

  // 2. RTP packets/s
  const r = await rtpStep(c, false);
  rows.push({
    name: `capture, RTP flood ${RTP_PPS} packets/s × ${RTP_SEC} s, ${RTP_STREAMS} streams`,
    wallSec: r.gen.seconds,
    rate: r.gen.sent / r.gen.seconds,
    rateUnit: 'pkt/s',
    peakRssMb: r.peakRssMb,
    note: `${r.ok ? 'ok' : 'FAIL'}: drops ${r.dropped}, streams ${r.streams}/${RTP_STREAMS}, packets ${r.packets}/${r.gen.sent}, lost ${r.lost}; node CPU ${r.nodeCpuSec.toFixed(1)} s (${((r.nodeCpuSec / Math.max(1, r.packets)) * 1e6).toFixed(1)} µs/pkt), tcpdump ${r.tcpdumpCpuSec.toFixed(1)} s, RSS ${r.capturingRssMb.toFixed(0)} MB while capturing`,
  });
  checks.push({ name: `capture analyses ${RTP_PPS} RTP packets/s with zero drops`, ok: r.ok, detail: `drops ${r.dropped}, packets ${r.packets}/${r.gen.sent}, streams ${r.streams}` });
  if (ANCHOR) {
    const a = await rtpStep(c, true);
    const tsharkStreams = (a.tshark.stdout.match(/^\s*[\d.]+\s+[\d.]+\s+\S+\s+\d+\s+\S+\s+\d+\s+0x/gm) ?? []).length;
    rows.push({
      name: `anchor: tshark -z rtp,streams live, same flood`,
      wallSec: a.gen.seconds,
      rate: a.gen.sent / a.gen.seconds,
      rateUnit: 'pkt/s',
      peakRssMb: a.tshark.peakRssMb,
      ratio: a.tshark.cpuSec > 0 ? a.tshark.cpuSec / (r.nodeCpuSec + r.tcpdumpCpuSec) : undefined,
      note: `tshark+dumpcap CPU ${a.tshark.cpuSec.toFixed(1)} s, captured ${a.tshark.captured}, dropped ${a.tshark.dropped}, ${tsharkStreams} streams; ratio = its CPU ÷ voipdiag's`,
    });
  }
  const capturing = Math.max(best?.capturingRssMb ?? 0, bestReplay?.capturingRssMb ?? 0, r.capturingRssMb ?? 0);
  const peak = Math.max(best?.peakRssMb ?? 0, bestReplay?.peakRssMb ?? 0, r.peakRssMb ?? 0);
  rows.push({
    name: 'capture: Node RSS at the highest passing call rates (sipp, replay) and the RTP flood',
    peakRssMb: peak,
    note: `${capturing.toFixed(0)} MB while capturing, ${peak.toFixed(0)} MB peak with the final report; target ≤ 150 MB: ${peak <= 150 ? 'met' : capturing <= 150 ? 'met while capturing, not with the report' : 'NOT met'}`,
  });
  return { rows, checks };
}

// ---- alone ----------------------------------------------------------------------------------------

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  if (process.argv[2] === '--rtp-generator') {
    await rtpGenerator(process.argv.slice(3, 8).map(Number));
  } else {
    const { formatTable } = await import('./lib.js');
    const out = await run(null);
    process.stdout.write(formatTable(out.rows.map((r) => ({ section: 'capture', ...r }))));
    for (const ch of out.checks) process.stdout.write(`  ${ch.ok ? 'ok  ' : 'FAIL'}  ${ch.name}${ch.ok || !ch.detail ? '' : ` — ${ch.detail}`}\n`);
  }
}
