/**
 * MPLS label stack entry (RFC 3032 §2.1), after EtherType 0x8847 (unicast) or 0x8848.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Label                  | TC  |S|      TTL      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The stack carries no payload type: after the entry with S = 1 the dissector looks at the IP
 * version nibble (RFC 4928 keeps 0/1 there for pseudowire control words, which are not IP).
 */
import { ok, type Decoded } from '../result.js';
import { u32 } from './bytes.js';
import { faultResult, newFault, truncated, type LayerErrorCode, type LayerFault } from './errors.js';

export const MPLS_LABEL_LENGTH = 4;

export interface MplsLabel {
  /** Label value (0..2^20-1). */
  label: number;
  /** Traffic class (0..7). */
  tc: number;
  /** Bottom of stack. */
  bottom: boolean;
  ttl: number;
}

export function newMplsLabel(): MplsLabel {
  return { label: 0, tc: 0, bottom: false, ttl: 0 };
}

export function parseMplsLabel(buf: Uint8Array, off: number, end: number, out: MplsLabel, fault: LayerFault): number {
  if (end - off < MPLS_LABEL_LENGTH) return truncated(fault, 'mpls', off, MPLS_LABEL_LENGTH, Math.max(0, end - off));
  const v = u32(buf, off);
  out.label = v >>> 12;
  out.tc = (v >>> 9) & 7;
  out.bottom = (v & 0x100) !== 0;
  out.ttl = v & 0xff;
  return off + MPLS_LABEL_LENGTH;
}

export function decodeMplsLabel(buf: Uint8Array, offset = 0, end = buf.length): Decoded<MplsLabel, LayerErrorCode> {
  const out = newMplsLabel();
  const f = newFault();
  const e = parseMplsLabel(buf, offset, end, out, f);
  return e < 0 ? faultResult(f) : ok(out, e);
}
