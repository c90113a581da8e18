// bench/lib.js - measuring helpers shared by bench/run.js and the bench/*.bench.js plugins.
//
// A measurement is one child process: wall time (hrtime around the spawn) and peak RSS.
// Peak RSS comes from GNU time (`/usr/bin/time -f "%e %M" -o FILE`) when it is installed,
// otherwise from polling /proc/PID/status (VmHWM) every 10 ms while the child runs.
// Nothing is installed by the bench.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';
export const haveGnuTime =
  existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%e %M', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] }).status === 0;

/** Is `cmd --version` runnable? */
export function haveCommand(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** PIDs whose parent is `pid` (from /proc/PID/stat). */
export function childPids(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

export function median(xs) {
  const s = xs.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Run `cmd args` once. stdout goes to `stdoutPath` (default /dev/null); stderr is kept (last
 * 4 KiB) for error reports. Returns { wallSec, peakRssMb, exitCode, stderr }.
 */
export async function measure(cmd, args, opts = {}) {
  const stdoutFd = openSync(opts.stdoutPath ?? '/dev/null', 'w');
  const timeFile = join(tmpdir(), `voipdiag-bench-time-${process.pid}-${Date.now()}.txt`);
  const argv = haveGnuTime ? [GNU_TIME, ['-f', '%e %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  let stderr = '';
  let hwmKb = null;
  const started = process.hrtime.bigint();
  const exitCode = await new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv[1], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', stdoutFd, 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      stderr = (stderr + s).slice(-4096);
    });
    let poll = null;
    if (!haveGnuTime) {
      const readHwm = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwmKb = Math.max(hwmKb ?? 0, Number(m[1]));
        } catch {
          // the process is gone; keep the last value
        }
      };
      poll = setInterval(readHwm, 10);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(stdoutFd);
  let peakRssMb = hwmKb === null ? null : hwmKb / 1024;
  if (haveGnuTime) {
    try {
      const [, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ');
      peakRssMb = Number(kb) / 1024;
    } catch {
      peakRssMb = null;
    }
    rmSync(timeFile, { force: true });
  }
  return { wallSec, peakRssMb, exitCode, stderr };
}

/**
 * `runs` measurements of the same command; the first run's stdout can be kept
 * (`firstStdoutPath`) to check its answer, the others go to /dev/null.
 * Returns { wallSec (median), peakRssMb (median), runs: [...], exitCode (first non-zero or 0), stderr }.
 */
export async function measureRuns(cmd, args, runs, opts = {}) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const r = await measure(cmd, args, { ...opts, stdoutPath: i === 0 ? opts.firstStdoutPath : undefined });
    all.push(r);
    if (r.exitCode !== 0) break; // a failing command is not timed again
  }
  const failed = all.find((r) => r.exitCode !== 0);
  return {
    wallSec: median(all.map((r) => r.wallSec)),
    peakRssMb: median(all.map((r) => r.peakRssMb)),
    runs: all.map((r) => ({ wallSec: r.wallSec, peakRssMb: r.peakRssMb })),
    exitCode: failed ? failed.exitCode : 0,
    stderr: failed ? failed.stderr : '',
  };
}

/** Last non-empty stderr line, for a one-line failure note. */
export function lastLine(text) {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  );
}

/**
 * Rows are what benches return; run.js prints them as one table:
 *   { section, name, wallSec?, rate?, rateUnit?, ratio?, anchor?, peakRssMb?, note? }
 * `ratio` is this row's rate divided by its anchor's rate measured in the same run (> 1: faster
 * than the anchor); `anchor` names the anchor row.
 */
export function formatTable(rows) {
  const head = ['bench', 'command', 'wall s', 'rate', 'ratio', 'peak RSS MB', 'note'];
  const body = rows.map((r) => [
    r.section ?? '',
    r.name,
    r.wallSec == null ? '-' : r.wallSec.toFixed(r.wallSec < 1 ? 3 : 2),
    r.rate == null ? '-' : `${formatRate(r.rate)} ${r.rateUnit ?? ''}`.trim(),
    r.ratio == null ? '-' : `${r.ratio.toFixed(2)}×`,
    r.peakRssMb == null ? '-' : r.peakRssMb.toFixed(0),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const numeric = [false, false, true, true, true, true, false];
  const line = (cells) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

export function formatRate(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(0)} k`;
  if (x >= 100) return x.toFixed(0);
  return x.toFixed(2);
}

/** `tshark -z sip,stat` text → { messages, resent, requests, responses }. */
export function parseSipStat(text) {
  const requests = {};
  const responses = {};
  let section = null;
  for (const line of text.split('\n')) {
    if (line.includes('SIP Status Codes')) section = 'codes';
    else if (line.includes('List of SIP Request methods')) section = 'methods';
    else if (line.startsWith('* ')) section = null;
    const m = /^\s+(?:SIP (\d{3}) .*?|(\S+))\s*:\s+(\d+) Packets/.exec(line);
    if (!m) continue;
    if (section === 'codes' && m[1]) responses[m[1]] = Number(m[3]);
    if (section === 'methods' && m[2]) requests[m[2]] = Number(m[3]);
  }
  const num = (re) => Number(re.exec(text)?.[1] ?? NaN);
  return { messages: num(/Number of SIP messages: (\d+)/), resent: num(/Number of resent SIP messages: (\d+)/), requests, responses };
}

/** `tshark -z rtp,streams` rows → Map "src dst ssrc" → { packets, lost, payload }. */
export function parseRtpStreams(text) {
  const out = new Map();
  const row = /^\s*[\d.]+\s+[\d.]+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-Fa-f]+)\s+(\S+)\s+(\d+)\s+(-?\d+)\s+\(/;
  for (const line of text.split('\n')) {
    const m = row.exec(line);
    if (m) out.set(`${m[1]}:${m[2]} ${m[3]}:${m[4]} ${m[5].toLowerCase()}`, { payload: m[6], packets: Number(m[7]), lost: Number(m[8]) });
  }
  return out;
}

/** Sorted-key JSON for equality of count maps. */
export function sameCounts(a, b) {
  const norm = (o) => JSON.stringify(Object.entries(o ?? {}).map(([k, v]) => [String(k), v]).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return norm(a) === norm(b);
}
