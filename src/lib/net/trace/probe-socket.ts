/**
 * One probe, one socket: a UDP (or SIP-over-UDP) datagram, or an ICMP echo request, sent with
 * a given TTL / hop limit on a non-blocking socket with IP_RECVERR (IPV6_RECVERR) and
 * SO_TIMESTAMPNS. The answer is whichever comes first:
 *   - an ICMP error from the error queue (MSG_ERRQUEUE): the router or host that sent it is the
 *     extended error's offender, its type/code say what it was (time exceeded, unreachable…);
 *   - a datagram from the target (a SIP response, any UDP reply, an ICMP echo reply).
 * RTT = the kernel's receive timestamp of that answer minus CLOCK_REALTIME read just before
 * send(), so a busy event loop does not inflate it.
 *
 * A UDP socket is connect()ed to the target: its own 4-tuple is the probe's identity, so the
 * kernel routes the ICMP error (which quotes it) to this socket and no other. A ping socket
 * (SOCK_DGRAM + IPPROTO_ICMP) is matched by the kernel on its echo identifier. A raw ICMP
 * socket sees every ICMP message of the host, so it checks the echo identifier and sequence.
 */
import {
  AF_INET,
  AF_INET6,
  Errno,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_UDP,
  IP_RECVERR,
  IP_TTL,
  IPV6_RECVERR,
  IPV6_UNICAST_HOPS,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
  SO_EE_ORIGIN_ICMP,
  SO_EE_ORIGIN_ICMP6,
  SO_TIMESTAMPNS,
} from './linux-constants.js';
import type { Libc, Received } from './libc.js';
import { classifyIcmpError } from './icmp-kinds.js';
import { decodeIcmpEcho, encodeIcmpEchoRequest, ICMP6_ECHO_REPLY, ICMP_ECHO_REPLY, ipv4HeaderLength } from './icmp-echo.js';
import { canonicalAddress, type SocketAddress } from './sockaddr.js';
import type { ProbeAnswer, SipAnswer } from '../../trace/probe.js';

/** How probes are sent: UDP with IP_RECVERR (udp and sip), or ICMP echo on a ping or raw socket. */
export type ProbeSocketKind = 'udp' | 'icmp-ping' | 'icmp-raw';

export interface ProbeSocketSpec {
  kind: ProbeSocketKind;
  family: 4 | 6;
  target: string;
  /** UDP destination port (ignored for ICMP) */
  port: number;
  ttl: number;
  /** echo sequence number (ICMP) */
  sequence: number;
  /** echo identifier (raw ICMP; a ping socket picks its own) */
  identifier: number;
}

export interface ProbeSocketHooks {
  /** The UDP payload, given the socket's local address (a SIP request needs it for Via). */
  payload(local: SocketAddress | null): Uint8Array;
  /** Decode a UDP reply from the target as SIP; null when it is not SIP. */
  decodeSip?(data: Uint8Array): SipAnswer | null;
  onAnswer(answer: ProbeAnswer): void;
}

export type OpenResult = { ok: true; probe: ProbeSocket } | { ok: false; errno: number; step: string };

const ECHO_DATA = new TextEncoder().encode('voipdiag trace probe 0123456789ab');

export class ProbeSocket {
  private watch: { close(): void } | null = null;
  private sentNs = 0n;
  private done = false;

  private constructor(
    private readonly libc: Libc,
    private readonly fd: number,
    private readonly spec: ProbeSocketSpec,
    private readonly hooks: ProbeSocketHooks,
  ) {}

