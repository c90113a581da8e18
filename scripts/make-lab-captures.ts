/**
 * make-lab-captures: run known SIP/RTP scenarios through the lab harness (kamailio + sipp on
 * loopback) under tcpdump, and write small captures with their ground truth to
 * fixtures/lab-made/:
 *
 *   X.pcap                 the capture (tcpdump -i lo, lab ports only, EN10MB, µs pcap)
 *   X.pcap.scenario.json   what was done: calls/registrations, expected final codes, the SIP
 *                          sequence per call and leg, expected `tshark -z sip,stat` counts,
 *                          RTP streams, RFC 6076 metrics of the UAC leg, timings
 *   X.pcap.truth/          what tshark/capinfos say (same commands as fixtures/lab/*.truth)
 *
 * Every capture is checked before it is kept: tshark's SIP counts must equal the scenario
 * model, each call's message sequence on each leg must match, the RTP streams must be there
 * with no loss, tcpdump must report 0 drops. Otherwise the script fails and writes nothing
 * for that capture.
 *
 * Run: scripts/make-lab-captures.sh [--only name,name] [--out DIR]    (root; ~40 s)
 * (the .sh compiles this file and test/harness with tsc into a temp dir and runs it with node)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, release as osRelease } from 'node:os';
import { join, resolve } from 'node:path';
import { requireLab } from '../test/harness/env.js';
import { startKamailio, type KamailioHandle } from '../test/harness/kamailio.js';
import { busyLabPorts, labCaptureFilter, labPorts, type LabPorts } from '../test/harness/ports.js';
import { killAllStarted, run, runOk, sleep } from '../test/harness/procs.js';
import { runSippUac, startSippUasSet, type SippUacResult } from '../test/harness/sipp.js';
import { startTcpdump } from '../test/harness/tcpdump.js';
import { parseRtpStreamsText } from '../test/helpers/truth.js';

// ---------------------------------------------------------------- scenario model

type Kind = 'answered' | 'busy' | 'noanswer' | 'cancelled' | 'register-ok' | 'register-bad';

interface KindModel {
  /** SIP messages on the UAC <-> kamailio leg, in order ("INVITE" = request, "180" = response) */
  uacLeg: string[];
  /** SIP messages on the kamailio <-> UAS leg */
  uasLeg: string[];
  /** final response the UAC gets (null: none) */
  final: number | null;
}

const MODEL: Record<Kind, KindModel> = {
  // kamailio answers 100 itself on the UAC leg; the UAS's 100 stays on its leg
  answered: {
    uacLeg: ['INVITE', '100', '180', '200', 'ACK', 'BYE', '200'],
    uasLeg: ['INVITE', '100', '180', '200', 'ACK', 'BYE', '200'],
    final: 200,
  },
  // non-2xx: ACK is hop by hop (kamailio ACKs the UAS, absorbs the UAC's ACK)
  busy: { uacLeg: ['INVITE', '100', '486', 'ACK'], uasLeg: ['INVITE', '100', '486', 'ACK'], final: 486 },
  // kamailio's fr_inv timer fires: it CANCELs the UAS and answers 408 to the UAC itself
  noanswer: {
    uacLeg: ['INVITE', '100', '180', '408', 'ACK'],
    uasLeg: ['INVITE', '100', '180', 'CANCEL', '200', '487', 'ACK'],
    final: 408,
  },
  // the caller CANCELs after ringing; kamailio answers the CANCEL (200) and CANCELs the UAS
  cancelled: {
    uacLeg: ['INVITE', '100', '180', 'CANCEL', '200', '487', 'ACK'],
    uasLeg: ['INVITE', '100', '180', 'CANCEL', '200', '487', 'ACK'],
    final: 487,
  },
  'register-ok': { uacLeg: ['REGISTER', '401', 'REGISTER', '200'], uasLeg: [], final: 200 },
  // wrong password: the second REGISTER is challenged again, the client gives up
  'register-bad': { uacLeg: ['REGISTER', '401', 'REGISTER', '401'], uasLeg: [], final: 401 },
};

interface Step {
  kind: Kind;
  /** start offset (ms) from the start of the capture's scenario */
  at: number;
  /** AoR user for registrations */
  user?: string;
}

interface CaptureSpec {
  name: string;
  description: string;
  steps: Step[];
  /** voice packets per answered call (30 ms PCMA each) */
  audioPackets: number;
}

