/**
 * Codec impairment table for the E-model: equipment impairment factor Ie and packet-loss
 * robustness factor Bpl.
 *
 * Registry: ITU-T G.113 (11/2007) Appendix I, "Provisional planning values for the equipment
 * impairment factor Ie and packet-loss robustness factor Bpl":
 *   - Table I.1 gives Ie for codecs under error-free conditions;
 *   - Table I.3 gives Ie and Bpl for the codecs whose loss behaviour was measured
 *     (G.711 with and without the G.711 Appendix I concealment, G.723.1+VAD 6.3 kbit/s,
 *     G.729A+VAD, GSM-EFR).
 * `source` says which table each number comes from. Where G.113 has no value (Bpl for most codecs,
 * G.722 on the narrowband scale, iLBC, Opus) the entry says `derived` and `note` states the choice
 * and its basis, so a reader can disagree with it knowingly.
 *
 * Delays: `frameMs` and `lookaheadMs` are the codec's own algorithmic figures (from its
 * specification); `ptimeMs` is the packetisation most deployments use (RFC 3551 defaults, or the
 * codec's RTP payload RFC). Mouth-to-ear delay adds ptime + lookahead (see jitter-buffer.ts).
 */

export interface CodecProfile {
  /** Stable identifier used in JSON output and on the command line. */
  readonly id: string;
  /** Human name, e.g. "G.729A (+VAD)". */
  readonly name: string;
  /** Bit rate in kbit/s; null for variable-rate codecs. */
  readonly bitrateKbps: number | null;
  /** Equipment impairment factor Ie (narrowband R scale). */
  readonly ie: number;
  /** Bpl with packet-loss concealment (built into the decoder, or added by the receiver). */
  readonly bpl: number;
  /** Bpl when the receiver applies no concealment; null when concealment is part of the decoder. */
  readonly bplNoPlc: number | null;
  /** Codec frame length, ms (sample-based codecs: 0). */
  readonly frameMs: number;
  /** Encoder look-ahead, ms. */
  readonly lookaheadMs: number;
  /** Usual packetisation interval (RTP ptime), ms. */
  readonly ptimeMs: number;
  /** Whether the values are straight from G.113 ('G.113') or partly our choice ('derived'). */
  readonly provenance: 'G.113' | 'derived';
  /** Where the numbers come from. */
  readonly source: string;
  /** For derived values: the choice made and why. */
  readonly note?: string;
}

const G711_NOTE_BPL =
  'Bpl borrowed from G.711 (G.113 Table I.3: 25.1 with G.711 Appendix I concealment, 4.3 without)';

