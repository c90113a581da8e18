/**
 * Fakes for the probe logic: a SIP transport that records what is sent and lets the test (or a
 * scripted far end) answer, a manual clock for the transaction timers, an instant pacer clock,
 * and in-memory datagram ports for media.
 */
import type { DatagramPort } from '../../../src/lib/net/media-socket.js';
import type { Endpoint, SipTransport, TransportFailure, TransportHandlers } from '../../../src/lib/net/sip-transport.js';
import type { PacerClock } from '../../../src/lib/probe/pacer.js';
import type { AgentClock } from '../../../src/lib/probe/sip-agent.js';
import { decodeSipMessage, type SipMessage } from '../../../src/lib/sip/message.js';

const enc = new TextEncoder();

/** Manual time: timers fire only when the test advances the clock. */
export class ManualClock implements AgentClock, PacerClock {
  nowMs = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  nowNs(): bigint {
    return BigInt(Math.round(this.nowMs * 1e6));
  }
  setTimer(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.nowMs + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }
  /** Resolves when the test has advanced the clock to the deadline (or with autoAdvance). */
  sleepUntil(deadlineNs: bigint, signal?: AbortSignal): Promise<void> {
    const ms = Number(deadlineNs) / 1e6;
    if (ms <= this.nowMs || signal?.aborted) return Promise.resolve();
    if (this.autoAdvance) {
      this.nowMs = ms;
      return flush();
    }
    return new Promise((r) => {
      const cancel = this.setTimer(r, ms - this.nowMs);
      signal?.addEventListener('abort', () => {
        cancel();
        r();
      });
    });
  }
  /** Sleeps jump to their deadline at once (media pacing in unit tests). */
  autoAdvance = false;
  /** Move time forward, firing due timers in order (and letting promises settle between). */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
    }
    this.nowMs = end;
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

export type FarEnd = (req: SipMessage, raw: string, t: FakeTransport) => void;

export class FakeTransport implements SipTransport {
  readonly sent: string[] = [];
  private handlers: TransportHandlers | undefined;
  farEnd: FarEnd | undefined;
  closed = false;
  constructor(
    readonly kind: 'udp' | 'tcp' | 'tls' = 'udp',
    private readonly clock: { nowNs(): bigint } = { nowNs: () => process.hrtime.bigint() },
    readonly local: Endpoint = { ip: '192.0.2.10', port: 5099 },
    readonly remote: Endpoint = { ip: '192.0.2.1', port: 5060 },
  ) {}
  get reliable(): boolean {
    return this.kind !== 'udp';
  }
  readonly tls = undefined;
  send(bytes: Uint8Array): void {
    const raw = new TextDecoder().decode(bytes);
    this.sent.push(raw);
    const d = decodeSipMessage(bytes);
    if (d.ok && d.value.kind === 'request' && this.farEnd) {
      const msg = d.value;
      queueMicrotask(() => this.farEnd?.(msg, raw, this));
    }
  }
  setHandlers(h: TransportHandlers): void {
    this.handlers = h;
  }
  deliver(text: string): void {
    this.handlers?.message(enc.encode(text), this.clock.nowNs());
  }
  fail(f: TransportFailure): void {
    this.handlers?.error(f);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  requests(method: string): string[] {
    return this.sent.filter((s) => s.startsWith(`${method} `));
  }
}

/** A response to `req`: Via/From/Call-ID/CSeq copied, To tagged, extra headers, optional body. */
export function reply(req: SipMessage, status: number, reason: string, extra: string[] = [], body = '', toTag = 'far1'): string {
  const vias = req.getAll('via').map((v) => `Via: ${v}`);
  const to = req.get('to') ?? '';
  const lines = [
    `SIP/2.0 ${status} ${reason}`,
    ...vias,
    `From: ${req.get('from') ?? ''}`,
    `To: ${status > 100 && !/;tag=/.test(to) ? `${to};tag=${toTag}` : to}`,
    `Call-ID: ${req.callId ?? ''}`,
    `CSeq: ${req.get('cseq') ?? ''}`,
    ...extra,
    `Content-Length: ${enc.encode(body).length}`,
    '',
    body,
  ];
  return lines.join('\r\n');
}

/** Two in-memory datagram ports wired to each other (ours ↔ the far end's). */
export class FakePort implements DatagramPort {
  private handler: ((bytes: Uint8Array, from: Endpoint, atNs: bigint) => void) | undefined;
  peer: FakePort | undefined;
  readonly sent: { bytes: Uint8Array; to: Endpoint }[] = [];
  /** Drop what we send when this returns true (index of the packet). */
  drop: (i: number) => boolean = () => false;
  constructor(
    readonly local: Endpoint,
    private readonly clock: { nowNs(): bigint },
  ) {}
  send(bytes: Uint8Array, to: Endpoint): void {
    const i = this.sent.length;
    this.sent.push({ bytes: bytes.slice(), to });
    if (this.drop(i)) return;
    const peer = this.peer;
    const copy = bytes.slice();
    queueMicrotask(() => peer?.receive(copy, this.local));
  }
  receive(bytes: Uint8Array, from: Endpoint): void {
    this.handler?.(bytes, from, this.clock.nowNs());
  }
  onMessage(cb: (bytes: Uint8Array, from: Endpoint, atNs: bigint) => void): void {
    this.handler = cb;
  }
  async close(): Promise<void> {
    this.handler = undefined;
  }
}
