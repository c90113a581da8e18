/**
 * ITU-T G.711 companding, 16-bit linear PCM ↔ 8-bit µ-law (PCMU, RTP PT 0) and A-law (PCMA,
 * PT 8), computed segment by segment from the Recommendation's tables (no lookup tables needed
 * at 8000 samples/s), and the probe's test tone.
 */

const ULAW_BIAS = 0x84; // 132: added before the segment search (G.711 Table 2)
const ULAW_CLIP = 32635;

/** 16-bit signed linear sample → µ-law octet. */
export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** µ-law octet → 16-bit signed linear sample. */
export function ulawToLinear(octet: number): number {
  const u = ~octet & 0xff;
  let t = ((u & 0x0f) << 3) + ULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

/** 16-bit signed linear sample → A-law octet (even bits inverted: XOR 0x55). */
export function linearToAlaw(sample: number): number {
  const s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const positive = s >= 0;
  const magnitude = (positive ? s : -s - 1) >> 3; // 13-bit magnitude, 0–4095
  let code: number;
  if (magnitude < 32) {
    code = magnitude >> 1; // segment 0: 16 steps of 2
  } else {
    let segment = 1;
    while (segment < 7 && magnitude >= 64 << (segment - 1)) segment++;
    code = (segment << 4) | ((magnitude >> segment) & 0x0f);
  }
  return (positive ? code | 0x80 : code) ^ 0x55;
}

/** A-law octet → 16-bit signed linear sample. */
export function alawToLinear(octet: number): number {
  const a = octet ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

export type G711Law = 'ulaw' | 'alaw';

export function encodeG711(samples: Int16Array | readonly number[], law: G711Law, out?: Uint8Array): Uint8Array {
  const dst = out ?? new Uint8Array(samples.length);
  const enc = law === 'ulaw' ? linearToUlaw : linearToAlaw;
  for (let i = 0; i < samples.length; i++) dst[i] = enc(samples[i] ?? 0);
  return dst;
}

/**
 * A continuous sine tone at 8000 samples/s, produced frame by frame with no phase jump between
 * frames (the sample index keeps counting). 1004 Hz is the usual telephony test tone
 * (it avoids sub-multiples of the 8 kHz sampling rate).
 */
export class ToneSource {
  private n = 0;
  constructor(
    private readonly frequencyHz = 1004,
    /** Peak amplitude in linear 16-bit units (8000 ≈ −12 dBm0). */
    private readonly amplitude = 8000,
    private readonly sampleRate = 8000,
  ) {}

  next(samples: number): Int16Array {
    const out = new Int16Array(samples);
    const w = (2 * Math.PI * this.frequencyHz) / this.sampleRate;
    for (let i = 0; i < samples; i++) out[i] = Math.round(this.amplitude * Math.sin(w * (this.n + i)));
    this.n += samples;
    return out;
  }
}

/** Plays a fixed buffer of samples in a loop, frame by frame. */
export class LoopSource {
  private at = 0;
  constructor(private readonly samples: Int16Array) {}

  next(count: number): Int16Array {
    const out = new Int16Array(count);
    if (this.samples.length === 0) return out;
    for (let i = 0; i < count; i++) {
      out[i] = this.samples[this.at] ?? 0;
      this.at = (this.at + 1) % this.samples.length;
    }
    return out;
  }
}
