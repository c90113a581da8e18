/**
 * The probes' SIP user agent core: client transactions over one `SipTransport` (RFC 3261 §17.1),
 * responses matched by top Via branch + CSeq method (§17.1.3), retransmissions on unreliable
 * transports (timer A for INVITE: T1 doubling until a provisional; timer E for the others:
 * doubling capped at T2, T2 once a provisional came), and the server side a call needs (answer a
 * BYE from the far end). The caller's timeout replaces timers B/F: a probe should not wait 32 s.
 *
 * Time and timers are injected (`AgentClock`), so unit tests drive it over a fake transport.
 */
import type { SipTransport, TransportFailure } from '../net/sip-transport.js';
import { encodeSipRequest, encodeSipResponse, newBranch, type SipHeaderList } from '../sip/encode.js';
import { decodeSipMessage, type SipMessage } from '../sip/message.js';
import { uriHost } from './target.js';

export interface AgentClock {
  nowNs(): bigint;
  /** Calls `fn` after `ms`; returns a canceller. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realAgentClock: AgentClock = {
  nowNs: () => process.hrtime.bigint(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export const T1_MS = 500;
export const T2_MS = 4000;

export interface ResponseEvent {
  message: SipMessage;
  atNs: bigint;
}

interface TransactionBase {
  branch: string;
  /** The Via header value we sent (for the ALG check). */
  via: string;
  sentAtNs: bigint;
  /** Retransmissions sent before the first response. */
  retransmissionsBeforeAnswer: number;
  first: ResponseEvent | undefined;
  provisional: ResponseEvent[];
}

export type TransactionResult =
  | (TransactionBase & { kind: 'final'; final: ResponseEvent })
  | (TransactionBase & { kind: 'timeout' })
  | (TransactionBase & { kind: 'transport'; failure: TransportFailure });

export interface OutgoingRequest {
  method: string;
  requestUri: string;
  /** Every header but Via (the agent puts its own on top) and Content-Length. */
  headers: SipHeaderList;
  body?: string;
}

export interface RequestOptions {
  timeoutMs: number;
  onProvisional?(ev: ResponseEvent): void;
  /** Reuse this branch (CANCEL and the ACK of a non-2xx use the INVITE's, RFC 3261 §9.1, §17.1.1.3). */
  branch?: string;
}

export type IncomingRequestHandler = (req: SipMessage, atNs: bigint) => void;

interface Pending {
  key: string;
  invite: boolean;
  bytes: Uint8Array;
  base: TransactionBase;
  opts: RequestOptions;
  resolve(r: TransactionResult): void;
  cancelRetransmit: (() => void) | undefined;
  cancelTimeout: () => void;
  intervalMs: number;
  done: boolean;
}

export class SipAgent {
  private readonly pending = new Map<string, Pending>();
  private requestHandler: IncomingRequestHandler | undefined;
  private strayHandler: ((ev: ResponseEvent) => void) | undefined;
  /** Messages that did not decode (counted, never fatal). */
  malformed = 0;

  constructor(
    readonly transport: SipTransport,
    private readonly clock: AgentClock = realAgentClock,
  ) {
    transport.setHandlers({
      message: (bytes, atNs) => this.onMessage(bytes, atNs),
      error: (failure) => this.onTransportError(failure),
    });
  }

  /** "SIP/2.0/UDP" etc. */
  get viaProtocol(): string {
    return `SIP/2.0/${this.transport.kind.toUpperCase()}`;
  }

  /** host:port for Via and Contact (IPv6 in brackets). */
  get localHostPort(): string {
    return `${uriHost(this.transport.local.ip)}:${this.transport.local.port}`;
  }

  viaValue(branch: string): string {
    return `${this.viaProtocol} ${this.localHostPort};branch=${branch};rport`;
  }

  onRequest(h: IncomingRequestHandler): void {
    this.requestHandler = h;
  }

  /** Responses that match no live transaction (e.g. 200 OK retransmissions after the ACK). */
  onStrayResponse(h: (ev: ResponseEvent) => void): void {
    this.strayHandler = h;
  }

  /** Start a client transaction. Never rejects: timeouts and transport failures are results. */
  request(req: OutgoingRequest, opts: RequestOptions): Promise<TransactionResult> {
    const branch = opts.branch ?? newBranch();
    const via = this.viaValue(branch);
    const bytes = encodeSipRequest({ method: req.method, requestUri: req.requestUri, headers: [['Via', via], ...req.headers], body: req.body });
    const key = `${branch}|${req.method}`;
    const invite = req.method === 'INVITE';
    return new Promise<TransactionResult>((resolve) => {
      const base: TransactionBase = { branch, via, sentAtNs: 0n, retransmissionsBeforeAnswer: 0, first: undefined, provisional: [] };
      const p: Pending = {
        key,
        invite,
        bytes,
        base,
        opts,
        resolve,
        cancelRetransmit: undefined,
        cancelTimeout: () => undefined,
        intervalMs: T1_MS,
        done: false,
      };
      this.pending.set(key, p);
      p.cancelTimeout = this.clock.setTimer(() => this.finish(p, { ...p.base, kind: 'timeout' }), opts.timeoutMs);
      base.sentAtNs = this.clock.nowNs();
      this.transport.send(bytes);
      if (!this.transport.reliable) this.scheduleRetransmit(p);
    });
  }

