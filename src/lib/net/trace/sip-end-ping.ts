/**
 * The fallback's end-to-end SIP check: `count` OPTIONS over a plain UDP socket to the target,
 * one every `intervalMs`, each waiting up to `timeoutMs` for its response. RTTs are taken in
 * JavaScript (no kernel timestamps without the FFI), so they carry event-loop delay.
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { SipAnswer } from '../../trace/probe.js';
import { decodeSipAnswer, encodeOptionsProbe } from './sip-probe.js';

export interface SipEndSample {
  rttMs: number | null;
  sip: SipAnswer | null;
  /** ICMP port unreachable came back (nothing listens) */
  refused: boolean;
}

export async function pingSipEnd(o: {
  family: 4 | 6;
  target: string;
  port: number;
  count: number;
  intervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<SipEndSample[]> {
  const out: SipEndSample[] = [];
  for (let i = 0; i < o.count && !o.signal?.aborted; i++) {
    const started = performance.now();
    out.push(await oneOptions(o));
    const wait = o.intervalMs - (performance.now() - started);
    if (i + 1 < o.count && wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return out;
}

function oneOptions(o: { family: 4 | 6; target: string; port: number; timeoutMs: number }): Promise<SipEndSample> {
  return new Promise((resolve) => {
    const sock = createSocket(o.family === 4 ? 'udp4' : 'udp6');
    let t0 = 0;
    let done = false;
    const finish = (s: SipEndSample) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(s);
    };
    const timer = setTimeout(() => finish({ rttMs: null, sip: null, refused: false }), o.timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ rttMs: null, sip: null, refused: e.code === 'ECONNREFUSED' }));
    sock.on('message', (msg) => {
      const sip = decodeSipAnswer(msg);
      if (sip) finish({ rttMs: performance.now() - t0, sip, refused: false });
    });
    sock.connect(o.port, o.target, () => {
      const a = sock.address();
      const data = encodeOptionsProbe({ host: o.target, port: o.port }, { family: o.family, address: a.address, port: a.port }, 1);
      t0 = performance.now();
      sock.send(data);
    });
  });
}
