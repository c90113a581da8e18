/**
 * SIP transports for the probes: one connection (UDP "connected" socket, TCP or TLS stream) to
 * one remote address. Everything above this file sees only `SipTransport`, so the probe logic
 * runs over a fake in unit tests.
 *
 * - UDP: the socket is `connect()`ed, so an ICMP port-unreachable surfaces at once as
 *   ECONNREFUSED (reported as UNREACHABLE) instead of waiting for the whole timeout; Via carries
 *   the real local address the kernel picked.
 * - TCP/TLS: messages are framed by Content-Length (`sipMessageLength`), CRLF keep-alives are
 *   skipped. TLS sends SNI for host names (never for IP literals, RFC 6066 §3) and verifies the
 *   certificate unless `insecure`.
 * - Receive timestamps are `process.hrtime.bigint()` taken in the socket callback.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { sipMessageLength } from '../sip/framing.js';
import type { SipTransportName } from './transport-name.js';
import { tlsPeerInfo, type TlsPeerInfo } from './tls-info.js';

export interface Endpoint {
  ip: string;
  port: number;
}

export type TransportFailureCode =
  | 'UNREACHABLE' // ICMP port/host unreachable on UDP (ECONNREFUSED, EHOSTUNREACH…)
  | 'CONNECTION_REFUSED' // TCP RST
  | 'CONNECT_TIMEOUT'
  | 'TLS_FAILED' // handshake or certificate verification
  | 'CLOSED' // the peer closed the connection
  | 'BIND_FAILED' // --source-ip/--source-port unusable
  | 'SOCKET_ERROR';

export interface TransportFailure {
  code: TransportFailureCode;
  message: string;
  errno: string | undefined;
}

export class TransportError extends Error {
  readonly failure: TransportFailure;
  readonly tls: TlsPeerInfo | undefined;
  constructor(failure: TransportFailure, tlsInfo?: TlsPeerInfo) {
    super(failure.message);
    this.name = 'TransportError';
    this.failure = failure;
    this.tls = tlsInfo;
  }
}

export interface TransportHandlers {
  message(bytes: Uint8Array, atNs: bigint): void;
  error(failure: TransportFailure): void;
}

export interface SipTransport {
  readonly kind: SipTransportName;
  /** TCP/TLS: no retransmissions (RFC 3261 §17.1.1.2). */
  readonly reliable: boolean;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly tls: TlsPeerInfo | undefined;
  send(bytes: Uint8Array): void;
  setHandlers(h: TransportHandlers): void;
  close(): Promise<void>;
}

export interface OpenTransportOptions {
  kind: SipTransportName;
  remote: Endpoint;
  family: 4 | 6;
  sourceIp?: string;
  sourcePort?: number;
  connectTimeoutMs: number;
  /** TLS: SNI and the name checked against the certificate (a host name, not an IP). */
  servername?: string;
  /** TLS: skip certificate verification (still reported). */
  insecure?: boolean;
  /** TLS: extra trusted CA certificates (PEM). */
  ca?: string | undefined;
  /** Wall clock for the days-to-expiry computation, injectable for tests. */
  nowMs?: () => number;
}

const MAX_STREAM_BUFFER = 256 * 1024;

export function failureFromErrno(err: NodeJS.ErrnoException, during: 'send' | 'connect' | 'receive'): TransportFailure {
  const errno = err.code;
  switch (errno) {
    case 'ECONNREFUSED':
      return { code: during === 'connect' ? 'CONNECTION_REFUSED' : 'UNREACHABLE', errno, message: 'port unreachable (connection refused)' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return { code: 'UNREACHABLE', errno, message: `host unreachable (${errno})` };
    case 'ETIMEDOUT':
      return { code: 'CONNECT_TIMEOUT', errno, message: 'connection timed out' };
    case 'EADDRINUSE':
    case 'EADDRNOTAVAIL':
    case 'EACCES':
      return { code: 'BIND_FAILED', errno, message: `cannot bind the source address (${errno})` };
    case 'ECONNRESET':
    case 'EPIPE':
      return { code: 'CLOSED', errno, message: `connection reset by the peer (${errno})` };
    default:
      return { code: 'SOCKET_ERROR', errno, message: `${err.message}` };
  }
}

export async function openSipTransport(opts: OpenTransportOptions): Promise<SipTransport> {
  return opts.kind === 'udp' ? openUdp(opts) : openStream(opts);
}

async function openUdp(opts: OpenTransportOptions): Promise<SipTransport> {
  const socket = dgram.createSocket({ type: opts.family === 6 ? 'udp6' : 'udp4' });
  let handlers: TransportHandlers | undefined;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new TransportError(failureFromErrno(err, 'connect')));
    socket.once('error', onError);
    socket.bind({ address: opts.sourceIp, port: opts.sourcePort ?? 0, exclusive: true }, () => {
      socket.connect(opts.remote.port, opts.remote.ip, () => {
        socket.off('error', onError);
        resolve();
      });
    });
  }).catch((err) => {
    socket.close();
    throw err;
  });
  socket.on('message', (msg) => {
    const at = process.hrtime.bigint();
    handlers?.message(msg, at);
  });
  socket.on('error', (err: NodeJS.ErrnoException) => handlers?.error(failureFromErrno(err, 'receive')));
  const addr = socket.address();
  let closed = false;
  return {
    kind: 'udp',
    reliable: false,
    local: { ip: addr.address, port: addr.port },
    remote: opts.remote,
    tls: undefined,
    send(bytes) {
      if (closed) return;
      socket.send(bytes, (err) => {
        if (err) handlers?.error(failureFromErrno(err as NodeJS.ErrnoException, 'send'));
      });
    },
    setHandlers(h) {
      handlers = h;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((r) => socket.close(() => r()));
    },
  };
}

