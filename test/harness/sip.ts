/**
 * A minimal SIP client for readiness checks and tests: send one request over UDP, TCP or TLS
 * (certificate not verified) and collect the responses until a final one. Lab addresses only.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, isIPv6, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { run } from './procs.js';

export type SipTransport = 'udp' | 'tcp' | 'tls';

export interface SipResponse {
  status: number;
  reason: string;
  /** header name (lower case) -> values in order */
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

export interface LocalEnd {
  address: string;
  port: number;
  transport: SipTransport;
}

/** `host` ready for a URI or Via (IPv6 in brackets). */
export function uriHost(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

export function randomToken(n = 8): string {
  return randomBytes(n).toString('hex');
}

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };

/** Parse one SIP response (start line, headers, body). */
export function parseSipResponse(raw: string): SipResponse | null {
  const m = /^SIP\/2\.0 (\d{3}) ?([^\r\n]*)\r?\n/.exec(raw);
  if (!m) return null;
  const split = raw.indexOf('\r\n\r\n');
  const head = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split + 4) : '';
  const headers = new Map<string, string[]>();
  for (const line of head.split(/\r?\n/).slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    let name = line.slice(0, i).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const list = headers.get(name) ?? [];
    list.push(line.slice(i + 1).trim());
    headers.set(name, list);
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers, body, raw };
}

export function header(r: SipResponse, name: string): string | undefined {
  return r.headers.get(name.toLowerCase())?.[0];
}

/** Split a TCP/TLS byte stream into complete SIP messages (Content-Length framing). */
function takeStreamMessages(buf: string): { messages: string[]; rest: string } {
  const messages: string[] = [];
  let rest = buf;
  for (;;) {
    rest = rest.replace(/^(\r\n)+/, ''); // keepalive CRLFs
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.slice(0, end);
    const cl = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(head);
    const len = cl ? Number(cl[1]) : 0;
    if (rest.length < end + 4 + len) break;
    messages.push(rest.slice(0, end + 4 + len));
    rest = rest.slice(end + 4 + len);
  }
  return { messages, rest };
}

export interface SipRequestOptions {
  transport: SipTransport;
  host: string;
  port: number;
  /** The request text, built once the local address/port is known (for Via/Contact). */
  message: string | ((local: LocalEnd) => string);
  timeoutMs?: number;
  /** UDP only: retransmit every `retransmitMs` until an answer (default: no retransmission). */
  retransmitMs?: number;
}

/**
 * Send one request; resolve with every response received until the first final one (>= 200).
 * Rejects on timeout (with the provisional responses seen in the message) or connect error.
 */
export function sipRequest(opts: SipRequestOptions): Promise<SipResponse[]> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const build = (l: LocalEnd) => (typeof opts.message === 'string' ? opts.message : opts.message(l));
  return opts.transport === 'udp' ? udpRequest(opts, build, timeoutMs) : streamRequest(opts, build, timeoutMs);
}

function udpRequest(opts: SipRequestOptions, build: (l: LocalEnd) => string, timeoutMs: number): Promise<SipResponse[]> {
  return new Promise((resolve, reject) => {
    const v6 = isIPv6(opts.host);
    const sock = createSocket(v6 ? 'udp6' : 'udp4');
    const got: SipResponse[] = [];
    let retrans: NodeJS.Timeout | undefined;
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      if (retrans) clearInterval(retrans);
      try {
        sock.close();
      } catch {
        /* closed */
      }
      if (err) reject(err);
      else resolve(got);
    };
    const timer = setTimeout(
      () => finish(new Error(`no final SIP response from udp:${opts.host}:${opts.port} in ${timeoutMs} ms (got ${got.map((r) => r.status).join(',') || 'nothing'})`)),
      timeoutMs,
    );
    sock.on('error', (e) => finish(e));
    sock.on('message', (msg) => {
      const r = parseSipResponse(msg.toString('latin1'));
      if (!r) return;
      got.push(r);
      if (r.status >= 200) finish(null);
    });
    sock.bind({ address: v6 ? '::1' : opts.host.startsWith('127.') ? '127.0.0.1' : undefined, port: 0 }, () => {
      const a = sock.address();
      const text = Buffer.from(build({ address: a.address, port: a.port, transport: 'udp' }), 'latin1');
      const send = () => sock.send(text, opts.port, opts.host);
      send();
      if (opts.retransmitMs) retrans = setInterval(send, opts.retransmitMs);
    });
  });
}

