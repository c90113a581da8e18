/** SIP transports the probes speak, and their default ports (RFC 3261 §19.1.2: 5060, TLS 5061). */
export type SipTransportName = 'udp' | 'tcp' | 'tls';

export function defaultPort(transport: SipTransportName): number {
  return transport === 'tls' ? 5061 : 5060;
}
