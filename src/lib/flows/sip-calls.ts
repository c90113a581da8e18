/**
 * SIP dialog, transaction and registration tracking over a stream of decoded messages.
 *
 * A pure state machine (STYLE.md rule 12): `push(msg, ctx)` with the capture time in `ctx`,
 * `snapshot(endSec)` for the result. No clocks, no I/O.
 *
 * - Calls: one per initial INVITE (Call-ID + From-tag), RFC 3261 §12 (dialogs), §13 (INVITE),
 *   §9 (CANCEL), §15 (BYE). Early dialogs from forking are kept by To-tag; the first 2xx wins.
 *   A 401/407 to an INVITE that is followed by a new INVITE with credentials in the same
 *   Call-ID is an authentication round, not the call's outcome (RFC 3261 §22.2).
 * - Registrations: RFC 3261 §10; a registration attempt is the chain of REGISTERs in one
 *   Call-ID up to its final non-challenge response; RRD runs from the chain's first REGISTER to
 *   the final 2xx (RFC 6076 §4.1).
 * - Retransmissions: the same request (Call-ID, CSeq, top Via branch, same hop) or the same
 *   response (plus status and To-tag) seen again within 2 × 64·T1 (RFC 3261 §17.1.1.2 timer B).
 */
import type { SipMessage } from '../sip/message.js';
import { detach } from '../sip/detach.js';
import { Hash53, HashWindow } from './hash-window.js';
import { parseUserAgent, type UserAgentInfo } from '../sip/user-agent.js';
import { decodeSdp, mediaEndpoints, type MediaEndpoint } from '../sdp/sdp.js';
import { DelayStats } from '../metrics/delay-stats.js';

/** Where and when a message was seen. */
export interface SipContext {
  tSec: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  transport: 'udp' | 'tcp';
  frame: number;
  fileIndex: number;
}

export type EndedBy = 'caller-bye' | 'callee-bye' | 'cancel' | 'error' | 'open';

export interface CallMedia {
  side: 'caller' | 'callee';
  ip: string;
  rtpPort: number;
  rtcpPort: number;
  rtcpMux: boolean;
  codecs: string[];
  direction: string;
  /** Payload type → {name, clockRate} from a=rtpmap (and the static table). */
  payloads: { pt: number; name: string; clockRate: number }[];
}

export interface CallState {
  key: string;
  callId: string;
  fromTag: string;
  from: string;
  to: string;
  caller: { ip: string; port: number };
  /** Port in the INVITE's top Via sent-by: where responses go without rport (RFC 3261 §18.2.2). */
  callerViaPort: number;
  callee: { ip: string; port: number };
  inviteSec: number;
  firstInviteFrame: number;
  ringSec?: number;
  answerSec?: number;
  finalSec?: number;
  finalStatus?: number;
  finalReason?: string;
  challenged: number;
  /** Set when the last final response was a 401/407 still waiting for an INVITE with credentials. */
  pendingChallenge?: { status: number; sec: number; reason: string };
  cancelSec?: number;
  byeSec?: number;
  byeFromCaller?: boolean;
  /** Where the first BYE came from: its answer is the one sent back there. */
  byeOrigin?: { ip: string; port: number; viaPort: number };
  byeAnsweredSec?: number;
  byeStatus?: number;
  toTags: Set<string>;
  answeredToTag?: string;
  reInvites: number;
  prack: number;
  updates: number;
  userAgents: { caller?: string; callee?: string };
  media: CallMedia[];
  messageCount: number;
  lastSec: number;
  /** RFC 4028 Session-Expires of the dialog, seconds, when stated. */
  sessionExpiresSec?: number;
}

export interface RegistrationState {
  aor: string;
  attempts: number;
  challenges: number;
  successes: number;
  deregistrations: number;
  failures: Record<string, number>;
  /** RFC 6076 §4.1 RRD of this AoR's registrations, ms (bounded: a 128-sample reservoir). */
  rrd: DelayStats;
  lastExpiresSec?: number;
}

