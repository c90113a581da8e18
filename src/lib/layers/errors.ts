/**
 * Error codes of the link, network and transport layer decoders and of the dissector
 * (STYLE.md rule 8: tests compare `code`, never message text).
 *
 * Decoders in this folder come in two forms over the same code: `parseX(buf, off, end, out,
 * fault)` fills a caller-owned struct and returns the end offset, or -1 with `fault` filled
 * (the dissector's allocation-free path), and `decodeX(buf, offset, end?)` which wraps it into
 * the project's `Decoded` result.
 */
import { fail, type DecodeError } from '../result.js';

export type LayerErrorCode =
  /** Fewer captured bytes than the structure needs; `need`/`have` count from its first byte. */
  | 'TRUNCATED'
  /** The frame's LINKTYPE is not one the dissector knows. */
  | 'UNSUPPORTED_LINKTYPE'
  /** IP version nibble is not the one the encapsulation promises (4 or 6). */
  | 'BAD_VERSION'
  /** IPv4 IHL < 5, or TCP data offset < 5 (header length below the fixed part). */
  | 'BAD_HEADER_LENGTH'
  /** IPv4 total length smaller than its header length. */
  | 'BAD_TOTAL_LENGTH'
  /** UDP length field smaller than the 8-byte header. */
  | 'BAD_LENGTH'
  /** GRE version other than 0 (RFC 2784) or 1 (RFC 2637), or a malformed routing field. */
  | 'BAD_GRE'
  /** PPPoE session header with a version/type other than 1/1. */
  | 'BAD_PPPOE'
  /** More than the supported number of VLAN tags, MPLS labels or nested tunnels. */
  | 'TOO_DEEP'
  /** A fragment that would make the reassembled datagram exceed the 64 KiB bound. */
  | 'FRAGMENT_TOO_LARGE'
  /** Inconsistent fragments: two different last fragments, or data past the last one. */
  | 'BAD_FRAGMENT'
  /** A TCP flow buffered more than its bound without yielding a complete SIP message. */
  | 'TCP_BUFFER_OVERFLOW'
  /** A SIP-over-TCP stream where the bytes after a message are not a SIP start line. */
  | 'SIP_STREAM_DESYNC'
  /** A stream SIP message whose Content-Length is not a number. */
  | 'BAD_CONTENT_LENGTH';

/** A reusable, mutable error record for the allocation-free `parseX` functions. */
export interface LayerFault {
  code: LayerErrorCode;
  layer: string;
  offset: number;
  /** Bytes needed from the structure's first byte (-1: not a truncation). */
  need: number;
  /** Bytes available from the structure's first byte (-1: not a truncation). */
  have: number;
}

export function newFault(): LayerFault {
  return { code: 'TRUNCATED', layer: '', offset: 0, need: -1, have: -1 };
}

/** Fill `f` and return -1, so parsers can `return setFault(...)`. */
export function setFault(
  f: LayerFault,
  code: LayerErrorCode,
  layer: string,
  offset: number,
  need = -1,
  have = -1,
): -1 {
  f.code = code;
  f.layer = layer;
  f.offset = offset;
  f.need = need;
  f.have = have;
  return -1;
}

/** Fill `f` with a TRUNCATED fault for a structure at `offset` needing `need` of `have` bytes. */
export function truncated(f: LayerFault, layer: string, offset: number, need: number, have: number): -1 {
  return setFault(f, 'TRUNCATED', layer, offset, need, have);
}

/** The `Decoded` failure for a filled fault. */
export function faultResult(f: LayerFault): { ok: false; error: DecodeError<LayerErrorCode> } {
  return f.need >= 0 ? fail(f.code, f.layer, f.offset, f.need, f.have) : fail(f.code, f.layer, f.offset);
}