/** The table. Order is the order in which `voipdiag mos` lists known codecs. */
export const CODECS: readonly CodecProfile[] = Object.freeze([
  {
    id: 'g711',
    name: 'G.711 (PCMU/PCMA)',
    bitrateKbps: 64,
    ie: 0,
    bpl: 25.1,
    bplNoPlc: 4.3,
    frameMs: 0,
    lookaheadMs: 0,
    ptimeMs: 20,
    provenance: 'G.113',
    source: 'G.113 Table I.1 (Ie); Table I.3 (Bpl 25.1 with G.711 Appendix I PLC, 4.3 without)',
  },
  {
    id: 'g722',
    name: 'G.722 (64 kbit/s wideband)',
    bitrateKbps: 64,
    ie: 0,
    bpl: 25.1,
    bplNoPlc: 4.3,
    frameMs: 0,
    lookaheadMs: 0,
    ptimeMs: 20,
    provenance: 'derived',
    source: 'G.113 Appendix IV (Ie,WB 13 for G.722 vs 36 for G.711 on the wideband scale)',
    note:
      'Ie 0 on the narrowband scale: G.113 Appendix IV rates G.722 better than G.711 (Ie,WB 13 vs 36), ' +
      'and the narrowband E-model has no negative Ie to express quality above G.711, so G.722 maps to ' +
      'max(0, Ie,WB − 36) = 0, the same rating as G.711 (MOS-CQE is a narrowband scale). ' +
      `${G711_NOTE_BPL}: G.722 Appendix III/IV concealment is waveform extrapolation like G.711 Appendix I. ` +
      'QMF filter delay (a few ms) is not counted.',
  },
  {
    id: 'g723-6.3',
    name: 'G.723.1 6.3 kbit/s (+VAD)',
    bitrateKbps: 6.3,
    ie: 15,
    bpl: 16.1,
    bplNoPlc: null,
    frameMs: 30,
    lookaheadMs: 7.5,
    ptimeMs: 30,
    provenance: 'G.113',
    source: 'G.113 Table I.1 (Ie); Table I.3 (Bpl, G.723.1+VAD 6.3 kbit/s)',
  },
  {
    id: 'g723-5.3',
    name: 'G.723.1 5.3 kbit/s',
    bitrateKbps: 5.3,
    ie: 19,
    bpl: 16.1,
    bplNoPlc: null,
    frameMs: 30,
    lookaheadMs: 7.5,
    ptimeMs: 30,
    provenance: 'derived',
    source: 'G.113 Table I.1 (Ie)',
    note: 'Bpl borrowed from G.723.1+VAD 6.3 kbit/s (G.113 Table I.3: 16.1), same decoder concealment.',
  },
  ...(
    [
      [40, 2],
      [32, 7],
      [24, 25],
      [16, 50],
    ] as const
  ).map(
    ([kbps, ie]): CodecProfile => ({
      id: `g726-${kbps}`,
      name: `G.726 ADPCM ${kbps} kbit/s`,
      bitrateKbps: kbps,
      ie,
      bpl: 25.1,
      bplNoPlc: 4.3,
      frameMs: 0,
      lookaheadMs: 0,
      ptimeMs: 20,
      provenance: 'derived',
      source: 'G.113 Table I.1 (Ie)',
      note: `${G711_NOTE_BPL}: receivers conceal G.726 losses on the decoded PCM signal.`,
    }),
  ),
  {
    id: 'g729a',
    name: 'G.729A (+VAD)',
    bitrateKbps: 8,
    ie: 11,
    bpl: 19,
    bplNoPlc: null,
    frameMs: 10,
    lookaheadMs: 5,
    ptimeMs: 20,
    provenance: 'G.113',
    source: 'G.113 Table I.1 and Table I.3 (G.729A+VAD: Ie 11, Bpl 19.0)',
  },
  {
    id: 'ilbc',
    name: 'iLBC (30 ms mode)',
    bitrateKbps: 13.33,
    ie: 11,
    bpl: 19,
    bplNoPlc: null,
    frameMs: 30,
    lookaheadMs: 10,
    ptimeMs: 30,
    provenance: 'derived',
    source: 'no G.113 value',
    note:
      'G.113 has no iLBC entry; the G.729A+VAD values (Ie 11, Bpl 19) of the same narrowband bit-rate ' +
      'class are used as a stand-in. RFC 3951 designs iLBC for graceful degradation under frame loss ' +
      '(frames coded independently), so these values under-rate it under loss rather than over-rate it.',
  },
  {
    id: 'gsm-fr',
    name: 'GSM-FR (GSM 06.10)',
    bitrateKbps: 13,
    ie: 20,
    bpl: 10,
    bplNoPlc: null,
    frameMs: 20,
    lookaheadMs: 0,
    ptimeMs: 20,
    provenance: 'derived',
    source: 'G.113 Table I.1 (Ie)',
    note: 'Bpl borrowed from GSM-EFR (G.113 Table I.3: 10.0), same GSM 06.11-style frame substitution.',
  },
  {
    id: 'gsm-efr',
    name: 'GSM-EFR (GSM 06.60)',
    bitrateKbps: 12.2,
    ie: 5,
    bpl: 10,
    bplNoPlc: null,
    frameMs: 20,
    lookaheadMs: 0,
    ptimeMs: 20,
    provenance: 'G.113',
    source: 'G.113 Table I.1 and Table I.3 (GSM-EFR: Ie 5, Bpl 10.0)',
  },
  {
    id: 'opus',
    name: 'Opus',
    bitrateKbps: null,
    ie: 0,
    bpl: 25.1,
    bplNoPlc: null,
    frameMs: 20,
    lookaheadMs: 6.5,
    ptimeMs: 20,
    provenance: 'derived',
    source: 'no official G.113 value',
    note:
      'ITU-T publishes no Ie/Bpl for Opus. At VoIP bit rates (wideband or better, 16 kbit/s and up) ' +
      'Opus is rated at least as good as G.711 in published listening tests, so it takes the G.711 ' +
      'values with concealment (Ie 0, Bpl 25.1): its decoder PLC is credited like G.711 Appendix I, and ' +
      'in-band FEC is not credited. Look-ahead 6.5 ms (26.5 ms algorithmic delay at 20 ms frames, RFC 6716).',
  },
]);