  static open(libc: Libc, spec: ProbeSocketSpec, hooks: ProbeSocketHooks): OpenResult {
    const domain = spec.family === 4 ? AF_INET : AF_INET6;
    const [type, proto] =
      spec.kind === 'udp'
        ? [SOCK_DGRAM, IPPROTO_UDP]
        : spec.kind === 'icmp-ping'
          ? [SOCK_DGRAM, spec.family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6]
          : [SOCK_RAW, spec.family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6];
    const s = libc.socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (s.fd < 0) return { ok: false, errno: s.errno, step: 'socket' };
    const fd = s.fd;
    const fail = (errno: number, step: string): OpenResult => {
      libc.close(fd);
      return { ok: false, errno, step };
    };
    const [lvl, recverr, hops] = spec.family === 4 ? [IPPROTO_IP, IP_RECVERR, IP_TTL] : [IPPROTO_IPV6, IPV6_RECVERR, IPV6_UNICAST_HOPS];
    let e = libc.setIntOption(fd, lvl, recverr, 1);
    if (e) return fail(e, 'setsockopt(RECVERR)');
    e = libc.setIntOption(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
    if (e) return fail(e, 'setsockopt(SO_TIMESTAMPNS)');
    e = libc.setIntOption(fd, lvl, hops, spec.ttl);
    if (e) return fail(e, 'setsockopt(TTL)');
    e = libc.connect(fd, { family: spec.family, address: spec.target, port: spec.kind === 'udp' ? spec.port : 0 });
    if (e) return fail(e, 'connect');
    return { ok: true, probe: new ProbeSocket(libc, fd, spec, hooks) };
  }

  /** Send the probe; returns the errno of send() (0 = sent). */
  send(): number {
    const local = this.libc.localAddress(this.fd);
    const data =
      this.spec.kind === 'udp'
        ? this.hooks.payload(local)
        : encodeIcmpEchoRequest(this.spec.family, this.spec.identifier, this.spec.sequence, ECHO_DATA);
    this.watch = this.libc.watch(this.fd, () => this.drain());
    this.sentNs = this.libc.realtimeNs();
    const r = this.libc.send(this.fd, data);
    return r.sent < 0 ? r.errno : 0;
  }

  close(): void {
    this.done = true;
    this.watch?.close();
    this.watch = null;
    this.libc.close(this.fd);
  }

  private rttMs(rx: Received): number {
    const at = rx.control.timestampNs ?? this.libc.realtimeNs();
    return Number(at - this.sentNs) / 1e6;
  }

  /** Read both queues until empty (bounded); report the first answer that is ours. */
  private drain(): void {
    for (let i = 0; i < 64 && !this.done; i++) {
      const r = this.libc.recv(this.fd, true);
      if (!r.ok) break;
      this.fromErrorQueue(r.value);
    }
    for (let i = 0; i < 64 && !this.done; i++) {
      const r = this.libc.recv(this.fd, false);
      if (!r.ok) {
        if (r.errno === Errno.EAGAIN) break;
        // a pending socket error (ECONNREFUSED…) was already read from the error queue: go on
        continue;
      }
      this.fromDataQueue(r.value);
    }
  }

  private fromErrorQueue(rx: Received): void {
    const ee = rx.control.extendedError;
    if (!ee || (ee.origin !== SO_EE_ORIGIN_ICMP && ee.origin !== SO_EE_ORIGIN_ICMP6)) return;
    if (this.spec.kind === 'icmp-raw') {
      // the error carries the quoted original ICMP header: is it our echo?
      const q = decodeIcmpEcho(rx.data, 0, this.spec.family);
      if (!q.ok || q.value.identifier !== this.spec.identifier || q.value.sequence !== this.spec.sequence) return;
    }
    const from = ee.offender ? canonicalAddress(ee.offender.address) : canonicalAddress(this.spec.target);
    this.answer({
      kind: classifyIcmpError(this.spec.family, ee.type, ee.code),
      from,
      rttMs: this.rttMs(rx),
      icmpType: ee.type,
      icmpCode: ee.code,
      sip: null,
    });
  }

  private fromDataQueue(rx: Received): void {
    const from = rx.from ? canonicalAddress(rx.from.address) : canonicalAddress(this.spec.target);
    if (this.spec.kind === 'udp') {
      const sip = this.hooks.decodeSip?.(rx.data) ?? null;
      this.answer({ kind: sip ? 'sip' : 'udp-reply', from, rttMs: this.rttMs(rx), icmpType: null, icmpCode: null, sip });
      return;
    }
    const off = this.spec.kind === 'icmp-raw' && this.spec.family === 4 ? ipv4HeaderLength(rx.data, 0) : 0;
    const echo = decodeIcmpEcho(rx.data, off, this.spec.family);
    if (!echo.ok) return;
    const replyType = this.spec.family === 4 ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY;
    if (echo.value.type !== replyType || echo.value.sequence !== this.spec.sequence) return;
    if (this.spec.kind === 'icmp-raw' && echo.value.identifier !== this.spec.identifier) return;
    this.answer({ kind: 'echo-reply', from, rttMs: this.rttMs(rx), icmpType: echo.value.type, icmpCode: echo.value.code, sip: null });
  }

  private answer(a: ProbeAnswer): void {
    if (this.done) return;
    this.done = true;
    this.hooks.onAnswer(a);
  }
}

/**
 * Which ICMP socket this process may open: a ping socket (net.ipv4.ping_group_range covers one
 * of our groups), else a raw socket (CAP_NET_RAW), else the errno of the raw attempt.
 */
export function pickIcmpSocket(libc: Libc, family: 4 | 6): { ok: true; kind: 'icmp-ping' | 'icmp-raw' } | { ok: false; errno: number } {
  const domain = family === 4 ? AF_INET : AF_INET6;
  const proto = family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  const ping = libc.socket(domain, SOCK_DGRAM | SOCK_CLOEXEC, proto);
  if (ping.fd >= 0) {
    libc.close(ping.fd);
    return { ok: true, kind: 'icmp-ping' };
  }
  const raw = libc.socket(domain, SOCK_RAW | SOCK_CLOEXEC, proto);
  if (raw.fd >= 0) {
    libc.close(raw.fd);
    return { ok: true, kind: 'icmp-raw' };
  }
  return { ok: false, errno: raw.errno };
}
