/**
 * A tiny authoritative DNS responder on loopback for the RFC 3263 tests (RFC 1035 message
 * format; NAPTR RFC 3403 §4.1, SRV RFC 2782, A, AAAA). Names are written uncompressed. Unknown
 * names get NXDOMAIN, known names without the asked type an empty NOERROR answer. Bounded: it
 * closes itself after `maxSeconds`.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';

export type ZoneRecord =
  | { type: 'A'; value: string }
  | { type: 'AAAA'; value: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'NAPTR'; order: number; preference: number; flags: string; service: string; regexp: string; replacement: string };

const TYPE = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 } as const;

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((p) => p.length > 0);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

function charString(s: string): Buffer {
  return Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'ascii')]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function rdata(r: ZoneRecord): Buffer {
  switch (r.type) {
    case 'A':
      return Buffer.from(r.value.split('.').map(Number));
    case 'AAAA': {
      const b = Buffer.alloc(16);
      const [head, tail] = r.value.split('::') as [string, string | undefined];
      const h = head ? head.split(':') : [];
      const t = tail ? tail.split(':') : [];
      const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
      groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), 2 * i));
      return b;
    }
    case 'SRV':
      return Buffer.concat([u16(r.priority), u16(r.weight), u16(r.port), encodeName(r.target)]);
    case 'NAPTR':
      return Buffer.concat([u16(r.order), u16(r.preference), charString(r.flags), charString(r.service), charString(r.regexp), encodeName(r.replacement)]);
  }
}

function parseQuestion(msg: Buffer): { id: number; name: string; qtype: number; end: number } | null {
  if (msg.length < 12) return null;
  let at = 12;
  const labels: string[] = [];
  while (at < msg.length) {
    const len = msg[at] ?? 0;
    if (len === 0) {
      at++;
      break;
    }
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('ascii'));
    at += 1 + len;
  }
  if (at + 4 > msg.length) return null;
  return { id: msg.readUInt16BE(0), name: labels.join('.').toLowerCase(), qtype: msg.readUInt16BE(at), end: at + 4 };
}

export interface DnsServer {
  port: number;
  queries: string[];
  close(): Promise<void>;
}

export async function startDnsServer(zone: Record<string, ZoneRecord[]>, opts: { maxSeconds: number; ip?: string }): Promise<DnsServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const sock = dgram.createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((r) => sock.bind({ address: ip, port: 0 }, () => r()));
  const queries: string[] = [];
  const lower = Object.fromEntries(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  sock.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (!q) return;
    const typeName = Object.entries(TYPE).find(([, v]) => v === q.qtype)?.[0] ?? String(q.qtype);
    queries.push(`${typeName} ${q.name}`);
    const records = lower[q.name];
    const answers = (records ?? []).filter((r) => TYPE[r.type] === q.qtype);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(q.id, 0);
    header.writeUInt16BE(0x8400 | (records === undefined ? 3 : 0), 2); // QR, AA; rcode NXDOMAIN for unknown names
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((r) => {
      const data = rdata(r);
      const fixed = Buffer.alloc(10);
      fixed.writeUInt16BE(TYPE[r.type], 0);
      fixed.writeUInt16BE(1, 2); // IN
      fixed.writeUInt32BE(60, 4);
      fixed.writeUInt16BE(data.length, 8);
      return Buffer.concat([encodeName(q.name), fixed, data]);
    });
    sock.send(Buffer.concat([header, msg.subarray(12, q.end), ...rrs]), rinfo.port, rinfo.address);
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    clearTimeout(lifetime);
    await new Promise<void>((r) => sock.close(() => r()));
  };
  const lifetime = setTimeout(() => void close(), opts.maxSeconds * 1000);
  return { port: sock.address().port, queries, close };
}