interface RegChain {
  aor: string;
  startSec: number;
  deregister: boolean;
  lastHadCredentials: boolean;
  lastChallenge?: number;
  done: boolean;
}

export interface EndpointState {
  userAgent: string;
  info: UserAgentInfo;
  addresses: Set<string>;
  messages: number;
  role: 'user-agent' | 'server';
}

export interface LadderEntry {
  tSec: number;
  src: string;
  dst: string;
  label: string;
  transport: string;
  frame: number;
  retransmission: boolean;
}

export interface SipCallTrackerOptions {
  /** Collect ladder entries for these Call-IDs (empty: none). */
  ladderCallIds?: ReadonlySet<string>;
  /** Called when an SDP offer/answer gives a media endpoint (the RTP engine claims streams). */
  onMedia?: (call: CallState, media: CallMedia) => void;
  /** Called when a call reaches its end (BYE answered, rejected, cancelled). */
  onCallEnd?: (call: CallState) => void;
  /** Keep the set of distinct Call-IDs (default true). */
  trackCallIds?: boolean;
  /** Called for every SIP message (after retransmission detection), e.g. for exporter counters. */
  onMessage?: (msg: SipMessage, ctx: SipContext, retransmission: boolean) => void;
  /** Called when a registration attempt ends (2xx or failure). */
  onRegistration?: (r: { aor: string; ok: boolean; status: number; rrdMs: number | null; callId: string; ctx: SipContext }) => void;
  /** Called for each OPTIONS answered. */
  onOptionsRtt?: (ms: number, ctx: SipContext) => void;
}

/** RFC 4028 default when a dialog states no Session-Expires. */
export const DEFAULT_SESSION_EXPIRES_SEC = 1800;
/** An INVITE with no final response after this long is abandoned (well past timer B, 64·T1). */
export const UNANSWERED_TIMEOUT_SEC = 300;
const MAX_ENDPOINTS = 10_000;

/**
 * Retransmissions end within 64·T1 = 32 s (RFC 3261 timers B and F, T1 = 500 ms): HashWindow
 * keeps two 32 s generations, so every retransmission is within the window.
 */
const RETRANS_WINDOW_SEC = 32;

export class SipCallTracker {
  readonly methods: Record<string, number> = Object.create(null);
  readonly statusCodes: Record<string, number> = Object.create(null);
  messages = 0;
  retransmissions = 0;
  /** Distinct Call-IDs of every SIP message (analyze only; live capture turns it off). */
  readonly callIds: Set<string> | undefined;
  readonly calls = new Map<string, CallState>();
  /** Call-ID → keys of calls in it (usually one). */
  private readonly callsById = new Map<string, string[]>();
  readonly registrations = new Map<string, RegistrationState>();
  private readonly regChains = new Map<string, RegChain>();
  readonly endpoints = new Map<string, EndpointState>();
  readonly ladders = new Map<string, LadderEntry[]>();
  /** OPTIONS request → first response delays (ms), for keepalive health. */
  readonly optionsRtt = new DelayStats();
  /** Calls dropped by `expire` (live capture): answered past their session timer, or never answered. */
  readonly evictions = { sessionExpired: 0, unanswered: 0, optionsUnanswered: 0, endpoints: 0 };
  private readonly optionsPending = new Map<string, number>();
  /** Hashes of the messages of the last 32–64 s (retransmission keys). */
  private readonly seen = new HashWindow(RETRANS_WINDOW_SEC);
  /**
   * Hashes of the keys of calls `forget` dropped, for one to two retransmission windows: a late
   * copy of their INVITE (a proxy re-forwarding a retransmission as a new transaction, after
   * its own timer) belongs to the finished call, not to a new one.
   */
  private readonly ended = new HashWindow(RETRANS_WINDOW_SEC);
  private readonly hash = new Hash53();
  /** Capture time of the newest message. */
  private nowSec = 0;

  constructor(private readonly opts: SipCallTrackerOptions = {}) {
    this.callIds = opts.trackCallIds === false ? undefined : new Set();
  }

