/**
 * What happens in a generated capture: a PBX (10.0.0.10:5060, Asterisk) and N SIP phones
 * (10.1.x.y:5060) exchanging
 *
 *  - calls arriving as a Poisson process. About 30 % inbound (PBX → phone), the rest outbound.
 *    Answered: INVITE (SDP offer) → 100 → 180 → 200 (SDP answer) → ACK → RTP both ways → BYE
 *    (caller 60 %, callee 40 %) → 200. Failed (share `failRatio`): 486 Busy Here (35 %, half of
 *    them after ringing), 503 Service Unavailable (15 %), 408 Request Timeout after ringing
 *    `ringTimeoutSec` (15 %), CANCEL → 200 → 487 after ringing (35 %); every non-2xx final
 *    response gets its hop-by-hop ACK (RFC 3261 §17.1.1.3).
 *  - registrations: REGISTER → 401 (Digest challenge) → REGISTER with a correct MD5 digest
 *    (RFC 2617 §3.2.2, qop=auth) → 200.
 *  - OPTIONS qualify pings PBX → phone → 200.
 *
 * Each call or exchange draws from its own `Prng` keyed by the seed and its index, so the
 * scenario is a pure function of its parameters.
 */
import { createHash } from 'node:crypto';
import { FrameListSource } from './frame-source.js';
import { Prng } from './prng.js';
import { PTIME_US, RtpStreamSource, makeRoomNoisePayloads, type RtpPayloadTable } from './rtp-source.js';
import { PBX_ALLOW, PHONE_ALLOW, sdpBody, sipMessage, sipResponse, type SipHeaders } from './sip-text.js';
import type { CallOutcome, CallTruth, RegistrationTruth, SipCounts } from './truth.js';
import { TOS_SIP, encodeUdpFrame, makeHost, type GenHost } from './udp-frame.js';

/** 2024-06-03T09:00:00Z: the capture's first microsecond. */
export const CAPTURE_START_EPOCH_SEC = 1717405200;

export interface CaptureScenario {
  /** INVITE dialogs. */
  calls: number;
  /** Mean call arrival rate, calls per second (exponential inter-arrival times). */
  cps: number;
  /** Mean talk time of answered calls, seconds. */
  talkSec: number;
  /** Talk time is talkSec · U(1 − spread, 1 + spread). */
  talkSpread: number;
  /** Probability that an RTP packet is lost before the capture point (i.i.d.), 0 ≤ p < 1. */
  lossRatio: number;
  /** Each RTP packet is delayed by U(0, jitterMs) ms; FIFO, never reordered. */
  jitterMs: number;
  /** Share of calls that fail. */
  failRatio: number;
  /** Ringing time before a 408, seconds. */
  ringTimeoutSec: number;
  /** REGISTER/401/REGISTER/200 exchanges. */
  registrations: number;
  /** OPTIONS/200 pings. */
  optionsPings: number;
  /** SIP phones behind the PBX. */
  phones: number;
  seed: number;
}

export type CaptureScenarioInput = Partial<CaptureScenario> & Pick<CaptureScenario, 'calls'>;

