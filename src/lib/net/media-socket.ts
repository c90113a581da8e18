/**
 * UDP ports for a call's media: RTP on an even port and RTCP on the next one (RFC 3550 §11),
 * unconnected (the far end's address comes from SDP; any peer may send to us), with hrtime
 * receive timestamps. `DatagramPort` is what the RTP session sees, so it runs over fakes too.
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { Endpoint } from './sip-transport.js';

export interface DatagramPort {
  readonly local: Endpoint;
  send(bytes: Uint8Array, to: Endpoint): void;
  onMessage(cb: (bytes: Uint8Array, from: Endpoint, atNs: bigint) => void): void;
  close(): Promise<void>;
}

export interface MediaPorts {
  rtp: DatagramPort;
  rtcp: DatagramPort;
}

function bindOne(family: 4 | 6, ip: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    const onError = (err: Error) => {
      s.close();
      reject(err);
    };
    s.once('error', onError);
    s.bind({ address: ip, port, exclusive: true }, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

function wrap(s: dgram.Socket): DatagramPort {
  const addr = s.address();
  let handler: ((bytes: Uint8Array, from: Endpoint, atNs: bigint) => void) | undefined;
  let closed = false;
  s.on('message', (msg, rinfo) => {
    const at = process.hrtime.bigint();
    handler?.(msg, { ip: rinfo.address, port: rinfo.port }, at);
  });
  // ICMP errors for media (peer's RTCP port closed…) are not fatal: ignore them
  s.on('error', () => undefined);
  return {
    local: { ip: addr.address, port: addr.port },
    send(bytes, to) {
      if (!closed) s.send(bytes, to.port, to.ip);
    },
    onMessage(cb) {
      handler = cb;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((r) => s.close(() => r()));
    },
  };
}

/** An even RTP port and RTP + 1 for RTCP on `ip`, from 16384–32766; bounded tries. */
export async function openMediaPorts(family: 4 | 6, ip: string, opts: { firstPort?: number; lastPort?: number; tries?: number } = {}): Promise<MediaPorts> {
  const first = opts.firstPort ?? 16384;
  const last = opts.lastPort ?? 32766;
  const tries = opts.tries ?? 50;
  let lastErr: unknown;
  for (let i = 0; i < tries; i++) {
    const port = first + 2 * randomInt(0, Math.floor((last - first) / 2) + 1);
    let rtp: dgram.Socket | undefined;
    try {
      rtp = await bindOne(family, ip, port);
      const rtcp = await bindOne(family, ip, port + 1);
      return { rtp: wrap(rtp), rtcp: wrap(rtcp) };
    } catch (err) {
      lastErr = err;
      rtp?.close();
    }
  }
  throw new Error(`no free RTP/RTCP port pair on ${ip} after ${tries} tries: ${(lastErr as Error)?.message ?? ''}`);
}