  push(msg: SipMessage, ctx: SipContext): void {
    this.messages++;
    if (ctx.tSec > this.nowSec) this.nowSec = ctx.tSec;
    const isRequest = msg.kind === 'request';
    if (isRequest) {
      const m = msg.method ?? 'UNKNOWN';
      this.methods[m] = (this.methods[m] ?? 0) + 1;
    } else {
      const c = String(msg.statusCode);
      this.statusCodes[c] = (this.statusCodes[c] ?? 0) + 1;
    }
    const retrans = this.isRetransmission(msg, ctx);
    if (retrans) this.retransmissions++;
    this.noteEndpoint(msg, ctx);
    this.opts.onMessage?.(msg, ctx, retrans);

    const callId = msg.callId ?? '';
    if (this.callIds !== undefined && !this.callIds.has(callId)) this.callIds.add(detach(callId));
    if (this.opts.ladderCallIds?.has(callId)) this.addLadder(callId, msg, ctx, retrans);
    if (retrans) return;

    const cseqMethod = msg.cseq?.method ?? msg.method ?? '';
    if (cseqMethod === 'REGISTER') this.onRegister(msg, ctx);
    else if (cseqMethod === 'OPTIONS') this.onOptions(msg, ctx);
    else this.onDialogMessage(msg, ctx, cseqMethod);
  }

  // ---- retransmissions -------------------------------------------------------------------

  /**
   * Same request or response, same hop, within the window: a retransmission. The key is the
   * transaction (Call-ID, CSeq, top Via branch), the message (method, or status code and To
   * tag) and the hop; only its 53-bit hash is kept (no key string, nothing that holds the
   * message text).
   */
  private isRetransmission(msg: SipMessage, ctx: SipContext): boolean {
    const cseq = msg.cseq;
    const h = this.hash.start();
    if (msg.kind === 'request') h.str('Q').str(msg.method ?? '');
    else h.str('S').num(msg.statusCode ?? 0).str(msg.to?.tag ?? '');
    h.str(msg.callId ?? '').num(cseq?.seq ?? 0).str(cseq?.method ?? '').str(msg.via[0]?.branch ?? '');
    h.str(ctx.src).num(ctx.srcPort).str(ctx.dst).num(ctx.dstPort);
    return this.seen.seenOrAdd(h.value(), ctx.tSec);
  }

  private callKeyHash(callId: string, fromTag: string): number {
    return this.hash.start().str(callId).str(fromTag).value();
  }

  // ---- endpoints inventory -----------------------------------------------------------------

  private noteEndpoint(msg: SipMessage, ctx: SipContext): void {
    const ua = msg.userAgent ?? msg.server;
    if (!ua) return;
    let ep = this.endpoints.get(ua);
    if (!ep) {
      if (this.endpoints.size >= MAX_ENDPOINTS) {
        this.evictions.endpoints++;
        return;
      }
      ep = {
        userAgent: detach(ua),
        info: parseUserAgent(ua),
        addresses: new Set(),
        messages: 0,
        role: msg.userAgent ? 'user-agent' : 'server',
      };
      this.endpoints.set(ep.userAgent, ep);
    }
    ep.messages++;
    if (ep.addresses.size < 32) ep.addresses.add(ctx.src);
  }

  // ---- ladder ------------------------------------------------------------------------------

  private addLadder(callId: string, msg: SipMessage, ctx: SipContext, retrans: boolean): void {
    let list = this.ladders.get(callId);
    if (!list) this.ladders.set(callId, (list = []));
    const sdp = msg.contentType?.toLowerCase().startsWith('application/sdp') && msg.body.length > 0;
    const label =
      msg.kind === 'request'
        ? `${msg.method}${sdp ? ' (SDP)' : ''}`
        : `${msg.statusCode} ${msg.reason ?? ''}`.trim() + (sdp ? ' (SDP)' : '');
    list.push({
      tSec: ctx.tSec,
      src: hostPort(ctx.src, ctx.srcPort),
      dst: hostPort(ctx.dst, ctx.dstPort),
      label: msg.kind === 'response' ? `${label} [${msg.cseq?.method ?? ''}]` : label,
      transport: ctx.transport,
      frame: ctx.frame,
      retransmission: retrans,
    });
  }