/** Fill the defaults and check ranges (RangeError names the bad parameter). */
export function resolveScenario(input: CaptureScenarioInput): CaptureScenario {
  const calls = input.calls;
  const s: CaptureScenario = {
    calls,
    cps: input.cps ?? 2,
    talkSec: input.talkSec ?? 10,
    talkSpread: input.talkSpread ?? 0.25,
    lossRatio: input.lossRatio ?? 0,
    jitterMs: input.jitterMs ?? 0,
    failRatio: input.failRatio ?? 0.2,
    ringTimeoutSec: input.ringTimeoutSec ?? 20,
    registrations: input.registrations ?? Math.floor(calls / 10) + 1,
    optionsPings: input.optionsPings ?? Math.floor(calls / 5) + 1,
    phones: input.phones ?? 500,
    seed: input.seed ?? 1,
  };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`capture scenario: ${what}`);
  };
  check(Number.isInteger(s.calls) && s.calls >= 0, `calls must be an integer ≥ 0 (got ${s.calls})`);
  check(s.cps > 0 && Number.isFinite(s.cps), `cps must be > 0 (got ${s.cps})`);
  check(s.talkSec > 0 && Number.isFinite(s.talkSec), `talkSec must be > 0 (got ${s.talkSec})`);
  check(s.talkSpread >= 0 && s.talkSpread < 1, `talkSpread must be in [0, 1) (got ${s.talkSpread})`);
  check(s.lossRatio >= 0 && s.lossRatio < 1, `lossRatio must be in [0, 1) (got ${s.lossRatio})`);
  check(s.jitterMs >= 0 && s.jitterMs <= 20, `jitterMs must be in [0, 20] (got ${s.jitterMs})`);
  check(s.failRatio >= 0 && s.failRatio <= 1, `failRatio must be in [0, 1] (got ${s.failRatio})`);
  check(s.ringTimeoutSec > 0, `ringTimeoutSec must be > 0 (got ${s.ringTimeoutSec})`);
  check(Number.isInteger(s.registrations) && s.registrations >= 0, `registrations must be an integer ≥ 0`);
  check(Number.isInteger(s.optionsPings) && s.optionsPings >= 0, `optionsPings must be an integer ≥ 0`);
  check(Number.isInteger(s.phones) && s.phones >= 1 && s.phones <= 50_000, `phones must be in [1, 50000] (got ${s.phones})`);
  check(Number.isSafeInteger(s.seed), `seed must be an integer (got ${s.seed})`);
  return s;
}

export const PBX_USER_AGENT = 'Asterisk PBX 20.5.2';
export const DIGEST_REALM = 'asterisk';

/** Phone models (User-Agent as each vendor's firmware sends it) with the vendor's MAC OUI. */
export const PHONE_MODELS: readonly { userAgent: string; oui: readonly [number, number, number] }[] = [
  { userAgent: 'Yealink SIP-T46U 108.86.0.20', oui: [0x80, 0x5e, 0xc0] },
  { userAgent: 'Yealink SIP-T57W 97.86.0.45', oui: [0x80, 0x5e, 0xc0] },
  { userAgent: 'PolycomVVX-VVX_411-UA/6.3.1.8427', oui: [0x00, 0x04, 0xf2] },
  { userAgent: 'Grandstream GRP2614 1.0.5.68', oui: [0x00, 0x0b, 0x82] },
  { userAgent: 'snom D735/10.1.159.12', oui: [0x00, 0x04, 0x13] },
  { userAgent: 'Cisco/SPA504G-7.6.2c', oui: [0x00, 0x1d, 0x45] },
];

/** The hosts and shared tables of one scenario. */
export interface ScenarioWorld {
  scenario: CaptureScenario;
  pbx: GenHost;
  phones: GenHost[];
  payloads: RtpPayloadTable;
  sipCounts: SipCounts;
  /** Media ports the PBX has handed out (it allocates sequentially). */
  pbxMediaAllocations: number;
}

export function createWorld(scenario: CaptureScenario, sipCounts: SipCounts): ScenarioWorld {
  const rng = new Prng(`${scenario.seed}/phones`);
  const pbx = makeHost({
    ip: '10.0.0.10',
    mac: Uint8Array.of(0x52, 0x54, 0x00, 0xa1, 0xb2, 0xc3),
    sipPort: 5060,
    user: 'asterisk',
    userAgent: PBX_USER_AGENT,
    password: '',
    isPbx: true,
  });
  const phones: GenHost[] = [];
  for (let k = 0; k < scenario.phones; k++) {
    const model = PHONE_MODELS[k % PHONE_MODELS.length]!;
    phones.push(
      makeHost({
        ip: `10.1.${Math.floor(k / 200)}.${10 + (k % 200)}`,
        mac: Uint8Array.of(...model.oui, 0x40 | ((k >> 16) & 0x0f), (k >> 8) & 0xff, k & 0xff),
        sipPort: 5060,
        user: String(1000 + k),
        userAgent: model.userAgent,
        password: rng.hex(12),
        isPbx: false,
      }),
    );
  }
  const payloads = makeRoomNoisePayloads(new Prng(`${scenario.seed}/payloads`));
  return { scenario, pbx, phones, payloads, sipCounts, pbxMediaAllocations: 0 };
}

