/**
 * What a probe reports about the server's TLS certificate: subject, issuer, days to expiry,
 * and whether it chained to a trusted root (verification is on unless --insecure).
 */
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface TlsPeerInfo {
  /** Subject, as "CN=…" (or the whole distinguished name when there is no CN). */
  subject: string;
  issuer: string;
  /** Subject alternative names, as OpenSSL prints them ("IP Address:127.0.0.1, DNS:localhost"). */
  subjectAltName: string | undefined;
  /** Whole days until notAfter (negative once expired). */
  daysToExpiry: number;
  validFrom: string;
  validTo: string;
  /** The chain verified against the trust store (and the name matched). */
  authorized: boolean;
  /** Why not, when not (e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  authorizationError: string | undefined;
  protocol: string | undefined;
  cipher: string | undefined;
  /** The SNI we sent (absent for an IP literal: RFC 6066 forbids IP addresses in SNI). */
  servername: string | undefined;
}

const DAY_MS = 86_400_000;

export function describeDn(dn: Record<string, string | string[]> | undefined): string {
  if (!dn) return '';
  const cn = dn.CN;
  if (cn !== undefined) return `CN=${Array.isArray(cn) ? cn.join('+') : cn}`;
  return Object.entries(dn)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

export function daysUntil(validTo: string, nowMs: number): number {
  const t = Date.parse(validTo);
  if (Number.isNaN(t)) return Number.NaN;
  return Math.floor((t - nowMs) / DAY_MS);
}

export function tlsPeerInfo(socket: TLSSocket, servername: string | undefined, nowMs: number): TlsPeerInfo {
  const cert = socket.getPeerCertificate(false) as PeerCertificate | Record<string, never>;
  const c = cert as Partial<PeerCertificate>;
  const authorizationError = socket.authorizationError as unknown as string | Error | null | undefined;
  return {
    subject: describeDn(c.subject as unknown as Record<string, string | string[]> | undefined),
    issuer: describeDn(c.issuer as unknown as Record<string, string | string[]> | undefined),
    subjectAltName: c.subjectaltname,
    daysToExpiry: c.valid_to ? daysUntil(c.valid_to, nowMs) : Number.NaN,
    validFrom: c.valid_from ?? '',
    validTo: c.valid_to ?? '',
    authorized: socket.authorized,
    authorizationError:
      authorizationError === null || authorizationError === undefined
        ? undefined
        : typeof authorizationError === 'string'
          ? authorizationError
          : ((authorizationError as { code?: string }).code ?? authorizationError.message),
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    servername,
  };
}