  /** Send a request outside any transaction (ACK for a 2xx, RFC 3261 §13.2.2.4). Returns the branch. */
  sendStateless(req: OutgoingRequest, branch: string = newBranch()): string {
    const bytes = encodeSipRequest({ method: req.method, requestUri: req.requestUri, headers: [['Via', this.viaValue(branch)], ...req.headers], body: req.body });
    this.transport.send(bytes);
    return branch;
  }

  /** Answer a request we received (Via, From, To, Call-ID, CSeq copied; To tag added if given). */
  respond(req: SipMessage, statusCode: number, reason: string, opts: { toTag?: string; headers?: SipHeaderList } = {}): void {
    const headers: [string, string][] = [];
    for (const v of req.getAll('via')) headers.push(['Via', v]);
    const from = req.get('from');
    let to = req.get('to') ?? '';
    if (opts.toTag !== undefined && req.to?.tag === undefined) to = `${to};tag=${opts.toTag}`;
    if (from !== undefined) headers.push(['From', from]);
    headers.push(['To', to]);
    headers.push(['Call-ID', req.callId ?? '']);
    headers.push(['CSeq', req.get('cseq') ?? '']);
    for (const h of opts.headers ?? []) headers.push([h[0], h[1]]);
    this.transport.send(encodeSipResponse({ statusCode, reason, headers }));
  }

  /** Abandon every live transaction (as timeouts) and close the transport. */
  async close(): Promise<void> {
    for (const p of [...this.pending.values()]) this.finish(p, { ...p.base, kind: 'timeout' });
    await this.transport.close();
  }

  private scheduleRetransmit(p: Pending): void {
    p.cancelRetransmit = this.clock.setTimer(() => {
      if (p.done) return;
      this.transport.send(p.bytes);
      if (p.base.first === undefined) p.base.retransmissionsBeforeAnswer++;
      // timer A doubles without a cap; timer E caps at T2
      p.intervalMs = p.invite ? p.intervalMs * 2 : Math.min(p.intervalMs * 2, T2_MS);
      this.scheduleRetransmit(p);
    }, p.intervalMs);
  }

  private finish(p: Pending, r: TransactionResult): void {
    if (p.done) return;
    p.done = true;
    p.cancelRetransmit?.();
    p.cancelTimeout();
    this.pending.delete(p.key);
    p.resolve(r);
  }

  private onTransportError(failure: TransportFailure): void {
    for (const p of [...this.pending.values()]) this.finish(p, { ...p.base, kind: 'transport', failure });
  }

  private onMessage(bytes: Uint8Array, atNs: bigint): void {
    const d = decodeSipMessage(bytes, 0, bytes.length, { stream: this.transport.reliable });
    if (!d.ok) {
      this.malformed++;
      return;
    }
    const msg = d.value;
    if (msg.kind === 'request') {
      this.requestHandler?.(msg, atNs);
      return;
    }
    const top = msg.via[0];
    const method = msg.cseq?.method ?? '';
    const p = top?.branch === undefined ? undefined : this.pending.get(`${top.branch}|${method}`);
    const ev: ResponseEvent = { message: msg, atNs };
    if (!p) {
      this.strayHandler?.(ev);
      return;
    }
    if (p.base.first === undefined) p.base.first = ev;
    const status = msg.statusCode ?? 0;
    if (status < 200) {
      p.base.provisional.push(ev);
      if (!this.transport.reliable && p.cancelRetransmit) {
        p.cancelRetransmit();
        p.cancelRetransmit = undefined;
        // INVITE: a provisional stops timer A; non-INVITE: retransmit every T2 (§17.1.2.2)
        if (!p.invite) {
          p.intervalMs = T2_MS;
          this.scheduleRetransmit(p);
        }
      }
      p.opts.onProvisional?.(ev);
      return;
    }
    this.finish(p, { ...p.base, kind: 'final', final: ev });
  }
}

/** ms between two hrtime stamps, rounded to the µs. */
export function elapsedMs(fromNs: bigint, toNs: bigint): number {
  return Math.round(Number(toNs - fromNs) / 1000) / 1000;
}
