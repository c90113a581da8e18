/**
 * RFC 3263 "Locating SIP Servers": target → ordered list of {ip, port, transport}.
 *
 *   §4.1 transport: explicit ;transport= | IP literal or explicit port → UDP (sips: TLS) |
 *        NAPTR (SIP+D2U, SIP+D2T, SIPS+D2T; order, then preference) |
 *        no NAPTR → SRV _sips._tcp, _sip._tcp, _sip._udp (first that exists) |
 *        nothing → UDP (sips: TLS)
 *   §4.2 address: IP literal or explicit port → A/AAAA with that port (default 5060/5061) |
 *        else SRV for the chosen transport (priority ascending, then weight descending) →
 *        A/AAAA of each SRV target | no SRV → A/AAAA of the host, default port.
 *
 * The DNS client is injected (node:dns/promises `Resolver` fits it), so the logic is tested with
 * a fake and against a real DNS server on loopback. SRV weights are ordered deterministically
 * (heaviest first) instead of the RFC 2782 weighted draw, so two runs probe the same address.
 * `localhost` resolves to the loopback addresses without DNS (RFC 6761 §6.3).
 */
import { isIP } from 'node:net';
import { defaultPort, type SipTransportName } from './transport-name.js';

/** What resolution needs of a target (probe/target.ts `ProbeTarget` fits it). */
export interface ResolvableTarget {
  scheme: 'sip' | 'sips';
  host: string;
  /** 4 or 6 for an IP literal, 0 for a name. */
  hostFamily: 0 | 4 | 6;
  port: number | undefined;
  transport: SipTransportName | undefined;
}