  // ---- OPTIONS -----------------------------------------------------------------------------

  private onOptions(msg: SipMessage, ctx: SipContext): void {
    const key = `${msg.callId}|${msg.cseq?.seq}|${msg.via[0]?.branch ?? ''}`;
    if (msg.kind === 'request') {
      if (this.optionsPending.size < 10_000) this.optionsPending.set(key, ctx.tSec);
      return;
    }
    const t0 = this.optionsPending.get(key);
    if (t0 !== undefined) {
      const ms = (ctx.tSec - t0) * 1000;
      this.optionsRtt.push(ms);
      this.optionsPending.delete(key);
      this.opts.onOptionsRtt?.(ms, ctx);
    }
  }

  // ---- REGISTER ----------------------------------------------------------------------------

  private onRegister(msg: SipMessage, ctx: SipContext): void {
    const callId = msg.callId ?? '';
    if (msg.kind === 'request') {
      if (msg.method !== 'REGISTER') return;
      const aor = uriText(msg.to?.uri) || 'unknown';
      const reg = this.registration(aor);
      const hasCredentials = msg.get('authorization') !== undefined || msg.get('proxy-authorization') !== undefined;
      const chain = this.regChains.get(callId);
      if (!chain || chain.done) {
        const deregister = isDeregister(msg);
        this.regChains.set(callId, {
          aor,
          startSec: ctx.tSec,
          deregister,
          lastHadCredentials: hasCredentials,
          done: false,
        });
        if (deregister) reg.deregistrations++;
        else reg.attempts++;
      } else {
        chain.lastHadCredentials = hasCredentials;
      }
      return;
    }
    const status = msg.statusCode ?? 0;
    if (status < 200) return;
    const chain = this.regChains.get(callId);
    if (!chain || chain.done) return;
    const reg = this.registration(chain.aor);
    if ((status === 401 || status === 407) && !chain.lastHadCredentials) {
      reg.challenges++;
      chain.lastChallenge = status;
      return;
    }
    chain.done = true;
    this.regChains.delete(callId);
    if (chain.deregister) return;
    const ok = status >= 200 && status < 300;
    const rrdMs = ok ? (ctx.tSec - chain.startSec) * 1000 : null;
    if (ok) {
      reg.successes++;
      reg.rrd.push(rrdMs as number);
      const exp = msg.expires ?? msg.contact[0]?.params?.expires;
      if (exp !== undefined) reg.lastExpiresSec = Number(exp);
    } else {
      const k = String(status);
      reg.failures[k] = (reg.failures[k] ?? 0) + 1;
    }
    this.opts.onRegistration?.({ aor: chain.aor, ok, status, rrdMs, callId, ctx });
  }

  private registration(aor: string): RegistrationState {
    let r = this.registrations.get(aor);
    if (!r) {
      r = { aor: detach(aor), attempts: 0, challenges: 0, successes: 0, deregistrations: 0, failures: {}, rrd: new DelayStats(128) };
      this.registrations.set(r.aor, r);
    }
    return r;
  }

  // ---- INVITE dialogs ----------------------------------------------------------------------

  private findCall(msg: SipMessage): CallState | undefined {
    const keys = this.callsById.get(msg.callId ?? '');
    if (!keys) return undefined;
    if (keys.length === 1) return this.calls.get(keys[0] as string);
    // Several calls in one Call-ID (rare): match the caller's From-tag in either direction.
    const fromTag = msg.from?.tag ?? '';
    const toTag = msg.to?.tag ?? '';
    for (const k of keys) {
      const c = this.calls.get(k);
      if (c && (c.fromTag === fromTag || c.fromTag === toTag)) return c;
    }
    return this.calls.get(keys[keys.length - 1] as string);
  }

