/**
 * RTCP Source Description (PT 202) — RFC 3550 §6.5.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|    SC   |  PT=SDES=202  |             length            |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |                          SSRC/CSRC_1                          |  chunk
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+    1
 *    |     type      |    length     |  text (length octets) ...     |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |  ... more items, then a null octet (type 0) and zeros to the next 32-bit boundary
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 * Item types (§6.5.1–6.5.8): 1 CNAME, 2 NAME, 3 EMAIL, 4 PHONE, 5 LOC, 6 TOOL, 7 NOTE,
 * 8 PRIV (a prefix-length octet, the prefix, then the value). Unknown item types are kept.
 */
import { fail, ok, type Decoded } from '../result.js';
import { RTCP_LAYER, type RtcpErrorCode } from './errors.js';
import { RTCP_HEADER_LENGTH, RTCP_PT, decodeRtcpFrame, pad4, readU32, writeRtcpHeader, writeU32 } from './header.js';

export const SDES_ITEM = Object.freeze({ END: 0, CNAME: 1, NAME: 2, EMAIL: 3, PHONE: 4, LOC: 5, TOOL: 6, NOTE: 7, PRIV: 8 } as const);

export interface SdesItem {
  /** Item type (SDES_ITEM). */
  type: number;
  /** The item text, UTF-8 decoded (for PRIV: the value after the prefix). */
  text: string;
  /** PRIV only: the prefix string. */
  prefix?: string;
}

export interface SdesChunk {
  /** SSRC or CSRC the items describe. */
  ssrc: number;
  items: SdesItem[];
}

export interface SourceDescription {
  chunks: SdesChunk[];
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

export function decodeSourceDescription(buf: Uint8Array, offset = 0): Decoded<SourceDescription, RtcpErrorCode> {
  const f = decodeRtcpFrame(buf, offset, RTCP_PT.SDES);
  if (!f.ok) return f;
  const { count, bodyStart, bodyEnd, end } = f.value;
  const chunks: SdesChunk[] = [];
  let at = bodyStart;
  for (let c = 0; c < count; c++) {
    if (at + 4 > bodyEnd) return fail('BAD_LENGTH', RTCP_LAYER, at);
    const chunk: SdesChunk = { ssrc: readU32(buf, at), items: [] };
    at += 4;
    for (;;) {
      // Lax: a last chunk whose items end exactly at the packet end, with no null octet.
      if (at >= bodyEnd) {
        if (c === count - 1 && at === bodyEnd) break;
        return fail('BAD_LENGTH', RTCP_LAYER, at);
      }
      const type = buf[at]!;
      if (type === SDES_ITEM.END) {
        at = offset + pad4(at + 1 - offset);
        break;
      }
      if (at + 2 > bodyEnd) return fail('BAD_LENGTH', RTCP_LAYER, at);
      const len = buf[at + 1]!;
      const valueEnd = at + 2 + len;
      if (valueEnd > bodyEnd) return fail('BAD_LENGTH', RTCP_LAYER, at + 1);
      if (type === SDES_ITEM.PRIV && len >= 1) {
        const plen = buf[at + 2]!;
        if (at + 3 + plen > valueEnd) return fail('BAD_LENGTH', RTCP_LAYER, at + 2);
        chunk.items.push({
          type,
          prefix: utf8.decode(buf.subarray(at + 3, at + 3 + plen)),
          text: utf8.decode(buf.subarray(at + 3 + plen, valueEnd)),
        });
      } else {
        chunk.items.push({ type, text: utf8.decode(buf.subarray(at + 2, valueEnd)) });
      }
      at = valueEnd;
    }
    chunks.push(chunk);
  }
  return ok({ chunks }, end);
}

function itemBytes(item: SdesItem): Uint8Array {
  const text = utf8Encoder.encode(item.text);
  if (item.type !== SDES_ITEM.PRIV) return text;
  const prefix = utf8Encoder.encode(item.prefix ?? '');
  const out = new Uint8Array(1 + prefix.length + text.length);
  out[0] = prefix.length;
  out.set(prefix, 1);
  out.set(text, 1 + prefix.length);
  return out;
}

function chunkLength(items: readonly Uint8Array[]): number {
  let n = 4;
  for (const v of items) n += 2 + v.length;
  return pad4(n + 1); // at least one null octet, then to the boundary
}

export function sourceDescriptionLength(sdes: SourceDescription): number {
  let n = RTCP_HEADER_LENGTH;
  for (const c of sdes.chunks) n += chunkLength(c.items.map(itemBytes));
  return n;
}

/** Encodes an SDES packet: at most 31 chunks, items of at most 255 octets, types 1–255. */
export function encodeSourceDescription(sdes: SourceDescription): Decoded<Uint8Array, RtcpErrorCode> {
  if (sdes.chunks.length > 31) return fail('BAD_LENGTH', RTCP_LAYER, 0);
  const encoded = sdes.chunks.map((c) => c.items.map(itemBytes));
  for (const [i, items] of encoded.entries()) {
    for (const [k, v] of items.entries()) {
      const type = sdes.chunks[i]!.items[k]!.type;
      if (v.length > 255 || type < 1 || type > 255) return fail('BAD_LENGTH', RTCP_LAYER, 0);
    }
  }
  let total = RTCP_HEADER_LENGTH;
  for (const items of encoded) total += chunkLength(items);
  const out = new Uint8Array(total);
  writeRtcpHeader(out, 0, sdes.chunks.length, RTCP_PT.SDES, total);
  let at = RTCP_HEADER_LENGTH;
  sdes.chunks.forEach((c, i) => {
    const start = at;
    writeU32(out, at, c.ssrc >>> 0);
    at += 4;
    encoded[i]!.forEach((v, k) => {
      out[at] = c.items[k]!.type;
      out[at + 1] = v.length;
      out.set(v, at + 2);
      at += 2 + v.length;
    });
    at = start + chunkLength(encoded[i]!); // null octet(s) already zero
  });
  return ok(out, out.length);
}