export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** The subset of node:dns/promises `Resolver` the resolution needs. */
export interface DnsClient {
  resolveNaptr(name: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export interface ResolvedAddress {
  ip: string;
  port: number;
  family: 4 | 6;
  transport: SipTransportName;
}

/** One line of "how we got there", shown to the user. */
export interface ResolutionStep {
  query: string;
  type: 'NAPTR' | 'SRV' | 'A' | 'AAAA' | 'literal';
  answers: string[];
}

export interface Resolution {
  transport: SipTransportName;
  addresses: ResolvedAddress[];
  steps: ResolutionStep[];
}

export interface ResolveOptions {
  /** Skip NAPTR and SRV (--no-srv): A/AAAA of the host, default port. */
  noSrv?: boolean;
  /** Restrict to one address family. */
  family?: 4 | 6;
}

export class ResolveError extends Error {
  readonly steps: ResolutionStep[];
  constructor(message: string, steps: ResolutionStep[]) {
    super(message);
    this.name = 'ResolveError';
    this.steps = steps;
  }
}

const NAPTR_SERVICES: Readonly<Record<string, SipTransportName>> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp', 'SIPS+D2T': 'tls' };
/** Client preference when there is no NAPTR (RFC 3263 §4.1: "in order of preference"). */
const SRV_ORDER: readonly SipTransportName[] = ['tls', 'tcp', 'udp'];

export function srvName(transport: SipTransportName, domain: string): string {
  const d = domain.replace(/\.$/, '');
  if (transport === 'tls') return `_sips._tcp.${d}`;
  return transport === 'tcp' ? `_sip._tcp.${d}` : `_sip._udp.${d}`;
}

export async function resolveTarget(target: ResolvableTarget, dns: DnsClient, opts: ResolveOptions = {}): Promise<Resolution> {
  const steps: ResolutionStep[] = [];
  const sips = target.scheme === 'sips';
  const fallbackTransport: SipTransportName = sips ? 'tls' : 'udp';

  if (target.hostFamily !== 0) {
    const transport = target.transport ?? fallbackTransport;
    const port = target.port ?? defaultPort(transport);
    steps.push({ query: target.host, type: 'literal', answers: [target.host] });
    const family = target.hostFamily;
    if (opts.family !== undefined && opts.family !== family) {
      throw new ResolveError(`${target.host} is an IPv${family} address but IPv${opts.family} was asked for`, steps);
    }
    return { transport, addresses: [{ ip: target.host, port, family, transport }], steps };
  }

  const host = target.host;
  if (target.port !== undefined || opts.noSrv) {
    const transport = target.transport ?? fallbackTransport;
    const port = target.port ?? defaultPort(transport);
    const addresses = await addressesOf(host, port, transport, dns, opts.family, steps);
    if (addresses.length === 0) throw new ResolveError(`${host}: no A/AAAA record`, steps);
    return { transport, addresses, steps };
  }

  // Candidate (transport, SRV name) pairs, in the order to try.
  let candidates: { transport: SipTransportName; srv: string }[] = [];
  if (target.transport !== undefined) {
    candidates = [{ transport: target.transport, srv: srvName(target.transport, host) }];
  } else {
    const naptr = await query(() => dns.resolveNaptr(host), steps, host, 'NAPTR', (r) =>
      r.map((n) => `${n.order} ${n.preference} "${n.flags}" "${n.service}" ${n.replacement}`),
    );
    const usable = naptr
      .filter((n) => n.flags.toLowerCase() === 's' && NAPTR_SERVICES[n.service.toUpperCase()] !== undefined && n.replacement !== '')
      .filter((n) => !sips || NAPTR_SERVICES[n.service.toUpperCase()] === 'tls')
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    if (usable.length > 0) {
      candidates = usable.map((n) => ({ transport: NAPTR_SERVICES[n.service.toUpperCase()] as SipTransportName, srv: n.replacement }));
    } else {
      candidates = (sips ? (['tls'] as SipTransportName[]) : SRV_ORDER).map((t) => ({ transport: t, srv: srvName(t, host) }));
    }
  }

  for (const c of candidates) {
    const srv = await query(() => dns.resolveSrv(c.srv), steps, c.srv, 'SRV', (r) =>
      r.map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`),
    );
    if (srv.length === 0) continue;
    const sorted = [...srv].sort((a, b) => a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name));
    const addresses: ResolvedAddress[] = [];
    for (const s of sorted) {
      if (s.name === '.' || s.name === '') continue; // "service decidedly not available" (RFC 2782)
      addresses.push(...(await addressesOf(s.name, s.port, c.transport, dns, opts.family, steps)));
    }
    if (addresses.length > 0) return { transport: c.transport, addresses, steps };
  }

  const transport = target.transport ?? fallbackTransport;
  const addresses = await addressesOf(host, defaultPort(transport), transport, dns, opts.family, steps);
  if (addresses.length === 0) throw new ResolveError(`${host}: no NAPTR, SRV, A or AAAA record`, steps);
  return { transport, addresses, steps };
}

async function addressesOf(
  name: string,
  port: number,
  transport: SipTransportName,
  dns: DnsClient,
  family: 4 | 6 | undefined,
  steps: ResolutionStep[],
): Promise<ResolvedAddress[]> {
  const out: ResolvedAddress[] = [];
  const bare = name.replace(/\.$/, '');
  if (isIP(bare) !== 0) {
    const f = isIP(bare) as 4 | 6;
    return family === undefined || family === f ? [{ ip: bare, port, family: f, transport }] : [];
  }
  if (bare.toLowerCase() === 'localhost') {
    steps.push({ query: bare, type: 'literal', answers: ['127.0.0.1', '::1'] });
    if (family !== 6) out.push({ ip: '127.0.0.1', port, family: 4, transport });
    if (family !== 4) out.push({ ip: '::1', port, family: 6, transport });
    return out;
  }
  if (family !== 6) {
    const a = await query(() => dns.resolve4(bare), steps, bare, 'A', (r) => r);
    for (const ip of a) out.push({ ip, port, family: 4, transport });
  }
  if (family !== 4) {
    const aaaa = await query(() => dns.resolve6(bare), steps, bare, 'AAAA', (r) => r);
    for (const ip of aaaa) out.push({ ip, port, family: 6, transport });
  }
  return out;
}

/** Runs one query; "no such record" is an empty answer, anything else (no server…) is an error. */
async function query<T>(
  run: () => Promise<T[]>,
  steps: ResolutionStep[],
  name: string,
  type: ResolutionStep['type'],
  show: (r: T[]) => string[],
): Promise<T[]> {
  try {
    const r = await run();
    steps.push({ query: name, type, answers: show(r) });
    return r;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENODATA' || code === 'ENOTFOUND' || code === 'NXDOMAIN' || code === 'ENONAME') {
      steps.push({ query: name, type, answers: [] });
      return [];
    }
    steps.push({ query: name, type, answers: [`error ${code ?? 'unknown'}`] });
    throw new ResolveError(`DNS ${type} query for ${name} failed: ${code ?? (err as Error).message}`, steps);
  }
}