const CANCEL_RING_MS = 1000;
const NOANSWER_MS = 3000;
const ECHO_RING_MS = 200;

const SPECS: CaptureSpec[] = [
  {
    name: 'answered-echo-call',
    description: 'Two answered calls, one after the other, to sip:echo@ through kamailio: 2 s of PCMA each way (sipp -rtp_echo sends every packet back) and one RFC 2833 digit each way, then BYE.',
    steps: [
      { kind: 'answered', at: 0 },
      { kind: 'answered', at: 3500 },
    ],
    audioPackets: 67,
  },
  {
    name: 'busy',
    description: 'One call to sip:busy@ through kamailio: the UAS answers 486 Busy Here.',
    steps: [{ kind: 'busy', at: 0 }],
    audioPackets: 0,
  },
  {
    name: 'noanswer',
    description: `One call to sip:noanswer@ through kamailio: the UAS rings and never answers; after ${NOANSWER_MS} ms kamailio CANCELs it (200, 487) and answers 408 to the caller.`,
    steps: [{ kind: 'noanswer', at: 0 }],
    audioPackets: 0,
  },
  {
    name: 'cancelled',
    description: `One call to sip:noanswer@ through kamailio that the caller CANCELs ${CANCEL_RING_MS} ms after the 180: 200 to the CANCEL, 487 to the INVITE, on both legs.`,
    steps: [{ kind: 'cancelled', at: 0 }],
    audioPackets: 0,
  },
  {
    name: 'register-401',
    description: 'Two registrations with digest auth at kamailio: alice/alicepw (401 challenge, then 200) and bob with a wrong password (401, then 401 again; the client gives up).',
    steps: [
      { kind: 'register-ok', at: 0, user: 'alice' },
      { kind: 'register-bad', at: 500, user: 'bob' },
    ],
    audioPackets: 0,
  },
  {
    name: 'mixed',
    description:
      'A known mix, partly overlapping in time: 5 answered calls (1 s PCMA echo + 1 DTMF digit each), 2 busy, 1 no answer (408 from the proxy timer), 1 cancelled by the caller (487), 2 registrations of which 1 fails (wrong password).',
    steps: [
      { kind: 'register-ok', at: 0, user: 'alice' },
      { kind: 'answered', at: 200 },
      { kind: 'busy', at: 500 },
      { kind: 'noanswer', at: 800 },
      { kind: 'answered', at: 1100 },
      { kind: 'register-bad', at: 1400, user: 'bob' },
      { kind: 'cancelled', at: 1700 },
      { kind: 'busy', at: 2000 },
      { kind: 'answered', at: 2400 },
      { kind: 'answered', at: 3200 },
      { kind: 'answered', at: 4000 },
    ],
    audioPackets: 34,
  },
];

// ---------------------------------------------------------------- running

interface StepResult {
  step: Step;
  result: SippUacResult;
  offsetMs: number;
}

async function runStep(step: Step, spec: CaptureSpec, ports: LabPorts): Promise<SippUacResult> {
  switch (step.kind) {
    case 'answered':
      return runSippUac('call', { service: 'echo', ports, audioPackets: spec.audioPackets, dtmfDigit: '1' });
    case 'busy':
      return runSippUac('fail', { service: 'busy', ports });
    case 'noanswer':
      return runSippUac('fail', { service: 'noanswer', ports });
    case 'cancelled':
      return runSippUac('cancel', { service: 'noanswer', ports, ringMs: CANCEL_RING_MS });
    case 'register-ok':
      return runSippUac('register', { service: step.user ?? 'alice', authUser: step.user ?? 'alice', authPass: `${step.user ?? 'alice'}pw`, ports, expires: 300 });
    case 'register-bad':
      return runSippUac('register', { service: step.user ?? 'bob', authUser: step.user ?? 'bob', authPass: 'wrong-password', ports, expires: 300 });
  }
}

function expectedExit(kind: Kind): number {
  return kind === 'register-bad' ? 1 : 0;
}

// ---------------------------------------------------------------- tshark helpers