function streamRequest(opts: SipRequestOptions, build: (l: LocalEnd) => string, timeoutMs: number): Promise<SipResponse[]> {
  return new Promise((resolve, reject) => {
    const got: SipResponse[] = [];
    let buf = '';
    let sock: Socket;
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(got);
    };
    const timer = setTimeout(
      () => finish(new Error(`no final SIP response from ${opts.transport}:${opts.host}:${opts.port} in ${timeoutMs} ms (got ${got.map((r) => r.status).join(',') || 'nothing'})`)),
      timeoutMs,
    );
    const onConnect = () => {
      sock.write(Buffer.from(build({ address: sock.localAddress ?? opts.host, port: sock.localPort ?? 0, transport: opts.transport }), 'latin1'));
    };
    if (opts.transport === 'tls') {
      sock = tlsConnect({ host: opts.host, port: opts.port, rejectUnauthorized: false }, onConnect);
    } else {
      sock = netConnect({ host: opts.host, port: opts.port }, onConnect);
    }
    sock.on('error', (e) => finish(e));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const { messages, rest } = takeStreamMessages(buf);
      buf = rest;
      for (const m of messages) {
        const r = parseSipResponse(m);
        if (!r) continue;
        got.push(r);
        if (r.status >= 200) return finish(null);
      }
    });
    sock.on('close', () => finish(got.some((r) => r.status >= 200) ? null : new Error(`connection closed by ${opts.host}:${opts.port} before a final response`)));
  });
}

/** An OPTIONS request for `sip:user@host:port` from the given local end. */
export function buildOptions(target: { host: string; port: number; user?: string; transport: SipTransport }, local: LocalEnd, callId = randomToken()): string {
  const t = target.transport;
  const via = t.toUpperCase();
  const h = uriHost(target.host);
  const uri = `sip:${target.user ?? 'ping'}@${h}:${target.port}${t === 'udp' ? '' : `;transport=${t}`}`;
  return (
    `OPTIONS ${uri} SIP/2.0\r\n` +
    `Via: SIP/2.0/${via} ${uriHost(local.address)}:${local.port};branch=z9hG4bK-${randomToken()};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: <sip:harness@${uriHost(local.address)}>;tag=${randomToken(4)}\r\n` +
    `To: <${uri}>\r\n` +
    `Call-ID: ${callId}@voipdiag-harness\r\n` +
    `CSeq: 1 OPTIONS\r\n` +
    `Accept: application/sdp\r\n` +
    `User-Agent: voipdiag-harness\r\n` +
    `Content-Length: 0\r\n\r\n`
  );
}

/** Send one OPTIONS; the final response (or throws on timeout/connect error). */
export async function sipOptions(opts: { transport?: SipTransport; host: string; port: number; user?: string; timeoutMs?: number }): Promise<SipResponse> {
  const transport = opts.transport ?? 'udp';
  const rs = await sipRequest({
    transport,
    host: opts.host,
    port: opts.port,
    timeoutMs: opts.timeoutMs ?? 2000,
    message: (l) => buildOptions({ host: opts.host, port: opts.port, user: opts.user, transport }, l),
  });
  const last = rs[rs.length - 1];
  if (!last) throw new Error('no response');
  return last;
}

/**
 * OPTIONS over UDP from inside a network namespace (this process cannot enter one, so a tiny
 * Node script runs there via `ip netns exec`). Resolves with the status code, or null.
 */
export async function sipOptionsInNetns(netns: string, host: string, port: number, timeoutMs = 1500): Promise<number | null> {
  const code = `
const d=require('node:dgram'),net=require('node:net');const [h,p,t]=process.argv.slice(1);
const s=d.createSocket(net.isIPv6(h)?'udp6':'udp4');const b=Math.random().toString(16).slice(2);
const H=net.isIPv6(h)?'['+h+']':h;
s.on('message',m=>{const r=/^SIP\\/2\\.0 (\\d{3})/.exec(m.toString());if(r&&+r[1]>=200){console.log(r[1]);process.exit(0)}});
s.on('error',()=>process.exit(2));setTimeout(()=>process.exit(1),+t);
s.bind(0,()=>{const a=s.address();const L=(net.isIPv6(a.address)?'['+a.address+']':a.address)+':'+a.port;
s.send('OPTIONS sip:ping@'+H+':'+p+' SIP/2.0\\r\\nVia: SIP/2.0/UDP '+L+';branch=z9hG4bK-'+b+';rport\\r\\nMax-Forwards: 70\\r\\nFrom: <sip:harness@'+H+'>;tag='+b+'\\r\\nTo: <sip:ping@'+H+'>\\r\\nCall-ID: '+b+'@voipdiag-harness\\r\\nCSeq: 1 OPTIONS\\r\\nContent-Length: 0\\r\\n\\r\\n',+p,h)});`;
  const r = await run(process.execPath, ['-e', code, host, String(port), String(timeoutMs)], { netns, timeoutMs: timeoutMs + 3000 });
  const n = Number(r.stdout.trim());
  return r.code === 0 && n >= 200 ? n : null;
}
