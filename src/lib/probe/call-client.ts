/**
 * The synthetic call (RFC 3261 §13–15, RFC 3262 PRACK, RFC 3264 offer/answer):
 *
 *   INVITE+SDP ─► 100 ─► 18x (SRD) [─► PRACK if Require: 100rel] ─► 200+SDP (setup) ─► ACK
 *   401/407 ─► ACK, INVITE again with credentials (CSeq + 1); busy/rejected ─► ACK, result
 *   no final answer within the ring timeout ─► CANCEL (after a provisional) ─► 487 ─► ACK
 *   RTP + RTCP both ways for `durationMs` ─► BYE (SDT = 200 → BYE, SDD = BYE → 2xx)
 *
 * A BYE from the far end ends the media early (answered 200). 2xx retransmissions are ACKed
 * again. Failures are results, never throws (but a bug is).
 */
import { randomInt } from 'node:crypto';
import type { MediaPorts } from '../net/media-socket.js';
import type { Endpoint, TransportFailure } from '../net/sip-transport.js';
import { computeMos } from '../mos/index.js';
import { decodeSdp, mediaEndpoints } from '../sdp/sdp.js';
import { newBranch, newTag } from '../sip/encode.js';
import type { SipMessage } from '../sip/message.js';
import { DigestSession, type Credentials } from './auth.js';
import { USER_AGENT, type ProbeIdentity } from './identity.js';
import { mergeFindings, responderInfo, sampleFrom, type ResponderInfo } from './options-pinger.js';
import type { PacerClock } from './pacer.js';
import type { CallResult, Finding, MediaDirection, ProbeSample } from './result.js';
import { RtpSession, type FrameSource, type RtpSessionSummary } from './rtp-session.js';
import { G711, buildSdpOffer, chooseCodec, type G711Codec } from './sdp-offer.js';
import { elapsedMs, type AgentClock, type OutgoingRequest, type ResponseEvent, type SipAgent } from './sip-agent.js';
import { viaFindings } from './nat.js';

export interface CallOptions {
  agent: SipAgent;
  agentClock: AgentClock;
  /** Request-URI of the INVITE (e.g. sip:echo@pbx). */
  callUri: string;
  identity: ProbeIdentity;
  /** Our AOR for From. */
  fromUri: string;
  credentials: Credentials | undefined;
  durationMs: number;
  /** No final answer by then: CANCEL. */
  ringTimeoutMs: number;
  /** Non-INVITE transactions (BYE, CANCEL, PRACK). */
  timeoutMs: number;
  codecs: readonly G711Codec[];
  ptimeMs: number;
  openMedia(): Promise<MediaPorts>;
  source: FrameSource;
  clock: PacerClock;
  /** Send our RTP here instead of the SDP answer's address (tests: an impairment relay). */
  rtpOverride?: Endpoint;
  signal?: AbortSignal;
}

export interface CallOutcome extends ResponderInfo {
  result: CallResult;
  probes: ProbeSample[];
  findings: Finding[];
  failure: TransportFailure | undefined;
  noAnswer: boolean;
  media: RtpSessionSummary | null;
}

const MAX_INVITES = 3;