export type JobKind = 'call' | 'register' | 'options';

export interface ScheduledJob {
  /** Time of the job's first message, µs since capture start. */
  tUs: number;
  kind: JobKind;
  index: number;
}

const KIND_ORDER: Record<JobKind, number> = { call: 0, register: 1, options: 2 };

/** Call arrivals (Poisson, from 0.2 s), registrations and pings (uniform over the span), in time order. */
export function scheduleJobs(s: CaptureScenario): ScheduledJob[] {
  const rng = new Prng(`${s.seed}/schedule`);
  const jobs: ScheduledJob[] = [];
  let t = 200_000;
  for (let i = 0; i < s.calls; i++) {
    jobs.push({ tUs: t, kind: 'call', index: i });
    t += Math.max(1, Math.floor(rng.exponential(s.cps) * 1e6));
  }
  const spanUs = Math.max(t, 1_000_000);
  for (let j = 0; j < s.registrations; j++) jobs.push({ tUs: rng.int(0, spanUs), kind: 'register', index: j });
  for (let j = 0; j < s.optionsPings; j++) jobs.push({ tUs: rng.int(0, spanUs), kind: 'options', index: j });
  jobs.sort((a, b) => a.tUs - b.tUs || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.index - b.index);
  return jobs;
}

/** Collects the SIP frames of one call or exchange, counting each message. */
class SipExchange {
  readonly frames: { tUs: number; frame: Uint8Array }[] = [];

  constructor(
    private readonly rng: Prng,
    private readonly counts: SipCounts,
  ) {}

  send(tUs: number, src: GenHost, dst: GenHost, text: string): void {
    this.counts.add(text);
    const payload = Buffer.from(text, 'latin1');
    const frame = encodeUdpFrame(src, dst, src.sipPort, dst.sipPort, payload, TOS_SIP, this.rng.u32() & 0xffff);
    this.frames.push({ tUs, frame });
  }

  source(): FrameListSource {
    return new FrameListSource(this.frames);
  }
}

/** A random duration in [loMs, hiMs), whole microseconds. */
function msBetween(rng: Prng, loMs: number, hiMs: number): number {
  return Math.floor(rng.uniform(loMs, hiMs) * 1000);
}

/** Via with a fresh RFC 3261 branch: pjsip style for the PBX, digits for phones. */
function via(host: GenHost, rng: Prng): string {
  if (host.isPbx) return `SIP/2.0/UDP ${host.ip}:${host.sipPort};rport;branch=z9hG4bKPj${rng.uuid4()}`;
  return `SIP/2.0/UDP ${host.ip}:${host.sipPort};branch=z9hG4bK${rng.int(1e9, 1e10)}`;
}

/** Call-ID in the style of the phone's vendor. */
function phoneCallId(rng: Prng, phone: GenHost): string {
  if (phone.userAgent.startsWith('Polycom')) return `${rng.hex(8)}-${rng.hex(8)}-${rng.hex(8)}`;
  if (phone.userAgent.startsWith('snom')) return `${rng.hex(12)}`;
  return `${rng.hex(24)}@${phone.ip}`;
}

function uriOf(nameAddr: string): string {
  return nameAddr.slice(nameAddr.indexOf('<') + 1, nameAddr.indexOf('>'));
}

function hostPort(h: GenHost): string {
  return `${h.ip}:${h.sipPort}`;
}

export interface BuiltCall {
  sip: FrameListSource;
  streams: RtpStreamSource[];
  truth: CallTruth;
}

