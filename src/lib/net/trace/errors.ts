/**
 * Error codes of trace's kernel-structure decoders (STYLE.md rule 8): tests compare `code`.
 * - TRUNCATED: fewer bytes than the structure needs (`need`/`have`).
 * - BAD_FAMILY: a sockaddr whose family is neither AF_INET nor AF_INET6.
 * - BAD_CMSG_LEN: a cmsghdr whose cmsg_len is below the header size or runs past the buffer.
 * - NOT_ECHO: an ICMP message that is not an echo request/reply of the expected family.
 */
export type TraceDecodeErrorCode = 'TRUNCATED' | 'BAD_FAMILY' | 'BAD_CMSG_LEN' | 'NOT_ECHO';

export interface TraceDecodeError {
  code: TraceDecodeErrorCode;
  layer: 'sockaddr' | 'cmsg' | 'sock_extended_err' | 'timespec' | 'icmp';
  offset: number;
  need?: number;
  have?: number;
}

export type Decoded<T> = { ok: true; value: T; end: number } | { ok: false; error: TraceDecodeError };

export function truncated(layer: TraceDecodeError['layer'], offset: number, need: number, have: number): { ok: false; error: TraceDecodeError } {
  return { ok: false, error: { code: 'TRUNCATED', layer, offset, need, have } };
}
