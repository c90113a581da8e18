#!/usr/bin/env node
// gen-capture.js - write a synthetic SIP + RTP capture (classic pcap) and its ground truth.
//
//   node bench/gen-capture.js --size small|medium|large --out F.pcap [--truth F.json]
//   node bench/gen-capture.js --calls 100 --cps 2 --duration 10 --loss 0.005 --jitter-ms 5 \
//        --seed 1 --out F.pcap [--truth F.json]
//
// Thin wrapper over the library in src/lib/gen (run `npm run build` first: it imports dist/).
// Explicit flags override the chosen --size. Prints one summary line (packets, bytes, seconds,
// packets/s) on stderr; --json prints it as JSON on stdout instead.
import { parseArgs } from 'node:util';
import { generateCaptureFile, isStandardCaptureSize, STANDARD_CAPTURES } from '../dist/lib/gen/index.js';

const USAGE = `usage: node bench/gen-capture.js [--size small|medium|large] --out FILE.pcap [--truth FILE.json]
       [--calls N] [--cps R] [--duration S] [--duration-spread F] [--loss P] [--jitter-ms MS]
       [--fail-ratio F] [--ring-timeout S] [--registers N] [--options N] [--phones N] [--seed N]
       [--json] [--quiet]`;

const numeric = {
  calls: 'calls',
  cps: 'cps',
  duration: 'talkSec',
  'duration-spread': 'talkSpread',
  loss: 'lossRatio',
  'jitter-ms': 'jitterMs',
  'fail-ratio': 'failRatio',
  'ring-timeout': 'ringTimeoutSec',
  registers: 'registrations',
  options: 'optionsPings',
  phones: 'phones',
  seed: 'seed',
};

function fail(message) {
  process.stderr.write(`gen-capture: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      size: { type: 'string' },
      out: { type: 'string' },
      truth: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...Object.fromEntries(Object.keys(numeric).map((k) => [k, { type: 'string' }])),
    },
    strict: true,
  });
} catch (err) {
  fail(err.message);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
if (!values.out) fail('--out is required');

let scenario = {};
if (values.size !== undefined) {
  if (!isStandardCaptureSize(values.size)) fail(`--size must be small, medium or large (got ${values.size})`);
  scenario = { ...STANDARD_CAPTURES[values.size] };
}
for (const [flag, key] of Object.entries(numeric)) {
  if (values[flag] === undefined) continue;
  const n = Number(values[flag]);
  if (!Number.isFinite(n)) fail(`--${flag} must be a number (got ${values[flag]})`);
  scenario[key] = n;
}
if (scenario.calls === undefined) fail('give --size or --calls');

const tty = process.stderr.isTTY && !values.quiet && !values.json;
let result;
try {
  result = await generateCaptureFile(scenario, values.out, values.truth, {
    onProgress: tty
      ? (p) => process.stderr.write(`\r${(p.packets / 1e6).toFixed(2)} M packets, ${(p.bytes / 1e6).toFixed(0)} MB, t=${p.simulatedSec.toFixed(0)} s`)
      : undefined,
  });
} catch (err) {
  if (err instanceof RangeError) fail(err.message);
  throw err;
}
if (tty) process.stderr.write('\r\x1b[K');

const { truth, seconds } = result;
const summary = {
  out: values.out,
  truth: values.truth ?? null,
  packets: truth.packets.total,
  sipPackets: truth.packets.sip,
  rtpPackets: truth.packets.rtp,
  rtpStreams: truth.rtp.streams,
  bytes: truth.packets.fileBytes,
  seconds: Number(seconds.toFixed(3)),
  packetsPerSec: Math.round(truth.packets.total / seconds),
  mbPerSec: Number((truth.packets.fileBytes / 1e6 / seconds).toFixed(1)),
};
if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
else if (!values.quiet) {
  process.stderr.write(
    `wrote ${summary.out}: ${summary.packets} packets (${summary.sipPackets} SIP, ${summary.rtpPackets} RTP in ` +
      `${summary.rtpStreams} streams), ${summary.bytes} bytes in ${summary.seconds} s ` +
      `(${(summary.packetsPerSec / 1e6).toFixed(2)} M packets/s, ${summary.mbPerSec} MB/s)\n`,
  );
}