const TRUTH_COMMANDS: [string, string[]][] = [
  ['capinfos.txt', ['capinfos', 'F']],
  ['rtp-streams.txt', ['tshark', '-r', 'F', '-q', '-o', 'rtp.heuristic_rtp:TRUE', '-z', 'rtp,streams']],
  ['sip-stat.txt', ['tshark', '-r', 'F', '-q', '-z', 'sip,stat']],
  [
    'sip-messages.tsv',
    ['tshark', '-r', 'F', '-Y', 'sip && !icmp', '-T', 'fields', '-E', 'header=y', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID', '-e', 'sip.CSeq', '-e', 'sip.User-Agent'],
  ],
];

function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./:,=+-]+$/.test(a) ? a : `"${a}"`;
}

async function writeTruth(dir: string, file: string, date: string, tsharkVersion: string): Promise<void> {
  const truth = join(dir, `${file}.truth`);
  mkdirSync(truth, { recursive: true });
  const lines = [`# generated by tshark/capinfos ${tsharkVersion} in fixtures/lab-made/ on ${date}`];
  for (const [out, argv] of TRUTH_COMMANDS) {
    const args = argv.slice(1).map((a) => (a === 'F' ? file : a));
    const text = await runOk(argv[0]!, args, { cwd: dir, timeoutMs: 60_000 });
    writeFileSync(join(truth, out), text);
    lines.push(`${out}: ${argv.map(shellQuote).join(' ')}`);
  }
  writeFileSync(join(truth, 'commands.txt'), lines.join('\n') + '\n');
}

interface SipStat {
  messages: number;
  resent: number;
  methods: Record<string, number>;
  statusCodes: Record<string, number>;
}

function parseSipStat(text: string): SipStat {
  const stat: SipStat = {
    messages: Number(/Number of SIP messages: (\d+)/.exec(text)?.[1] ?? NaN),
    resent: Number(/Number of resent SIP messages: (\d+)/.exec(text)?.[1] ?? NaN),
    methods: {},
    statusCodes: {},
  };
  let section: 'codes' | 'methods' | null = null;
  for (const line of text.split('\n')) {
    if (line.includes('SIP Status Codes')) section = 'codes';
    else if (line.includes('List of SIP Request methods')) section = 'methods';
    else if (line.startsWith('* ')) section = null;
    const m = /^\s+(?:SIP (\d{3}) .*?|(\S+))\s*:\s+(\d+) Packets/.exec(line);
    if (!m) continue;
    if (section === 'codes' && m[1]) stat.statusCodes[m[1]] = Number(m[3]);
    if (section === 'methods' && m[2]) stat.methods[m[2]] = Number(m[3]);
  }
  return stat;
}

interface SipRow {
  time: number;
  sport: number;
  dport: number;
  method: string;
  status: string;
  callId: string;
  cseqMethod: string;
}

async function sipRows(pcap: string): Promise<SipRow[]> {
  const out = await runOk('tshark', ['-r', pcap, '-Y', 'sip && !icmp', '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID', '-e', 'sip.CSeq.method'], { timeoutMs: 60_000 });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const f = l.split('\t');
      return { time: Number(f[0]), sport: Number(f[1]), dport: Number(f[2]), method: f[3] ?? '', status: f[4] ?? '', callId: f[5] ?? '', cseqMethod: f[6] ?? '' };
    });
}


// ---------------------------------------------------------------- checks and sidecar

function addCounts(into: Record<string, number>, seq: string[], pick: 'methods' | 'codes'): void {
  for (const s of seq) {
    const isCode = /^\d{3}$/.test(s);
    if ((pick === 'codes') === isCode) into[s] = (into[s] ?? 0) + 1;
  }
}

const sortKeys = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (n: number, d: number) => (d > 0 ? round((100 * n) / d, 2) : null);

function legLabel(r: SipRow): string {
  return r.method || r.status;
}

function fail(msg: string): never {
  throw new Error(msg);
}

interface Made {
  name: string;
  file: string;
  bytes: number;
  packets: number;
}

