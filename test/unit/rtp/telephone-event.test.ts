import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTelephoneEvent,
  encodeTelephoneEvent,
  telephoneEventFromWord,
  telephoneEventName,
} from '../../../src/lib/rtp/telephone-event.js';
import { hex } from '../../helpers/hex.js';

describe('RFC 4733 telephone-event', () => {
  it('decodes the end packet of digit 1 (rtp-only-rfc2833-dtmf-digit-1.pcap, frame 8)', () => {
    const r = decodeTelephoneEvent(hex`
      01        // event 1
      8a        // E=1 R=0 volume 10
      08c0      // duration 2240 (280 ms at 8000 Hz)
    `);
    expect(r.ok && r.value).toEqual({ event: 1, end: true, volume: 10, duration: 2240 });
    expect(telephoneEventFromWord(0x018a08c0)).toEqual({ event: 1, end: true, volume: 10, duration: 2240 });
  });

  it('names DTMF events', () => {
    expect([0, 9, 10, 11, 12, 15, 16, 200].map(telephoneEventName)).toEqual(['0', '9', '*', '#', 'A', 'D', 'flash', 'event-200']);
  });

  it('truncation gives exact need/have', () => {
    for (let cut = 0; cut < 4; cut++) {
      const r = decodeTelephoneEvent(new Uint8Array(cut));
      expect(r.ok ? null : r.error).toMatchObject({ code: 'TRUNCATED', need: 4, have: cut });
    }
  });

  it('round trips and refuses out-of-range fields', () => {
    fc.assert(
      fc.property(
        fc.record({ event: fc.integer({ min: 0, max: 255 }), end: fc.boolean(), volume: fc.integer({ min: 0, max: 63 }), duration: fc.integer({ min: 0, max: 0xffff }) }),
        (e) => {
          const b = encodeTelephoneEvent(e);
          expect(b.ok).toBe(true);
          if (b.ok) expect(decodeTelephoneEvent(b.value)).toMatchObject({ ok: true, value: e });
        },
      ),
    );
    expect(encodeTelephoneEvent({ event: 1, end: false, volume: 64, duration: 0 }).ok).toBe(false);
  });
});
