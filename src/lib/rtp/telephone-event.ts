/**
 * RFC 4733 §2.3 named telephone events (DTMF and friends), the payload of "telephone-event".
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     event     |E|R| volume    |          duration             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * All packets of one event carry the event's start in the RTP timestamp; `duration` grows from
 * there. The end packet (E = 1) is usually sent three times with the same sequence number
 * (RFC 4733 §2.5.1.4) — a stream analyser must count those as duplicates, not as disorder.
 */
import { fail, ok, type Decoded } from '../result.js';
import type { RtpErrorCode } from './errors.js';

export const TELEPHONE_EVENT_LENGTH = 4;

export interface TelephoneEvent {
  /** Event code, 0–255 (RFC 4733 §3.2: 0–9, 10 = *, 11 = #, 12–15 = A–D, 16 = flash). */
  event: number;
  /** E bit: this packet ends the event. */
  end: boolean;
  /** Power level, 0–63, in −dBm0 (0 is loudest). */
  volume: number;
  /** Event duration so far, in RTP timestamp units. */
  duration: number;
}

const DTMF_NAMES = '0123456789*#ABCD';

/** "0"–"9", "*", "#", "A"–"D", "flash", or "event-N" for other codes. */
export function telephoneEventName(event: number): string {
  if (event < 16) return DTMF_NAMES[event]!;
  if (event === 16) return 'flash';
  return `event-${event}`;
}

export function decodeTelephoneEvent(buf: Uint8Array, offset = 0): Decoded<TelephoneEvent, RtpErrorCode> {
  const have = buf.length - offset;
  if (have < TELEPHONE_EVENT_LENGTH) return fail('TRUNCATED', 'rtpevent', offset, TELEPHONE_EVENT_LENGTH, Math.max(0, have));
  const b1 = buf[offset + 1]!;
  return ok(
    { event: buf[offset]!, end: (b1 & 0x80) !== 0, volume: b1 & 0x3f, duration: (buf[offset + 2]! << 8) | buf[offset + 3]! },
    offset + TELEPHONE_EVENT_LENGTH,
  );
}

/** The same fields from a payload's first 32 bits (see `payloadHead32`), without a buffer. */
export function telephoneEventFromWord(word: number): TelephoneEvent {
  return { event: (word >>> 24) & 0xff, end: (word & 0x800000) !== 0, volume: (word >>> 16) & 0x3f, duration: word & 0xffff };
}

export function encodeTelephoneEvent(e: TelephoneEvent): Decoded<Uint8Array, RtpErrorCode> {
  if (e.event < 0 || e.event > 255 || e.volume < 0 || e.volume > 63 || e.duration < 0 || e.duration > 0xffff) {
    return fail('BAD_LENGTH', 'rtpevent', 0);
  }
  const out = new Uint8Array(TELEPHONE_EVENT_LENGTH);
  out[0] = e.event;
  out[1] = (e.end ? 0x80 : 0) | e.volume;
  out[2] = e.duration >> 8;
  out[3] = e.duration & 0xff;
  return ok(out, TELEPHONE_EVENT_LENGTH);
}
