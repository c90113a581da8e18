import { describe, expect, it } from 'vitest';
import { CODECS, findCodec, knownCodecIds, normaliseCodecName, unknownCodecMessage } from '../../../src/lib/mos/codecs.js';

describe('G.113 codec table', () => {
  it.each([
    { id: 'g711', ie: 0, bpl: 25.1, bplNoPlc: 4.3 },
    { id: 'g729a', ie: 11, bpl: 19, bplNoPlc: null },
    { id: 'g723-6.3', ie: 15, bpl: 16.1, bplNoPlc: null },
    { id: 'g723-5.3', ie: 19 },
    { id: 'g726-40', ie: 2 },
    { id: 'g726-32', ie: 7 },
    { id: 'g726-24', ie: 25 },
    { id: 'g726-16', ie: 50 },
    { id: 'gsm-fr', ie: 20 },
    { id: 'gsm-efr', ie: 5, bpl: 10 },
  ])('$id carries the G.113 Appendix I values', ({ id, ie, bpl, bplNoPlc }) => {
    const c = findCodec(id);
    expect(c?.ie).toBe(ie);
    if (bpl !== undefined) expect(c?.bpl).toBe(bpl);
    if (bplNoPlc !== undefined) expect(c?.bplNoPlc).toBe(bplNoPlc);
  });

  it('every entry cites its source and explains derived values', () => {
    const ids = new Set<string>();
    for (const c of CODECS) {
      expect(ids.has(c.id)).toBe(false);
      ids.add(c.id);
      expect(c.source).toMatch(/G\.113|no (official )?G\.113 value/);
      if (c.provenance === 'derived') expect(c.note?.length ?? 0).toBeGreaterThan(40);
      expect(c.bpl).toBeGreaterThan(0);
      expect(c.ie).toBeGreaterThanOrEqual(0);
    }
  });

  it('documents the G.722 and Opus choices', () => {
    expect(findCodec('g722')?.provenance).toBe('derived');
    expect(findCodec('g722')?.note).toMatch(/narrowband/);
    expect(findCodec('opus')?.provenance).toBe('derived');
    expect(findCodec('opus')?.note).toMatch(/no Ie\/Bpl/);
  });
});

describe('codec lookup', () => {
  it.each([
    // tshark rtp,streams payload names
    ['g711U', 'g711'],
    ['g711A', 'g711'],
    ['g729', 'g729a'],
    ['g722', 'g722'],
    ['G722', 'g722'],
    ['g723', 'g723-6.3'],
    ['GSM', 'gsm-fr'],
    ['opus', 'opus'],
    ['g711A, CN', 'g711'],
    // SDP rtpmap encoding names
    ['PCMU', 'g711'],
    ['PCMA/8000', 'g711'],
    ['G729', 'g729a'],
    ['G726-32', 'g726-32'],
    ['AAL2-G726-24', 'g726-24'],
    ['GSM-EFR', 'gsm-efr'],
    ['iLBC', 'ilbc'],
    ['opus/48000/2', 'opus'],
    // spellings
    ['G.711', 'g711'],
    ['G.729A+VAD', 'g729a'],
    ['ITU-T G.711 PCMU', 'g711'],
    ['g723-5.3', 'g723-5.3'],
  ])('%s → %s', (name, id) => {
    expect(findCodec(name)?.id).toBe(id);
  });

  it.each(['CN', 'telephone-event', 'rtpevent', 'AMR', 'speex', ''])('%s is unknown', (name) => {
    expect(findCodec(name)).toBeUndefined();
  });

  it('normalises names', () => {
    expect(normaliseCodecName('G.729A+VAD')).toBe('g729avad');
    expect(normaliseCodecName('G726-32/8000')).toBe('g72632');
  });

  it('the unknown-codec message names the codec and lists the known ones', () => {
    const msg = unknownCodecMessage('foo');
    expect(msg).toContain('"foo"');
    for (const id of knownCodecIds()) expect(msg).toContain(id);
    expect(msg).not.toContain('\n');
  });
});
