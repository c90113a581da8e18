/**
 * PPP header (RFC 1661 §2) as it appears inside PPTP's enhanced GRE (RFC 2637): optional
 * HDLC-like address/control bytes 0xff 0x03 (RFC 1662; omitted with ACFC), then the protocol
 * field, 2 bytes, or 1 byte when its low bit is set (protocol field compression).
 *
 *  +----------+----------+----------+----------+---------
 *  | 0xff (opt)| 0x03 (opt)|    protocol (1 or 2)    | information ...
 *  +----------+----------+----------+----------+---------
 */
import { ok, type Decoded } from '../result.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

/** PPP DLL protocol numbers (IANA "PPP DLL Protocol Numbers"). */
export const PPP_PROTOCOL = {
  IPV4: 0x0021,
  IPV6: 0x0057,
} as const;

export interface PppHeader {
  /** Whether the 0xff 0x03 address/control bytes were present. */
  addressControl: boolean;
  /** PPP protocol number. */
  protocol: number;
}

export function newPppHeader(): PppHeader {
  return { addressControl: false, protocol: 0 };
}

export function parsePpp(buf: Uint8Array, off: number, end: number, out: PppHeader, fault: LayerFault): number {
  let p = off;
  out.addressControl = false;
  if (end - p >= 1 && buf[p] === 0xff) {
    if (end - p < 2) return truncated(fault, 'ppp', off, 3, end - off);
    if (buf[p + 1] === 0x03) {
      out.addressControl = true;
      p += 2;
    }
  }
  const head = p - off;
  if (end - p < 1) return truncated(fault, 'ppp', off, head + 1, end - off);
  const first = buf[p]!;
  if ((first & 1) === 1) {
    out.protocol = first;
    return p + 1;
  }
  if (end - p < 2) return truncated(fault, 'ppp', off, head + 2, end - off);
  out.protocol = (first << 8) | buf[p + 1]!;
  return p + 2;
}

export function decodePpp(buf: Uint8Array, offset = 0, end = buf.length): Decoded<PppHeader, LayerErrorCode> {
  const out = newPppHeader();
  const f = newFault();
  const e = parsePpp(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