  private onDialogMessage(msg: SipMessage, ctx: SipContext, cseqMethod: string): void {
    const callId = msg.callId ?? '';
    let call = this.findCall(msg);
    if (msg.kind === 'request' && msg.method === 'INVITE' && !msg.to?.tag) {
      if (!call && this.ended.size > 0 && this.ended.has(this.callKeyHash(callId, msg.from?.tag ?? ''), ctx.tSec)) return;
      if (!call || (call.fromTag !== (msg.from?.tag ?? '') && call.finalSec !== undefined)) {
        call = this.newCall(msg, ctx);
      } else if (call.pendingChallenge) {
        // A new INVITE after a 401/407: the authentication round continues the same call.
        call.pendingChallenge = undefined;
        call.finalSec = undefined;
        call.finalStatus = undefined;
        call.finalReason = undefined;
      }
      this.offerAnswer(call, msg, 'caller');
    }
    if (!call) return;
    call.messageCount++;
    call.lastSec = ctx.tSec;

    const se = msg.sessionExpires?.deltaSec;
    if (se !== undefined && se > 0) call.sessionExpiresSec = se;
    if (msg.kind === 'request') {
      this.onInDialogRequest(call, msg, ctx);
      return;
    }
    const status = msg.statusCode ?? 0;
    if (cseqMethod === 'INVITE') this.onInviteResponse(call, msg, ctx, status);
    else if (cseqMethod === 'BYE' && status >= 200 && call.byeAnsweredSec === undefined && call.byeOrigin !== undefined &&
      ctx.dst === call.byeOrigin.ip && (ctx.dstPort === call.byeOrigin.port || ctx.dstPort === call.byeOrigin.viaPort)) {
      call.byeAnsweredSec = ctx.tSec;
      call.byeStatus = status;
      this.opts.onCallEnd?.(call);
    } else if ((cseqMethod === 'PRACK' || cseqMethod === 'UPDATE') && status >= 200 && status < 300) {
      this.offerAnswer(call, msg, this.sideOf(call, ctx.src, ctx.srcPort));
    }
  }

  private newCall(msg: SipMessage, ctx: SipContext): CallState {
    // Everything kept here outlives the message: detached from its text (sip/detach.ts).
    const callId = detach(msg.callId ?? '');
    const fromTag = detach(msg.from?.tag ?? '');
    const key = `${callId}|${fromTag}`;
    const call: CallState = {
      key,
      callId,
      fromTag,
      from: detach(uriText(msg.from?.uri)),
      to: detach(uriText(msg.to?.uri)),
      caller: { ip: ctx.src, port: ctx.srcPort },
      callerViaPort: msg.via[0]?.port ?? 5060,
      callee: { ip: ctx.dst, port: ctx.dstPort },
      inviteSec: ctx.tSec,
      firstInviteFrame: ctx.frame,
      challenged: 0,
      toTags: new Set(),
      reInvites: 0,
      prack: 0,
      updates: 0,
      userAgents: { caller: detach(msg.userAgent) },
      media: [],
      messageCount: 0,
      lastSec: ctx.tSec,
    };
    this.calls.set(key, call);
    const keys = this.callsById.get(callId);
    if (keys) keys.push(key);
    else this.callsById.set(callId, [key]);
    return call;
  }

  private onInDialogRequest(call: CallState, msg: SipMessage, ctx: SipContext): void {
    switch (msg.method) {
      case 'INVITE':
        if (msg.to?.tag) {
          call.reInvites++;
          this.offerAnswer(call, msg, msg.from?.tag === call.fromTag ? 'caller' : 'callee');
        }
        break;
      case 'ACK':
        // Late offer: the answer travels in the ACK (RFC 3264 §5, RFC 3261 §13.2.1).
        this.offerAnswer(call, msg, 'caller');
        break;
      case 'CANCEL':
        if (call.cancelSec === undefined) call.cancelSec = ctx.tSec;
        break;
      case 'BYE':
        if (call.byeSec === undefined) {
          call.byeSec = ctx.tSec;
          call.byeFromCaller = (msg.from?.tag ?? '') === call.fromTag;
          call.byeOrigin = { ip: ctx.src, port: ctx.srcPort, viaPort: msg.via[0]?.port ?? 5060 };
        }
        break;
      case 'PRACK':
        call.prack++;
        this.offerAnswer(call, msg, 'caller');
        break;
      case 'UPDATE':
        call.updates++;
        this.offerAnswer(call, msg, msg.from?.tag === call.fromTag ? 'caller' : 'callee');
        break;
      default:
        break;
    }
  }