/** Call `index`, its INVITE sent at `t0Us`. */
export function buildCall(w: ScenarioWorld, index: number, t0Us: number): BuiltCall {
  const s = w.scenario;
  const pbx = w.pbx;
  const rng = new Prng(`${s.seed}/call/${index}`);
  const x = new SipExchange(rng, w.sipCounts);
  const phone = rng.pick(w.phones);
  const inbound = rng.next() < 0.3;
  const external = `+1555${String(rng.int(0, 10_000_000)).padStart(7, '0')}`;
  const draw = rng.next();
  let outcome: CallOutcome = 'answered';
  if (draw < s.failRatio) {
    const f = draw / s.failRatio;
    outcome = f < 0.35 ? 'busy' : f < 0.5 ? 'unavailable' : f < 0.65 ? 'timeout' : 'cancelled';
  }

  let uac: GenHost, uas: GenHost, callId: string, fromHdr: string, toHdr: string, requestUri: string;
  let uacContact: string, uasContact: string, cseq: number, calleeTag: string;
  if (inbound) {
    uac = pbx;
    uas = phone;
    callId = rng.uuid4();
    fromHdr = `"${external}" <sip:${external}@${pbx.ip}>;tag=${rng.uuid4()}`;
    toHdr = `<sip:${phone.user}@${phone.ip}>`;
    requestUri = `sip:${phone.user}@${hostPort(phone)}`;
    uacContact = `<sip:asterisk@${hostPort(pbx)}>`;
    uasContact = `<sip:${phone.user}@${hostPort(phone)}>`;
    cseq = rng.int(100, 30_000);
    calleeTag = String(rng.int(1e9, 1e10));
  } else {
    uac = phone;
    uas = pbx;
    callId = phoneCallId(rng, phone);
    fromHdr = `"${phone.user}" <sip:${phone.user}@${pbx.ip}>;tag=${rng.int(1e9, 1e10)}`;
    toHdr = `<sip:${external}@${pbx.ip}>`;
    requestUri = `sip:${external}@${hostPort(pbx)}`;
    uacContact = `<sip:${phone.user}@${hostPort(phone)}>`;
    uasContact = `<sip:${external}@${hostPort(pbx)}>`;
    cseq = rng.int(1, 200);
    calleeTag = rng.uuid4();
  }
  // Media: the PBX allocates even ports sequentially, phones pick a random even port.
  const pbxMediaPort = 10_000 + (w.pbxMediaAllocations++ % 5000) * 2;
  const phoneMediaPort = 16_384 + 2 * rng.int(0, 8000);
  const uacMediaPort = uac.isPbx ? pbxMediaPort : phoneMediaPort;
  const uasMediaPort = uas.isPbx ? pbxMediaPort : phoneMediaPort;

  const inviteVia = via(uac, rng);
  const invite: SipHeaders = [
    ['Via', inviteVia],
    ['Max-Forwards', '70'],
    ['From', fromHdr],
    ['To', toHdr],
    ['Call-ID', callId],
    ['CSeq', `${cseq} INVITE`],
    ['Contact', uacContact],
  ];
  if (uac.isPbx) {
    invite.push(['Session-Expires', '1800'], ['Min-SE', '90'], ['Allow', PBX_ALLOW], ['Supported', '100rel, timer, replaces, norefersub']);
  } else {
    invite.push(['Allow', PHONE_ALLOW], ['Supported', 'replaces, timer'], ['Allow-Events', 'talk,hold,conference,refer,check-sync']);
  }
  invite.push(['User-Agent', uac.userAgent]);
  const offerSession = rng.int(100_000, 1e9);
  const offer = sdpBody({
    user: uac.isPbx ? '-' : uac.user,
    ip: uac.ip,
    rtpPort: uacMediaPort,
    sessionId: offerSession,
    sessionVersion: offerSession,
    isPbx: uac.isPbx,
  });

  let t = t0Us;
  x.send(t, uac, uas, sipMessage(`INVITE ${requestUri} SIP/2.0`, invite, offer));
  t += msBetween(rng, 0.3, 3);
  x.send(t, uas, uac, sipResponse(invite, 100, null, uas));
  const responseExtra: SipHeaders = [
    ['Contact', uasContact],
    ['Allow', uas.isPbx ? PBX_ALLOW : PHONE_ALLOW],
  ];
  const rings = outcome !== 'unavailable' && (outcome !== 'busy' || rng.next() < 0.5);
  if (rings) {
    t += msBetween(rng, 40, 300);
    x.send(t, uas, uac, sipResponse(invite, 180, calleeTag, uas, responseExtra));
  }
  const toTagged = `${toHdr};tag=${calleeTag}`;
  /** ACK of a non-2xx final response: same branch as the INVITE, the response's To tag. */
  const ackFailure = (tUs: number): void => {
    const ack: SipHeaders = [
      ['Via', inviteVia],
      ['Max-Forwards', '70'],
      ['From', fromHdr],
      ['To', toTagged],
      ['Call-ID', callId],
      ['CSeq', `${cseq} ACK`],
      ['User-Agent', uac.userAgent],
    ];
    x.send(tUs, uac, uas, sipMessage(`ACK ${requestUri} SIP/2.0`, ack));
  };

  const streams: RtpStreamSource[] = [];
  let tAnswerUs: number | null = null;
  let endedBy: CallTruth['endedBy'] = null;
  const finalStatus = { answered: 200, busy: 486, unavailable: 503, timeout: 408, cancelled: 487 }[outcome];
  switch (outcome) {
    case 'answered': {
      t += Math.floor(rng.uniform(1, 6) * 1e6);
      const answerSession = rng.int(100_000, 1e9);
      const answer = sdpBody({
        user: uas.isPbx ? '-' : uas.user,
        ip: uas.ip,
        rtpPort: uasMediaPort,
        sessionId: answerSession,
        sessionVersion: answerSession + 1,
        isPbx: uas.isPbx,
      });
      x.send(t, uas, uac, sipResponse(invite, 200, calleeTag, uas, responseExtra, answer));
      tAnswerUs = t;
      const tAckUs = t + msBetween(rng, 10, 60);
      const ack: SipHeaders = [
        ['Via', via(uac, rng)],
        ['Max-Forwards', '70'],
        ['From', fromHdr],
        ['To', toTagged],
        ['Call-ID', callId],
        ['CSeq', `${cseq} ACK`],
        ['Contact', uacContact],
        ['User-Agent', uac.userAgent],
      ];
      x.send(tAckUs, uac, uas, sipMessage(`ACK ${uriOf(uasContact)} SIP/2.0`, ack));

      const talkUs = Math.floor(s.talkSec * rng.uniform(1 - s.talkSpread, 1 + s.talkSpread) * 1e6);
      const mediaEndUs = tAckUs + talkUs;
      const calleeStartUs = tAnswerUs + msBetween(rng, 5, 30); // the callee may talk as soon as it answers
      const callerStartUs = tAckUs + msBetween(rng, 1, 20); // the caller once it has ACKed
      const jitterUs = Math.floor(s.jitterMs * 1000);
      const sides = [
        { side: 'caller', src: uac, dst: uas, srcPort: uacMediaPort, dstPort: uasMediaPort, startUs: callerStartUs },
        { side: 'callee', src: uas, dst: uac, srcPort: uasMediaPort, dstPort: uacMediaPort, startUs: calleeStartUs },
      ] as const;
      let lastMediaUs = 0;
      for (const d of sides) {
        const packets = Math.max(1, Math.floor((mediaEndUs - d.startUs) / PTIME_US));
        streams.push(
          new RtpStreamSource({
            id: `${index}-${d.side}`,
            callId,
            src: d.src,
            dst: d.dst,
            srcPort: d.srcPort,
            dstPort: d.dstPort,
            startUs: d.startUs,
            packets,
            key: `${s.seed}/call/${index}/rtp/${d.side}`,
            lossRatio: s.lossRatio,
            jitterUs,
            payloads: w.payloads,
          }),
        );
        lastMediaUs = Math.max(lastMediaUs, d.startUs + packets * PTIME_US + jitterUs);
      }

      t = lastMediaUs + msBetween(rng, 20, 200);
      const callerHangsUp = rng.next() < 0.6;
      endedBy = callerHangsUp ? 'caller' : 'callee';
      const byeSrc = callerHangsUp ? uac : uas;
      const byeDst = callerHangsUp ? uas : uac;
      const byeCseq = callerHangsUp ? cseq + 1 : uas.isPbx ? rng.int(100, 30_000) : rng.int(1, 200);
      const bye: SipHeaders = [
        ['Via', via(byeSrc, rng)],
        ['Max-Forwards', '70'],
        ['From', callerHangsUp ? fromHdr : toTagged],
        ['To', callerHangsUp ? toTagged : fromHdr],
        ['Call-ID', callId],
        ['CSeq', `${byeCseq} BYE`],
        ['Contact', callerHangsUp ? uacContact : uasContact],
        ['User-Agent', byeSrc.userAgent],
      ];
      if (byeSrc.isPbx) bye.push(['Reason', 'Q.850;cause=16;text="Normal Clearing"']);
      x.send(t, byeSrc, byeDst, sipMessage(`BYE ${uriOf(callerHangsUp ? uasContact : uacContact)} SIP/2.0`, bye));
      t += msBetween(rng, 1, 40);
      x.send(t, byeDst, byeSrc, sipResponse(bye, 200, null, byeDst));
      break;
    }
    case 'busy':
      t += Math.floor(rng.uniform(0.5, 4) * 1e6);
      x.send(t, uas, uac, sipResponse(invite, 486, calleeTag, uas));
      t += msBetween(rng, 10, 60);
      ackFailure(t);
      break;
    case 'unavailable':
      t += msBetween(rng, 5, 80);
      x.send(t, uas, uac, sipResponse(invite, 503, calleeTag, uas, [['Retry-After', '30']]));
      t += msBetween(rng, 10, 60);
      ackFailure(t);
      break;
    case 'timeout':
      t += Math.floor(s.ringTimeoutSec * 1e6);
      x.send(t, uas, uac, sipResponse(invite, 408, calleeTag, uas));
      t += msBetween(rng, 10, 60);
      ackFailure(t);
      break;
    case 'cancelled': {
      t += Math.floor(rng.uniform(1, 10) * 1e6);
      const cancel: SipHeaders = [
        ['Via', inviteVia],
        ['Max-Forwards', '70'],
        ['From', fromHdr],
        ['To', toHdr],
        ['Call-ID', callId],
        ['CSeq', `${cseq} CANCEL`],
        ['User-Agent', uac.userAgent],
      ];
      if (uac.isPbx) cancel.push(['Reason', 'Q.850;cause=16;text="Normal Clearing"']);
      x.send(t, uac, uas, sipMessage(`CANCEL ${requestUri} SIP/2.0`, cancel));
      t += msBetween(rng, 1, 20);
      x.send(t, uas, uac, sipResponse(cancel, 200, calleeTag, uas));
      t += msBetween(rng, 1, 5);
      x.send(t, uas, uac, sipResponse(invite, 487, calleeTag, uas));
      t += msBetween(rng, 10, 60);
      ackFailure(t);
      break;
    }
  }

  const truth: CallTruth = {
    index,
    callId,
    direction: inbound ? 'inbound' : 'outbound',
    caller: uriOf(fromHdr),
    callee: uriOf(toHdr),
    uac: hostPort(uac),
    uas: hostPort(uas),
    outcome,
    finalStatus,
    endedBy,
    tInviteSec: t0Us / 1e6,
    tAnswerSec: tAnswerUs === null ? null : tAnswerUs / 1e6,
    tEndSec: t / 1e6,
    sipMessages: x.frames.length,
    streams: streams.map((r) => r.id),
  };
  return { sip: x.source(), streams, truth };
}