function emptyDirection(): MediaDirection {
  return { packets: 0, lossPct: null, jitterMs: null, mos: null, source: 'none' };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export async function placeCall(o: CallOptions): Promise<CallOutcome> {
  const { agent, identity } = o;
  const result: CallResult = {
    uri: o.callUri,
    status: null,
    reason: null,
    srdMs: null,
    setupMs: null,
    sdtMs: null,
    sddMs: null,
    codec: null,
    endedBy: 'error',
    prack: false,
    rx: emptyDirection(),
    tx: emptyDirection(),
    rtcp: { sent: 0, received: 0 },
    remoteMedia: null,
  };
  const out: CallOutcome = { result, probes: [], findings: [], failure: undefined, noAnswer: false, media: null, server: null, userAgent: null, allow: [] };
  /** Our CSeq in this Call-ID: INVITEs, PRACKs and the BYE count up together. */
  let cseq = 0;
  const media = await o.openMedia();
  try {
    const local = agent.transport.local;
    const offer = buildSdpOffer({ ip: local.ip, rtpPort: media.rtp.local.port, sessionId: randomInt(1, 2 ** 31), codecs: o.codecs, ptimeMs: o.ptimeMs });
    const auth = new DigestSession(o.credentials);
    let authHeader: [string, string] | undefined;
    let firstInviteNs: bigint | undefined;
    let answered: ResponseEvent | undefined;
    let final: ResponseEvent | undefined;
    let srdNs: bigint | undefined;

    let inviteCseq = 0;
    for (let attempt = 0; attempt < MAX_INVITES; attempt++) {
      inviteCseq = ++cseq;
      const headers: [string, string][] = [
        ['Max-Forwards', '70'],
        ['From', `<${o.fromUri}>;tag=${identity.fromTag}`],
        ['To', `<${o.callUri}>`],
        ['Call-ID', identity.callId],
        ['CSeq', `${inviteCseq} INVITE`],
        ['Contact', identity.contact],
        ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK'],
        ['Supported', '100rel'],
        ['User-Agent', USER_AGENT],
        ['Content-Type', 'application/sdp'],
      ];
      if (authHeader) headers.push(authHeader);
      const invite: OutgoingRequest = { method: 'INVITE', requestUri: o.callUri, headers, body: offer };
      const branch = newBranch();
      let cancelled = false;
      let provisionalSeen = false;
      // ring timeout: CANCEL once a provisional came (RFC 3261 §9.1); the INVITE then ends with 487
      const stopRing = o.agentClock.setTimer(() => {
        if (!provisionalSeen || cancelled) return;
        cancelled = true;
        void agent.request(
          {
            method: 'CANCEL',
            requestUri: o.callUri,
            headers: [
              ['Max-Forwards', '70'],
              ['From', `<${o.fromUri}>;tag=${identity.fromTag}`],
              ['To', `<${o.callUri}>`],
              ['Call-ID', identity.callId],
              ['CSeq', `${inviteCseq} CANCEL`],
              ['User-Agent', USER_AGENT],
            ],
          },
          { timeoutMs: o.timeoutMs, branch },
        );
      }, o.ringTimeoutMs);
      const r = await agent.request(invite, {
        // the transaction outlives the ring timeout long enough for the 487 after our CANCEL
        timeoutMs: o.ringTimeoutMs + Math.max(2000, o.timeoutMs),
        branch,
        onProvisional: (ev) => {
          provisionalSeen = true;
          const status = ev.message.statusCode ?? 0;
          if (status > 100 && srdNs === undefined) srdNs = ev.atNs;
          if (status > 100 && ev.message.require.some((x) => x.toLowerCase() === '100rel') && ev.message.rseq !== undefined) {
            result.prack = true;
            void sendPrack(ev.message, inviteCseq);
          }
        },
      });
      stopRing();
      firstInviteNs ??= r.sentAtNs;
      out.probes.push(sampleFrom(out.probes.length + 1, 'INVITE', r));
      if (r.kind === 'transport') {
        out.failure = r.failure;
        result.endedBy = 'error';
        break;
      }
      if (r.kind === 'timeout') {
        out.noAnswer = r.first === undefined;
        result.endedBy = 'timeout';
        result.status = r.first?.message.statusCode ?? null;
        result.reason = r.first?.message.reason ?? null;
        break;
      }
      final = r.final;
      const msg = r.final.message;
      if (out.server === null && out.userAgent === null) Object.assign(out, responderInfo(msg));
      mergeFindings(out.findings, viaFindings({ host: local.ip, port: local.port, branch: r.branch }, local, msg));
      const status = msg.statusCode ?? 0;
      if (status >= 300) ackNonSuccess(msg, r.branch, inviteCseq);
      if (status === 401 || status === 407) {
        const a = auth.answer(msg, 'INVITE', o.callUri, authHeader !== undefined);
        if (!a.ok) {
          out.findings.push({
            severity: 'error',
            code: a.reason === 'rejected' ? 'AUTH_FAILED' : 'AUTH_REQUIRED',
            message: a.reason === 'rejected' ? `authentication failed for the INVITE (${status})` : `the INVITE needs credentials (${status}): give --user and --password-env`,
          });
          break;
        }
        authHeader = a.header;
        continue;
      }
      if (status >= 200 && status < 300) answered = r.final;
      if (status >= 300 && cancelled) result.endedBy = 'cancel';
      else if (status >= 300) result.endedBy = 'rejected';
      break;
    }

    if (final) {
      result.status = final.message.statusCode ?? null;
      result.reason = final.message.reason ?? null;
    }
    if (srdNs !== undefined && firstInviteNs !== undefined) result.srdMs = elapsedMs(firstInviteNs, srdNs);
    if (!answered || firstInviteNs === undefined) {
      if (result.status !== null && result.status >= 300 && result.status !== 401 && result.status !== 407) {
        out.findings.push({ severity: 'warning', code: result.endedBy === 'cancel' ? 'CALL_CANCELLED' : 'CALL_REJECTED', message: `the call ended with ${result.status} ${result.reason ?? ''}`.trim() });
      }
      return out;
    }

    // ---- established: ACK, media, BYE ----
    const ok = answered.message;
    result.setupMs = elapsedMs(firstInviteNs, answered.atNs);
    if (result.srdMs === null) result.srdMs = result.setupMs; // no 18x: the 200 is the status-indicative response
    const toHeader = ok.get('to') ?? `<${o.callUri}>`;
    const remoteTarget = ok.contact[0]?.uri.raw ?? o.callUri;
    const routeSet = ok.recordRoute.map((r) => `<${r.uri.raw}>`).reverse();
    const dialogHeaders = (method: string, n: number): [string, string][] => [
      ['Max-Forwards', '70'],
      ['From', `<${o.fromUri}>;tag=${identity.fromTag}`],
      ['To', toHeader],
      ['Call-ID', identity.callId],
      ['CSeq', `${n} ${method}`],
      ...routeSet.map((r) => ['Route', r] as [string, string]),
      ['User-Agent', USER_AGENT],
    ];
    const ack = (): void => {
      agent.sendStateless({ method: 'ACK', requestUri: remoteTarget, headers: dialogHeaders('ACK', inviteCseq) });
    };
    ack();
    agent.onStrayResponse((ev) => {
      // 2xx retransmitted: our ACK was lost (RFC 3261 §13.2.2.4)
      const m = ev.message;
      if (m.cseq?.method === 'INVITE' && (m.statusCode ?? 0) >= 200 && (m.statusCode ?? 0) < 300) ack();
    });

    const sdp = decodeSdp(ok.body);
    const audio = sdp.ok ? mediaEndpoints(sdp.value).find((m) => m.media === 'audio' && !m.rejected) : undefined;
    const codec = audio ? chooseCodec(audio, o.codecs) : undefined;
    const peerBye = new AbortController();
    const stopMedia = AbortSignal.any([peerBye.signal, ...(o.signal ? [o.signal] : [])]);
    let peerByeAtNs: bigint | undefined;
    const localTag = newTag();
    agent.onRequest((req, atNs) => {
      if (req.method === 'BYE' && req.callId === identity.callId) {
        agent.respond(req, 200, 'OK', { toTag: localTag });
        peerByeAtNs ??= atNs;
        peerBye.abort();
      } else if (req.method === 'OPTIONS') {
        agent.respond(req, 200, 'OK', { toTag: localTag, headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK']] });
      } else if (req.method !== 'ACK') {
        agent.respond(req, req.method === 'INVITE' ? 488 : 501, req.method === 'INVITE' ? 'Not Acceptable Here' : 'Not Implemented', { toTag: localTag });
      }
    });

    if (!audio || !codec) {
      out.findings.push({
        severity: 'error',
        code: 'NO_COMMON_CODEC',
        message: audio ? `the answer has no codec we offered (${audio.payloads.map((p) => p.name).join(', ')})` : 'the 200 OK has no usable audio SDP answer',
      });
    } else {
      result.codec = codec;
      result.remoteMedia = { ip: audio.ip, port: audio.rtpPort };
      const session = new RtpSession({
        rtp: media.rtp,
        rtcp: media.rtcp,
        remoteRtp: o.rtpOverride ?? { ip: audio.ip, port: audio.rtpPort },
        remoteRtcp: { ip: audio.rtcpIp, port: audio.rtcpPort },
        payloadType: G711[codec].pt,
        law: G711[codec].law,
        source: o.source,
        ptimeMs: o.ptimeMs,
        durationMs: o.durationMs,
        clock: o.clock,
        cname: `voipdiag@${local.ip}`,
        signal: stopMedia,
      });
      const summary = await session.run();
      out.media = summary;
      result.rtcp = { sent: summary.rtcpSent, received: summary.rtcpReceived };
      Object.assign(result, mediaDirections(summary, codec, o.ptimeMs));
      out.findings.push(...mediaFindings(summary, { ip: audio.ip, port: audio.rtpPort }, peerBye.signal.aborted));
    }

    if (peerByeAtNs !== undefined) {
      result.endedBy = 'peer';
      result.sdtMs = elapsedMs(answered.atNs, peerByeAtNs);
      return out;
    }
    const bye = await agent.request({ method: 'BYE', requestUri: remoteTarget, headers: dialogHeaders('BYE', ++cseq) }, { timeoutMs: o.timeoutMs });
    result.endedBy = 'us';
    result.sdtMs = elapsedMs(answered.atNs, bye.sentAtNs);
    if (bye.kind === 'final' && (bye.final.message.statusCode ?? 0) < 300) result.sddMs = elapsedMs(bye.sentAtNs, bye.final.atNs);
    else out.findings.push({ severity: 'warning', code: 'BYE_FAILED', message: bye.kind === 'final' ? `BYE answered ${bye.final.message.statusCode ?? ''} ${bye.final.message.reason ?? ''}`.trim() : 'no answer to our BYE' });
    return out;
  } finally {
    await Promise.all([media.rtp.close(), media.rtcp.close()]);
  }

  function ackNonSuccess(msg: SipMessage, branch: string, n: number): void {
    // RFC 3261 §17.1.1.3: same branch and Request-URI as the INVITE, To from the response
    agent.sendStateless(
      {
        method: 'ACK',
        requestUri: o.callUri,
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<${o.fromUri}>;tag=${identity.fromTag}`],
          ['To', msg.get('to') ?? `<${o.callUri}>`],
          ['Call-ID', identity.callId],
          ['CSeq', `${n} ACK`],
          ['User-Agent', USER_AGENT],
        ],
      },
      branch,
    );
  }

  async function sendPrack(prov: SipMessage, inviteCseq: number): Promise<void> {
    const rseq = prov.rseq ?? 0;
    const target = prov.contact[0]?.uri.raw ?? o.callUri;
    const routes = prov.recordRoute.map((r) => `<${r.uri.raw}>`).reverse();
    await agent.request(
      {
        method: 'PRACK',
        requestUri: target,
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<${o.fromUri}>;tag=${identity.fromTag}`],
          ['To', prov.get('to') ?? `<${o.callUri}>`],
          ['Call-ID', identity.callId],
          ['CSeq', `${++cseq} PRACK`],
          ['RAck', `${rseq} ${inviteCseq} INVITE`],
          ...routes.map((r) => ['Route', r] as [string, string]),
          ['User-Agent', USER_AGENT],
        ],
      },
      { timeoutMs: o.timeoutMs },
    );
  }
}

/** One-way audio and symmetric-RTP findings. */
export function mediaFindings(s: RtpSessionSummary, announced: Endpoint, endedEarly: boolean): Finding[] {
  const out: Finding[] = [];
  if (s.sent > 0 && (s.received === null || s.received.packets === 0) && !endedEarly) {
    out.push({ severity: 'error', code: 'NO_RTP_RECEIVED', message: `no RTP came back for the ${s.sent} packets we sent to ${announced.ip}:${announced.port} (one-way audio)` });
  }
  const from = s.receivedFrom;
  if (from && (from.ip !== announced.ip || from.port !== announced.port)) {
    out.push({
      severity: 'info',
      code: 'RTP_SOURCE_DIFFERS',
      message: `RTP arrives from ${from.ip}:${from.port}, the SDP answer announced ${announced.ip}:${announced.port} (NAT or a media relay in between)`,
    });
  }
  return out;
}

/** Per-direction numbers and MOS from the media summary. */
export function mediaDirections(s: RtpSessionSummary, codec: G711Codec, ptimeMs: number): { rx: MediaDirection; tx: MediaDirection } {
  const oneWayMs = s.echoRttMs !== null ? s.echoRttMs / 2 : s.farEnd?.rttMs != null ? s.farEnd.rttMs / 2 : 0;
  const mos = (lossPct: number, jitterMs: number, burstRatio = 1): number =>
    round(computeMos({ codec, lossPct: Math.min(100, Math.max(0, lossPct)), jitterMs, burstRatio: Math.max(1, burstRatio), oneWayDelayMs: oneWayMs, packetisationMs: ptimeMs }).mos, 2);
  const rx: MediaDirection = emptyDirection();
  const snap = s.received;
  if (snap && snap.packets > 0) {
    const lossPct = round(snap.netLostPct, 2);
    const jitterMs = round(snap.meanJitterMs < 0 ? 0 : snap.meanJitterMs, 3);
    rx.packets = snap.packets;
    rx.lossPct = lossPct;
    rx.jitterMs = jitterMs;
    rx.mos = mos(lossPct, jitterMs, snap.burstRatio);
    rx.source = 'measured';
  }
  const tx: MediaDirection = { packets: s.sent, lossPct: null, jitterMs: null, mos: null, source: 'none' };
  if (s.farEnd) {
    // what the far end expected by the time of its report (RFC 3550 A.3), from our first sequence number
    const reported = ((s.farEnd.extendedHighestSeq - s.firstSeq) & 0xffff) + 1;
    const expected = reported >= 1 && reported <= s.sent ? reported : s.sent;
    const lossPct = expected <= 0 ? 0 : round((Math.max(0, s.farEnd.cumulativeLost) / expected) * 100, 2);
    const jitterMs = round(s.farEnd.jitter / 8, 3);
    tx.lossPct = lossPct;
    tx.jitterMs = jitterMs;
    tx.mos = mos(lossPct, jitterMs);
    tx.source = 'rtcp';
  } else if (s.echo && rx.lossPct !== null && rx.jitterMs !== null) {
    tx.lossPct = rx.lossPct;
    tx.jitterMs = rx.jitterMs;
    tx.mos = rx.mos;
    tx.source = 'echo';
  }
  return { rx, tx };
}