async function makeCapture(spec: CaptureSpec, ports: LabPorts, outDir: string, work: string, date: string, tools: Record<string, string>): Promise<Made> {
  const file = `${spec.name}.pcap`;
  const tmpPcap = join(work, file);
  const filter = labCaptureFilter(ports);
  console.log(`\n== ${file}: ${spec.steps.length} step(s)`);
  const cap = await startTcpdump('lo', tmpPcap, filter, { maxSeconds: 120 });
  const t0 = Date.now();
  await sleep(200);
  const results: StepResult[] = await Promise.all(
    spec.steps.map(async (step) => {
      await sleep(step.at);
      const offsetMs = Date.now() - t0;
      const result = await runStep(step, spec, ports);
      console.log(
        `   ${step.kind.padEnd(12)} +${String(offsetMs).padStart(5)} ms  exit ${result.exitCode}  ${result.durationMs} ms  responses ${result.responses.join(' ')}  (sip port ${result.sipPort}${step.kind === 'answered' ? `, media ${result.mediaPort}` : ''})`,
      );
      return { step, result, offsetMs };
    }),
  );
  await sleep(1200); // let late packets (retransmissions, if any) in before stopping
  const capStats = await cap.stop();
  const wallMs = Date.now() - t0;
  console.log(`   tcpdump: ${capStats.captured} captured, ${capStats.dropped} dropped (ready ${cap.readyMs} ms, stop ${capStats.stopMs} ms)`);
  if (capStats.dropped !== 0) fail(`${file}: tcpdump dropped ${capStats.dropped} packets`);

  // 1. sipp outcomes
  for (const { step, result } of results) {
    const m = MODEL[step.kind];
    if (result.exitCode !== expectedExit(step.kind)) fail(`${file}: ${step.kind} sipp exit ${result.exitCode}, expected ${expectedExit(step.kind)}\n${result.stdout.slice(-1500)}`);
    const finals = result.responses.filter((c) => c >= 200 && !(step.kind === 'cancelled' && c === 200));
    if (m.final !== null && finals.at(-1) !== m.final) fail(`${file}: ${step.kind} final ${finals.at(-1)}, expected ${m.final}`);
    if (result.callIds.length !== 1) fail(`${file}: ${step.kind} used ${result.callIds.length} Call-IDs`);
  }

  // 2. SIP on the wire, per call and leg, against the model
  const rows = await sipRows(tmpPcap);
  const expectedMethods: Record<string, number> = {};
  const expectedCodes: Record<string, number> = {};
  const events = [];
  for (const { step, result, offsetMs } of results) {
    const m = MODEL[step.kind];
    const callId = result.callIds[0]!;
    const mine = rows.filter((r) => r.callId === callId);
    const uac = mine.filter((r) => r.sport === result.sipPort || r.dport === result.sipPort);
    const uas = mine.filter((r) => !(r.sport === result.sipPort || r.dport === result.sipPort));
    const uacSeq = uac.map(legLabel);
    const uasSeq = uas.map(legLabel);
    if (JSON.stringify(uacSeq) !== JSON.stringify(m.uacLeg)) fail(`${file}: ${step.kind} ${callId} UAC leg ${uacSeq.join(' ')}, expected ${m.uacLeg.join(' ')}`);
    if (JSON.stringify(uasSeq) !== JSON.stringify(m.uasLeg)) fail(`${file}: ${step.kind} ${callId} UAS leg ${uasSeq.join(' ')}, expected ${m.uasLeg.join(' ')}`);
    for (const seq of [m.uacLeg, m.uasLeg]) {
      addCounts(expectedMethods, seq, 'methods');
      addCounts(expectedCodes, seq, 'codes');
    }
    // timings on the UAC leg, from the capture's timestamps
    const t = (pred: (r: SipRow) => boolean) => uac.find(pred)?.time;
    const first = uac[0]!.time;
    const ms = (x: number | undefined) => (x === undefined ? null : round((x - first) * 1000));
    const ev: Record<string, unknown> = {
      kind: step.kind,
      callId,
      uacSipPort: result.sipPort,
      startOffsetMs: offsetMs,
      sippExitCode: result.exitCode,
      sippDurationMs: result.durationMs,
      uacResponses: result.responses,
      expectedFinal: m.final,
      uacLeg: m.uacLeg,
      uasLeg: m.uasLeg,
      firstPacketEpoch: first,
    };
    if (step.kind.startsWith('register')) {
      ev.user = step.user;
      ev.success = step.kind === 'register-ok';
      // RRD (RFC 6076 4.1): first REGISTER -> final response of the last REGISTER
      ev.rrdMs = ms(uac.at(-1)!.time);
    } else {
      const firstNon100 = t((r) => r.status !== '' && r.status !== '100');
      ev.service = step.kind === 'answered' ? 'echo' : step.kind === 'busy' ? 'busy' : 'noanswer';
      // SRD (RFC 6076 4.2): INVITE -> first non-100 provisional or final response
      ev.srdMs = ms(firstNon100);
      ev.finalResponseMs = ms(t((r) => r.cseqMethod === 'INVITE' && Number(r.status) >= 200));
      if (step.kind === 'answered') {
        const bye = t((r) => r.method === 'BYE');
        const byeOk = uac.filter((r) => r.cseqMethod === 'BYE' && r.status === '200')[0]?.time;
        ev.mediaPort = result.mediaPort;
        ev.byeMs = ms(bye);
        // SDD (RFC 6076 4.4): BYE -> its 200
        ev.sddMs = bye !== undefined && byeOk !== undefined ? round((byeOk - bye) * 1000) : null;
        // session duration: 200 OK to the INVITE -> BYE
        const ok = t((r) => r.cseqMethod === 'INVITE' && r.status === '200');
        ev.sessionDurationMs = ok !== undefined && bye !== undefined ? round((bye - ok) * 1000) : null;
        ev.voicePacketsPerDirection = result.audioPackets;
        ev.dtmfPacketsPerDirection = 10;
      }
      if (step.kind === 'cancelled') ev.cancelAfterRingingMs = CANCEL_RING_MS;
      if (step.kind === 'noanswer') ev.proxyNoAnswerTimerMs = NOANSWER_MS;
    }
    events.push(ev);
  }
  const expectedTotal = Object.values(expectedMethods).reduce((a, b) => a + b, 0) + Object.values(expectedCodes).reduce((a, b) => a + b, 0);

  // 3. tshark -z sip,stat must say the same
  const statText = await runOk('tshark', ['-r', tmpPcap, '-q', '-z', 'sip,stat']);
  const stat = parseSipStat(statText);
  const same = (a: Record<string, number>, b: Record<string, number>) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
  if (stat.messages !== expectedTotal || stat.resent !== 0 || !same(stat.methods, expectedMethods) || !same(stat.statusCodes, expectedCodes)) {
    fail(`${file}: tshark sip,stat ${JSON.stringify(stat)} != model ${JSON.stringify({ expectedTotal, expectedMethods, expectedCodes })}`);
  }
  if (rows.length !== expectedTotal) fail(`${file}: ${rows.length} SIP messages on the wire, model ${expectedTotal}`);

  // 4. RTP: per answered call, PCMA + telephone-event each way on its media port, nothing lost
  const rtpText = await runOk('tshark', ['-r', tmpPcap, '-q', '-o', 'rtp.heuristic_rtp:TRUE', '-z', 'rtp,streams']);
  const streams = parseRtpStreamsText(rtpText);
  const answered = results.filter((r) => r.step.kind === 'answered');
  for (const { result } of answered) {
    const mp = result.mediaPort;
    const echo = ports.uasMedia.echo;
    const ofCall = streams.filter((s) => (s.srcPort === mp && s.dstPort === echo) || (s.srcPort === echo && s.dstPort === mp));
    const pcma = ofCall.filter((s) => s.payload === 'g711A');
    const dtmf = ofCall.filter((s) => s.payload === 'telephone-event');
    if (pcma.length !== 2 || pcma.some((s) => s.packets !== result.audioPackets || s.lost !== 0)) fail(`${file}: PCMA streams of media port ${mp}: ${JSON.stringify(pcma)}`);
    if (dtmf.length !== 2 || dtmf.some((s) => s.packets !== 10)) fail(`${file}: telephone-event streams of media port ${mp}: ${JSON.stringify(dtmf)}`);
  }
  if (streams.length !== answered.length * 4) fail(`${file}: ${streams.length} RTP streams, expected ${answered.length * 4}`);
  const rtpPackets = streams.reduce((n, s) => n + s.packets, 0);
  if (capStats.captured !== rows.length + rtpPackets) fail(`${file}: ${capStats.captured} packets = ${rows.length} SIP + ${rtpPackets} RTP?`);

  // keep it: move the capture, write truth and sidecar
  const dest = join(outDir, file);
  renameOrCopy(tmpPcap, dest);
  rmSync(join(outDir, `${file}.truth`), { recursive: true, force: true });
  await writeTruth(outDir, file, date.slice(0, 10), tools.tshark ?? '');

  const calls = results.filter((r) => !r.step.kind.startsWith('register'));
  const regs = results.filter((r) => r.step.kind.startsWith('register'));
  const count = (k: Kind) => results.filter((r) => r.step.kind === k).length;
  const finals: Record<string, number> = {};
  for (const c of calls) finals[String(MODEL[c.step.kind].final)] = (finals[String(MODEL[c.step.kind].final)] ?? 0) + 1;
  const regFinals: Record<string, number> = {};
  for (const r of regs) regFinals[String(MODEL[r.step.kind].final)] = (regFinals[String(MODEL[r.step.kind].final)] ?? 0) + 1;
  const n = calls.length;
  const answeredN = count('answered');
  const f = (c: number) => finals[String(c)] ?? 0;

  const sidecar = {
    capture: file,
    description: spec.description,
    generatedBy: 'scripts/make-lab-captures.ts (scripts/make-lab-captures.sh)',
    date,
    tools,
    topology: {
      interface: 'lo',
      linkType: cap.linkType,
      captureFilter: filter,
      proxy: `kamailio ${'127.0.0.1'}:${ports.sip} UDP (test/harness/kamailio/kamailio.cfg): answers 100 itself, record-routes INVITE dialogs, ACKs non-2xx hop by hop`,
      uas: { echo: `127.0.0.1:${ports.uas.echo} (RTP echo on ${ports.uasMedia.echo})`, busy: `127.0.0.1:${ports.uas.busy}`, noanswer: `127.0.0.1:${ports.uas.noanswer}` },
      uac: `sipp, one process per call/registration, SIP from 127.0.0.1:${ports.uacSip.first}-${ports.uacSip.last}, media from 127.0.0.1:${ports.uacMedia.first}-${ports.uacMedia.last} (step 10)`,
      legsPerCall: 2,
      note: 'Each call is seen twice on lo: UAC<->kamailio and kamailio<->UAS, with the SAME Call-ID (kamailio is a proxy). The UAC leg is the one with the UAC SIP port (uacSipPort). Registrations have one leg.',
    },
    timers: { echoRingingMs: ECHO_RING_MS, proxyNoAnswerTimerMs: NOANSWER_MS, cancelAfterRingingMs: CANCEL_RING_MS },
    calls: {
      attempted: n,
      answered: answeredN,
      busy: count('busy'),
      noanswer: count('noanswer'),
      cancelled: count('cancelled'),
      failedOther: 0,
      expectedFinalCodes: sortKeys(finals),
    },
    registrations: {
      attempted: regs.length,
      succeeded: count('register-ok'),
      failed: count('register-bad'),
      expectedFinalCodes: sortKeys(regFinals),
    },
    sipStat: {
      note: 'what `tshark -q -z sip,stat` counts (both legs; checked equal when the capture was made)',
      messages: expectedTotal,
      resent: 0,
      methods: sortKeys(expectedMethods),
      statusCodes: sortKeys(expectedCodes),
    },
    rtp: {
      streams: answered.length * 4,
      packets: rtpPackets,
      perAnsweredCall: {
        streams: 4,
        pcmaPacketsPerDirection: spec.audioPackets,
        ptimeMs: 30,
        dtmfPacketsPerDirection: 10,
        note: 'PCMA from the Debian sip-tester g711a.pcap (first N packets) + dtmf_2833_1.pcap; the echo stream has the same SSRC and sequence numbers as the original; every call replays the same pcaps, so all calls share the SSRCs (0xDEE0EE8F PCMA, 0x0E05384E DTMF) and differ by UAC media port. The DTMF pcap ends with 3 identical end-of-event packets: tshark reports Lost -2 for those streams.',
      },
    },
    metricsUacLeg: {
      note: 'RFC 6076 / ITU-T E.411 ratios over the calls as the UAC saw them (one INVITE transaction per call on the UAC leg; the proxy->UAS leg duplicates every call). No 3xx in these captures.',
      inviteFinals: sortKeys(finals),
      SER: pct(f(200), n),
      SEER: pct(f(200) + f(480) + f(486) + f(600) + f(603), n),
      ISA: pct(f(408) + f(500) + f(503) + f(504), n),
      SCR: pct(answeredN, n),
      ASR: pct(f(200), n),
      definitions: {
        SER: '100 * INVITEs answered 200 / (INVITEs - INVITEs answered 3xx)',
        SEER: '100 * INVITEs answered 200, 480, 486, 600 or 603 / (INVITEs - INVITEs answered 3xx)',
        ISA: '100 * INVITEs answered 408, 500, 503 or 504 / INVITEs',
        SCR: '100 * sessions established and ended by BYE / INVITEs',
        ASR: '100 * answered (200) / call attempts (E.411)',
        SRD: 'srdMs per call: INVITE -> first non-100 response (provisional or final), UAC leg',
        RRD: 'rrdMs per registration: first REGISTER -> final response to the last REGISTER (401 round included), UAC leg',
        SDD: 'sddMs per answered call: BYE -> 200 to the BYE, UAC leg',
      },
    },
    durations: {
      wallMs,
      note: 'sippDurationMs per event = process run time (includes timewait); srd/rrd/sdd/session from packet timestamps',
    },
    events,
  };
  writeFileSync(join(outDir, `${file}.scenario.json`), JSON.stringify(sidecar, null, 2) + '\n');
  const bytes = statSync(dest).size;
  console.log(`   ok: ${expectedTotal} SIP + ${rtpPackets} RTP packets, ${bytes} bytes`);
  return { name: spec.name, file, bytes, packets: capStats.captured };
}