function md5Hex(s: string): string {
  return createHash('md5').update(s, 'latin1').digest('hex');
}

export interface BuiltRegistration {
  sip: FrameListSource;
  truth: RegistrationTruth;
}

/** REGISTER → 401 → REGISTER (Authorization) → 200, from a random phone, starting at `t0Us`. */
export function buildRegistration(w: ScenarioWorld, index: number, t0Us: number): BuiltRegistration {
  const s = w.scenario;
  const pbx = w.pbx;
  const rng = new Prng(`${s.seed}/register/${index}`);
  const x = new SipExchange(rng, w.sipCounts);
  const phone = rng.pick(w.phones);
  const callId = phoneCallId(rng, phone);
  const fromTag = String(rng.int(1e9, 1e10));
  const cseq = rng.int(1, 500);
  const requestUri = `sip:${pbx.ip}`;
  const aor = `sip:${phone.user}@${pbx.ip}`;
  const contact = `<sip:${phone.user}@${hostPort(phone)}>`;
  const register = (n: number, auth: SipHeaders): SipHeaders => [
    ['Via', via(phone, rng)],
    ['Max-Forwards', '70'],
    ['From', `"${phone.user}" <${aor}>;tag=${fromTag}`],
    ['To', `<${aor}>`],
    ['Call-ID', callId],
    ['CSeq', `${n} REGISTER`],
    ['Contact', contact],
    ...auth,
    ['Expires', '3600'],
    ['User-Agent', phone.userAgent],
    ['Allow', PHONE_ALLOW],
  ];

  let t = t0Us;
  const first = register(cseq, []);
  x.send(t, phone, pbx, sipMessage(`REGISTER ${requestUri} SIP/2.0`, first));
  const nonce = `${CAPTURE_START_EPOCH_SEC + Math.floor(t / 1e6)}/${rng.hex(32)}`;
  const opaque = rng.hex(16);
  t += msBetween(rng, 1, 10);
  const challenge = `Digest realm="${DIGEST_REALM}",nonce="${nonce}",opaque="${opaque}",algorithm=MD5,qop="auth"`;
  x.send(t, pbx, phone, sipResponse(first, 401, rng.hex(8), pbx, [['WWW-Authenticate', challenge]]));

  // RFC 2617 §3.2.2.1: response = MD5(HA1:nonce:nc:cnonce:qop:HA2)
  const cnonce = rng.hex(8);
  const nc = '00000001';
  const ha1 = md5Hex(`${phone.user}:${DIGEST_REALM}:${phone.password}`);
  const ha2 = md5Hex(`REGISTER:${requestUri}`);
  const response = md5Hex(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  const authorization =
    `Digest username="${phone.user}", realm="${DIGEST_REALM}", nonce="${nonce}", uri="${requestUri}", ` +
    `response="${response}", algorithm=MD5, cnonce="${cnonce}", opaque="${opaque}", qop=auth, nc=${nc}`;
  const second = register(cseq + 1, [['Authorization', authorization]]);
  t += msBetween(rng, 5, 50);
  x.send(t, phone, pbx, sipMessage(`REGISTER ${requestUri} SIP/2.0`, second));
  t += msBetween(rng, 1, 10);
  const date = new Date((CAPTURE_START_EPOCH_SEC + Math.floor(t / 1e6)) * 1000).toUTCString();
  x.send(t, pbx, phone, sipResponse(second, 200, rng.hex(8), pbx, [['Contact', `${contact};expires=3600`], ['Date', date]]));

  return {
    sip: x.source(),
    truth: { index, aor, callId, tSec: t0Us / 1e6, attempts: 2, challenges: 1, successes: 1 },
  };
}

/** OPTIONS qualify ping PBX → random phone → 200, at `t0Us`. */
export function buildOptionsPing(w: ScenarioWorld, index: number, t0Us: number): FrameListSource {
  const s = w.scenario;
  const pbx = w.pbx;
  const rng = new Prng(`${s.seed}/options/${index}`);
  const x = new SipExchange(rng, w.sipCounts);
  const phone = rng.pick(w.phones);
  const options: SipHeaders = [
    ['Via', via(pbx, rng)],
    ['From', `<sip:asterisk@${pbx.ip}>;tag=${rng.uuid4()}`],
    ['To', `<sip:${phone.user}@${phone.ip}>`],
    ['Contact', `<sip:asterisk@${hostPort(pbx)}>`],
    ['Call-ID', rng.uuid4()],
    ['CSeq', `${rng.int(100, 60_000)} OPTIONS`],
    ['Max-Forwards', '70'],
    ['User-Agent', pbx.userAgent],
  ];
  let t = t0Us;
  x.send(t, pbx, phone, sipMessage(`OPTIONS sip:${phone.user}@${hostPort(phone)} SIP/2.0`, options));
  t += msBetween(rng, 1, 30);
  const extra: SipHeaders = [
    ['Allow', PHONE_ALLOW],
    ['Accept', 'application/sdp'],
    ['Supported', 'replaces, timer'],
  ];
  x.send(t, phone, pbx, sipResponse(options, 200, String(rng.int(1e9, 1e10)), phone, extra));
  return x.source();
}