/**
 * Names seen in the wild → codec id: tshark `rtp,streams` payload names (g711U, g711A, g729,
 * g722, g723, GSM…), SDP rtpmap encoding names (PCMU, PCMA, G729, G722, G723, G726-32,
 * AAL2-G726-32, GSM, GSM-EFR, iLBC, opus), RFC 3551 names and common spellings. Keys are
 * normalised (see `normaliseCodecName`).
 */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  g711: 'g711',
  pcmu: 'g711',
  pcma: 'g711',
  g711u: 'g711',
  g711a: 'g711',
  g711ulaw: 'g711',
  g711alaw: 'g711',
  g711mulaw: 'g711',
  ulaw: 'g711',
  mulaw: 'g711',
  alaw: 'g711',
  g711pcmu: 'g711',
  g711pcma: 'g711',
  g722: 'g722',
  g723: 'g723-6.3',
  g7231: 'g723-6.3',
  g72363: 'g723-6.3',
  g723163: 'g723-6.3',
  g7231vad: 'g723-6.3',
  g72353: 'g723-5.3',
  g723153: 'g723-5.3',
  g721: 'g726-32',
  g726: 'g726-32',
  g72640: 'g726-40',
  g72632: 'g726-32',
  g72624: 'g726-24',
  g72616: 'g726-16',
  aal2g72640: 'g726-40',
  aal2g72632: 'g726-32',
  aal2g72624: 'g726-24',
  aal2g72616: 'g726-16',
  g729: 'g729a',
  g729a: 'g729a',
  g729b: 'g729a',
  g729ab: 'g729a',
  g729avad: 'g729a',
  ilbc: 'ilbc',
  gsm: 'gsm-fr',
  gsmfr: 'gsm-fr',
  gsm0610: 'gsm-fr',
  gsm610: 'gsm-fr',
  gsmefr: 'gsm-efr',
  gsm0660: 'gsm-efr',
  efr: 'gsm-efr',
  opus: 'opus',
});

const BY_ID: ReadonlyMap<string, CodecProfile> = new Map(CODECS.map((c) => [c.id, c]));

/**
 * Lower-case; drop an "ITU-T" prefix, an SDP clock-rate suffix ("PCMU/8000"), and every space,
 * dot, hyphen, underscore and plus: "G.729A+VAD" → "g729avad", "G726-32" → "g72632".
 */
export function normaliseCodecName(name: string): string {
  const head = name.split('/')[0] ?? '';
  return head
    .toLowerCase()
    .replace(/^\s*itu-?t\s+/, '')
    .replace(/[\s._+-]/g, '');
}

/**
 * Find a codec by id, tshark payload name, SDP encoding name or common spelling. A
 * comma-separated tshark payload column ("g711A, CN") resolves to its first known codec.
 * Returns undefined for unknown names (CN, telephone-event, AMR…).
 */
export function findCodec(name: string): CodecProfile | undefined {
  for (const part of name.split(',')) {
    const trimmed = part.trim();
    const direct = BY_ID.get(trimmed.toLowerCase());
    if (direct) return direct;
    const id = ALIASES[normaliseCodecName(trimmed)];
    if (id !== undefined) return BY_ID.get(id);
  }
  return undefined;
}

/** Ids of every known codec, in table order. */
export function knownCodecIds(): string[] {
  return CODECS.map((c) => c.id);
}

/** The one-line message for an unknown codec, listing the known ones. */
export function unknownCodecMessage(name: string): string {
  return `unknown codec "${name}"; known codecs: ${knownCodecIds().join(', ')} (also PCMU, PCMA, g711U, g711A, G729, GSM, iLBC…)`;
}