  private onInviteResponse(call: CallState, msg: SipMessage, ctx: SipContext, status: number): void {
    const toTag = msg.to?.tag;
    if (toTag && !call.toTags.has(toTag)) call.toTags.add(detach(toTag));
    // Timing and outcome come from the caller's leg only: behind a proxy the same responses
    // are seen earlier on the proxy→callee leg, which would shorten SRD and setup time.
    const toCaller = ctx.dst === call.caller.ip && (ctx.dstPort === call.caller.port || ctx.dstPort === call.callerViaPort);
    if (!toCaller) {
      if (status > 100 && status < 300) this.offerAnswer(call, msg, 'callee');
      return;
    }
    if (status >= 100 && status < 200) {
      if (status > 100 && call.ringSec === undefined) call.ringSec = ctx.tSec;
      if (status > 100) this.offerAnswer(call, msg, 'callee');
      if (!call.userAgents.callee) call.userAgents.callee = detach(msg.userAgent ?? msg.server);
      return;
    }
    const isReInviteResponse = call.answerSec !== undefined && msg.cseq !== undefined && toTag === call.answeredToTag && status >= 200;
    if (isReInviteResponse && call.finalSec !== undefined && (msg.cseq?.seq ?? 0) > 0) {
      // Response to a re-INVITE (or a retransmitted 2xx): update media only.
      if (status < 300) this.offerAnswer(call, msg, this.sideOf(call, ctx.src, ctx.srcPort));
      return;
    }
    if (call.finalSec !== undefined && !call.pendingChallenge) return; // first final response wins (forking)
    if (!call.userAgents.callee) call.userAgents.callee = detach(msg.userAgent ?? msg.server);
    call.finalSec = ctx.tSec;
    call.finalStatus = status;
    call.finalReason = detach(msg.reason);
    if (status === 401 || status === 407) {
      call.challenged++;
      call.pendingChallenge = { status, sec: ctx.tSec, reason: detach(msg.reason ?? '') };
      return;
    }
    call.pendingChallenge = undefined;
    if (status >= 200 && status < 300) {
      call.answerSec = ctx.tSec;
      call.answeredToTag = detach(toTag);
      this.offerAnswer(call, msg, 'callee');
    } else {
      this.opts.onCallEnd?.(call);
    }
  }

  private sideOf(call: CallState, ip: string, port: number): 'caller' | 'callee' {
    return call.caller.ip === ip && call.caller.port === port ? 'caller' : 'callee';
  }

  private offerAnswer(call: CallState, msg: SipMessage, side: 'caller' | 'callee'): void {
    if (msg.body.length === 0) return;
    const ct = msg.contentType?.toLowerCase() ?? '';
    if (ct && !ct.startsWith('application/sdp')) return;
    const sdp = decodeSdp(msg.body);
    if (!sdp.ok) return;
    for (const ep of mediaEndpoints(sdp.value)) {
      if (ep.media !== 'audio' && ep.media !== 'video') continue;
      if (ep.rtpPort === 0 || !ep.ip) continue;
      const media = toCallMedia(ep, side);
      const same = call.media.find((m) => m.side === side && m.ip === media.ip && m.rtpPort === media.rtpPort);
      if (same) {
        same.payloads = mergePayloads(same.payloads, media.payloads);
        same.codecs = [...new Set([...same.codecs, ...media.codecs])];
        this.opts.onMedia?.(call, same);
        continue;
      }
      if (call.media.length < 16) call.media.push(media);
      this.opts.onMedia?.(call, media);
    }
  }

