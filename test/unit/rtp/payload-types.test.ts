import { describe, expect, it } from 'vitest';
import {
  STATIC_PAYLOAD_TYPES,
  isRtcpConflictPayloadType,
  isTelephoneEventName,
  staticPayloadType,
  tsharkPayloadName,
} from '../../../src/lib/rtp/payload-types.js';

describe('RFC 3551 static payload types', () => {
  it('gives name, clock rate and channels for the VoIP codecs', () => {
    expect(staticPayloadType(0)).toMatchObject({ name: 'g711U', clockRate: 8000, channels: 1 });
    expect(staticPayloadType(8)).toMatchObject({ name: 'g711A', clockRate: 8000, channels: 1 });
    expect(staticPayloadType(18)).toMatchObject({ name: 'g729', clockRate: 8000, channels: 1 });
    expect(staticPayloadType(3)).toMatchObject({ name: 'GSM', clockRate: 8000 });
    expect(staticPayloadType(9)).toMatchObject({ name: 'g722', clockRate: 8000 }); // RFC 3551 §4.5.2
    expect(staticPayloadType(13)).toMatchObject({ name: 'CN', clockRate: 8000 });
    expect(staticPayloadType(10)).toMatchObject({ clockRate: 44100, channels: 2 });
    expect(staticPayloadType(34)).toMatchObject({ name: 'h263', clockRate: 90000, channels: 0 });
  });

  it('knows nothing of unassigned, RTCP-conflict and dynamic types', () => {
    for (const pt of [20, 24, 27, 29, 30, 35, 71, 72, 76, 77, 95, 96, 101, 127]) expect(staticPayloadType(pt)).toBeUndefined();
    expect([71, 72, 76, 77].map(isRtcpConflictPayloadType)).toEqual([false, true, true, false]);
  });

  // The Payload column tshark 4.0.17 printed for one generated stream per payload type.
  it('names payload types as tshark rtp,streams does', () => {
    const tshark: Record<number, string> = {
      0: 'g711U', 1: 'fs-1016', 2: 'g721', 3: 'GSM', 4: 'g723', 5: 'DVI4 8k', 6: 'DVI4 16k', 7: 'Exp. from Xerox PARC',
      8: 'g711A', 9: 'g722', 10: '16-bit audio, stereo', 11: '16-bit audio, monaural', 12: 'Qualcomm', 13: 'CN',
      14: 'MPEG-I/II Audio', 15: 'g728', 16: 'DVI4 11k', 17: 'DVI4 22k', 18: 'g729', 19: 'CN(old)', 20: 'Unassigned',
      25: 'CellB', 26: 'JPEG', 27: 'Unassigned', 28: 'NV', 31: 'h261', 32: 'MPEG-I/II Video', 33: 'MPEG-II streams',
      34: 'h263', 35: 'Unassigned', 95: 'Unassigned', 96: 'RTPType-96', 98: 'RTPType-98', 99: 'rtp.rfc2198',
      100: 'rtpevent', 101: 'rtpevent', 127: 'RTPType-127',
    };
    for (const [pt, name] of Object.entries(tshark)) expect(tsharkPayloadName(Number(pt)), `PT ${pt}`).toBe(name);
    expect(tsharkPayloadName(101, 'telephone-event')).toBe('telephone-event');
    expect(tsharkPayloadName(99, 'opus')).toBe('opus');
    expect(tsharkPayloadName(8, 'PCMA')).toBe('g711A');
  });

  it('table is frozen and every entry has a positive clock', () => {
    expect(Object.isFrozen(STATIC_PAYLOAD_TYPES)).toBe(true);
    for (const e of Object.values(STATIC_PAYLOAD_TYPES)) expect(e.clockRate).toBeGreaterThan(0);
  });

  it('recognises telephone-event names case-insensitively', () => {
    expect(isTelephoneEventName('telephone-event')).toBe(true);
    expect(isTelephoneEventName('TELEPHONE-EVENT')).toBe(true);
    expect(isTelephoneEventName('rtpevent')).toBe(false);
  });
});