function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    n += d.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

function version(cmd: string, args: string[], re: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return re.exec(out)?.[1] ?? out.split('\n')[0]!.trim();
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
    return re.exec(out)?.[1] ?? 'unknown';
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const outDir = resolve(opt('--out') ?? 'fixtures/lab-made');
  const only = opt('--only')?.split(',');
  const specs = only ? SPECS.filter((s) => only.includes(s.name)) : SPECS;
  if (specs.length === 0) fail(`nothing to make (known: ${SPECS.map((s) => s.name).join(', ')})`);

  requireLab();
  // the documented captures use the default plan (5060, 5070-5073, 6000+, UAC 5090+/6100+)
  const ports = labPorts(Number(process.env.VOIPDIAG_LAB_PORT_OFFSET ?? 0));
  const busy = await busyLabPorts(ports);
  if (busy.length) fail(`lab ports in use: ${busy.join(', ')} (another lab running? captures would mix)`);

  const tools = {
    kamailio: version('kamailio', ['-v'], /version: kamailio (\S+)/),
    sipp: version('sipp', ['-v'], /SIPp (v[^\s,]+)/),
    tcpdump: version('tcpdump', ['--version'], /tcpdump version (\S+)/),
    libpcap: version('tcpdump', ['--version'], /libpcap version (\S+)/),
    tshark: version('tshark', ['--version'], /TShark \(Wireshark\) (\S+)/),
    node: process.version,
    kernel: osRelease(),
  };
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  console.log(`tools: ${JSON.stringify(tools)}`);
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'voipdiag-lab-captures-'));

  let kam: KamailioHandle | undefined;
  let uas: Awaited<ReturnType<typeof startSippUasSet>> | undefined;
  const made: Made[] = [];
  try {
    kam = await startKamailio({ ports, noAnswerMs: NOANSWER_MS, deadMs: 2000, tls: false });
    uas = await startSippUasSet(['echo', 'busy', 'noanswer'], { ports, ringMs: ECHO_RING_MS });
    console.log(`kamailio ready in ${kam.readyMs} ms, sipp UAS in ${Math.max(...uas.all.map((u) => u.readyMs))} ms`);
    for (const spec of specs) made.push(await makeCapture(spec, ports, outDir, work, date, tools));
  } finally {
    await uas?.stop();
    await kam?.stop();
    await killAllStarted();
    rmSync(work, { recursive: true, force: true });
  }
  const total = dirBytes(outDir);
  console.log(`\nmade ${made.map((m) => `${m.file} (${m.packets} pkts, ${m.bytes} B)`).join(', ')}; ${outDir} now holds ${total} bytes`);
  await run('sync', []);
}

process.on('SIGINT', () => {
  void killAllStarted().finally(() => process.exit(130));
});

main().catch(async (e: unknown) => {
  console.error(`make-lab-captures: ${e instanceof Error ? e.message : String(e)}`);
  await killAllStarted();
  process.exit(1);
});
