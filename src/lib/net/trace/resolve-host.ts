/**
 * Target host → one address of the family asked for (or the first the resolver gives).
 * IP literals are used as they are; names go through the system resolver (getaddrinfo).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { canonicalAddress } from './sockaddr.js';

export type ResolvedHost = { ok: true; address: string; family: 4 | 6 } | { ok: false; message: string };

export async function resolveHost(host: string, family: 0 | 4 | 6): Promise<ResolvedHost> {
  const literal = isIP(host);
  if (literal === 4 || literal === 6) {
    if (family !== 0 && family !== literal) return { ok: false, message: `${host} is an IPv${literal} address but -${family} was asked for` };
    return { ok: true, address: canonicalAddress(host), family: literal };
  }
  try {
    const r = await lookup(host, { family });
    return { ok: true, address: canonicalAddress(r.address), family: r.family === 6 ? 6 : 4 };
  } catch (err) {
    return { ok: false, message: `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

/** Reverse DNS (PTR) of an address; null when there is none or it takes longer than `timeoutMs`. */
export async function reverseName(address: string, timeoutMs = 2000): Promise<string | null> {
  const { reverse } = await import('node:dns/promises');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
  const names = reverse(address).then((n) => n[0] ?? null).catch(() => null);
  const name = await Promise.race([names, timeout]);
  clearTimeout(timer);
  return name;
}