async function openStream(opts: OpenTransportOptions): Promise<SipTransport> {
  const isTls = opts.kind === 'tls';
  const nowMs = opts.nowMs ?? Date.now;
  const servername = opts.servername !== undefined && net.isIP(opts.servername) === 0 ? opts.servername : undefined;
  let tlsInfo: TlsPeerInfo | undefined;
  const socket: net.Socket = await new Promise<net.Socket>((resolve, reject) => {
    const base = {
      host: opts.remote.ip,
      port: opts.remote.port,
      localAddress: opts.sourceIp,
      localPort: opts.sourcePort,
      family: opts.family,
    };
    let s: net.Socket;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      s.destroy();
      reject(new TransportError({ code: 'CONNECT_TIMEOUT', errno: undefined, message: `no ${isTls ? 'TLS' : 'TCP'} connection within ${opts.connectTimeoutMs} ms` }));
    }, opts.connectTimeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (isTls && (err.code === undefined || /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME/.test(err.code))) {
        reject(new TransportError({ code: 'TLS_FAILED', errno: err.code, message: `TLS handshake failed: ${err.code ?? ''} ${err.message}`.trim() }));
      } else {
        reject(new TransportError(failureFromErrno(err, 'connect')));
      }
    };
    if (isTls) {
      const t = tls.connect({
        ...base,
        servername,
        rejectUnauthorized: false, // verified below, so the certificate is still reported on failure
        ca: opts.ca === undefined ? undefined : [...tls.rootCertificates, opts.ca],
        // the certificate name is checked against the host the user asked for, not the SRV target
        checkServerIdentity: () => undefined,
      });
      t.once('secureConnect', () => {
        if (settled) return;
        clearTimeout(timer);
        const info = tlsPeerInfo(t, servername, nowMs());
        const identity = opts.servername === undefined ? undefined : tls.checkServerIdentity(opts.servername, t.getPeerCertificate());
        if (!opts.insecure && (!t.authorized || identity !== undefined)) {
          settled = true;
          const why = !t.authorized ? (info.authorizationError ?? 'untrusted certificate') : `name mismatch: ${identity?.message ?? ''}`;
          t.destroy();
          reject(
            new TransportError(
              { code: 'TLS_FAILED', errno: info.authorizationError, message: `TLS certificate verification failed: ${why}` },
              info,
            ),
          );
          return;
        }
        if (identity !== undefined) {
          info.authorized = false;
          info.authorizationError ??= 'ERR_TLS_CERT_ALTNAME_INVALID';
        }
        settled = true;
        tlsInfo = info;
        resolve(t);
      });
      t.once('error', onError);
      s = t;
    } else {
      s = net.connect(base);
      s.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', onError);
    }
  });
  socket.setNoDelay(true);
  let handlers: TransportHandlers | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    const at = process.hrtime.bigint();
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let off = 0;
    for (;;) {
      // RFC 5626 §3.5.1 keep-alives (CRLF) between messages
      while (off < pending.length && (pending[off] === 0x0d || pending[off] === 0x0a)) off++;
      if (off >= pending.length) break;
      const len = sipMessageLength(pending, off, pending.length);
      if (len < 0) {
        handlers?.error({ code: 'SOCKET_ERROR', errno: undefined, message: 'unframeable SIP message on the stream' });
        socket.destroy();
        return;
      }
      if (len === 0) break;
      handlers?.message(pending.subarray(off, off + len), at);
      off += len;
    }
    pending = off >= pending.length ? Buffer.alloc(0) : Buffer.from(pending.subarray(off));
    if (pending.length > MAX_STREAM_BUFFER) {
      handlers?.error({ code: 'SOCKET_ERROR', errno: undefined, message: 'SIP message larger than 256 KiB on the stream' });
      socket.destroy();
    }
  });
  socket.on('error', (err: NodeJS.ErrnoException) => handlers?.error(failureFromErrno(err, 'receive')));
  socket.on('close', () => {
    if (!closed) handlers?.error({ code: 'CLOSED', errno: undefined, message: 'the peer closed the connection' });
  });
  return {
    kind: opts.kind,
    reliable: true,
    local: { ip: socket.localAddress ?? '', port: socket.localPort ?? 0 },
    remote: opts.remote,
    tls: tlsInfo,
    send(bytes) {
      if (!closed) socket.write(bytes);
    },
    setHandlers(h) {
      handlers = h;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((r) => {
        socket.once('close', () => r());
        socket.end();
        setTimeout(() => {
          socket.destroy();
          r();
        }, 200).unref();
      });
    },
  };
}