  /**
   * Live capture housekeeping, with the capture clock: answered calls silent past their session
   * timer (RFC 4028 Session-Expires, default 1800 s) and INVITEs never answered are ended and
   * handed to `onExpire`; stale OPTIONS and REGISTER transactions are dropped.
   */
  expire(nowSec: number, onExpire: (call: CallState, reason: 'session-expired' | 'unanswered') => void): void {
    for (const call of this.calls.values()) {
      if (call.byeSec !== undefined) continue;
      const idle = nowSec - call.lastSec;
      if (call.answerSec !== undefined) {
        if (idle > (call.sessionExpiresSec ?? DEFAULT_SESSION_EXPIRES_SEC)) {
          this.evictions.sessionExpired++;
          onExpire(call, 'session-expired');
        }
      } else if (call.finalSec === undefined && idle > UNANSWERED_TIMEOUT_SEC) {
        this.evictions.unanswered++;
        onExpire(call, 'unanswered');
      }
    }
    for (const [key, t0] of this.optionsPending) {
      if (nowSec - t0 > 32) {
        this.optionsPending.delete(key);
        this.evictions.optionsUnanswered++;
      }
    }
    for (const [callId, chain] of this.regChains) if (nowSec - chain.startSec > UNANSWERED_TIMEOUT_SEC) this.regChains.delete(callId);
  }

  /** Calls ordered by start time. */
  callList(): CallState[] {
    return [...this.calls.values()].sort((a, b) => a.inviteSec - b.inviteSec);
  }

  /** Drop a finished call: only calls in progress are held (its row and metrics are kept by the engine). */
  forget(call: CallState): void {
    this.calls.delete(call.key);
    this.ended.add(this.callKeyHash(call.callId, call.fromTag), this.nowSec);
    const keys = this.callsById.get(call.callId);
    if (!keys) return;
    const rest = keys.filter((k) => k !== call.key);
    if (rest.length === 0) this.callsById.delete(call.callId);
    else this.callsById.set(call.callId, rest);
  }
}

function toCallMedia(ep: MediaEndpoint, side: 'caller' | 'callee'): CallMedia {
  const names = ep.payloads.map((p) => detach(p.name));
  return {
    side,
    ip: detach(ep.ip),
    rtpPort: ep.rtpPort,
    rtcpPort: ep.rtcpPort,
    rtcpMux: ep.rtcpMux,
    codecs: names,
    direction: ep.direction,
    payloads: ep.payloads.map((p, i) => ({ pt: p.pt, name: names[i]!, clockRate: p.clockRate })),
  };
}

function mergePayloads(a: CallMedia['payloads'], b: CallMedia['payloads']): CallMedia['payloads'] {
  const out = [...a];
  for (const p of b) if (!out.some((q) => q.pt === p.pt)) out.push(p);
  return out;
}

function isDeregister(msg: SipMessage): boolean {
  if (msg.expires === 0) return true;
  const contacts = msg.contact;
  if (contacts.length === 0) return false;
  return contacts.every((c) => c.star === true || Number(c.params?.expires) === 0);
}

/**
 * "sip:user@host:port" from a parsed URI (no parameters): IPv6 hosts bracketed (RFC 3261
 * §19.1.1); tel: and other schemes as "tel:+1…" (RFC 3966).
 */
export function uriText(uri: { scheme?: string; user?: string; host?: string; port?: number } | undefined): string {
  if (!uri) return '';
  const scheme = uri.scheme ?? 'sip';
  if (!uri.host) return `${scheme}:${uri.user ?? ''}`;
  const user = uri.user ? `${uri.user}@` : '';
  const host = uri.host.includes(':') ? `[${uri.host}]` : uri.host;
  const port = uri.port ? `:${uri.port}` : '';
  return `${scheme}:${user}${host}${port}`;
}

export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
