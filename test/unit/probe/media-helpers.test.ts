import { describe, expect, it } from 'vitest';
import { alawToLinear, encodeG711, linearToAlaw, linearToUlaw, LoopSource, ToneSource, ulawToLinear } from '../../../src/lib/probe/g711.js';
import { decodeWav } from '../../../src/lib/probe/wav.js';
import { pace, type PacerClock } from '../../../src/lib/probe/pacer.js';
import { summarizeRtts } from '../../../src/lib/probe/ping-stats.js';
import { parseDurationMs } from '../../../src/lib/probe/duration.js';

describe('G.711', () => {
  it('encodes the reference points of G.711', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToUlaw(-1)).toBe(0x7f);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
  });
  it('round trips within the quantisation step of each segment', () => {
    for (let s = -32768; s <= 32767; s += 37) {
      const step = Math.max(16, Math.abs(s) / 16);
      expect(Math.abs(ulawToLinear(linearToUlaw(s)) - s)).toBeLessThanOrEqual(step + 132);
      expect(Math.abs(alawToLinear(linearToAlaw(s)) - s)).toBeLessThanOrEqual(step + 16);
    }
    for (let o = 0; o < 256; o++) {
      expect(linearToUlaw(ulawToLinear(o))).toBe(o === 0x7f ? 0xff : o);
      expect(linearToAlaw(alawToLinear(o))).toBe(o);
    }
  });
  it('the tone is continuous across frames and at the asked level', () => {
    const t = new ToneSource(1004, 8000);
    const a = t.next(160);
    const b = t.next(160);
    const whole = new ToneSource(1004, 8000).next(320);
    expect([...a, ...b]).toEqual([...whole]);
    expect(Math.max(...whole)).toBeGreaterThan(7900);
    const pcmu = encodeG711(a, 'ulaw');
    expect(pcmu.length).toBe(160);
    expect(new LoopSource(new Int16Array([1, 2, 3])).next(5)).toEqual(new Int16Array([1, 2, 3, 1, 2]));
  });
});

function wav(opts: { rate?: number; channels?: number; bits?: number; tag?: number; samples?: number[] } = {}): Uint8Array {
  const samples = opts.samples ?? [0, 1000, -1000];
  const bits = opts.bits ?? 16;
  const data = samples.length * (bits / 8);
  const buf = Buffer.alloc(44 + data);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + data, 4);
  buf.write('WAVE', 8);
  buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(opts.tag ?? 1, 20);
  buf.writeUInt16LE(opts.channels ?? 1, 22);
  buf.writeUInt32LE(opts.rate ?? 8000, 24);
  buf.writeUInt32LE((opts.rate ?? 8000) * (bits / 8), 28);
  buf.writeUInt16LE(bits / 8, 32);
  buf.writeUInt16LE(bits, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(data, 40);
  if (bits === 16) samples.forEach((s, i) => buf.writeInt16LE(s, 44 + 2 * i));
  return buf;
}

describe('WAV reader', () => {
  it('reads 8 kHz mono 16-bit PCM', () => {
    const r = decodeWav(wav());
    expect(r.ok && [...r.samples]).toEqual([0, 1000, -1000]);
  });
  it('refuses anything else with a clear message', () => {
    const r = decodeWav(wav({ rate: 44100 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/8000 Hz mono 16-bit PCM.*44100 Hz.*sox/);
    expect(decodeWav(wav({ channels: 2 })).ok).toBe(false);
    expect(decodeWav(wav({ bits: 8 })).ok).toBe(false);
    expect(decodeWav(new TextEncoder().encode('ID3 not a wav')).ok).toBe(false);
    expect(decodeWav(wav().subarray(0, 30)).ok).toBe(false);
  });
});

describe('pacer', () => {
  it('keeps absolute deadlines: a late tick does not shift the next ones', async () => {
    let now = 0n;
    const wakes: bigint[] = [];
    const clock: PacerClock = {
      nowNs: () => now,
      sleepUntil: async (d) => {
        // every wake-up is 3 ms late, tick 2 is 15 ms late
        now = d + (d === 40_000_000n ? 15_000_000n : 3_000_000n);
      },
    };
    const ticks: number[] = [];
    const s = await pace({ startNs: 0n, periodNs: 20_000_000n, count: 5, clock, onTick: (k) => { ticks.push(k); wakes.push(now); } });
    expect(ticks).toEqual([0, 1, 2, 3, 4]);
    expect(wakes).toEqual([0n, 23_000_000n, 55_000_000n, 63_000_000n, 83_000_000n]);
    expect(s.maxLateNs).toBe(15_000_000n);
  });
  it('stops when aborted', async () => {
    const ac = new AbortController();
    let now = 0n;
    const clock: PacerClock = { nowNs: () => now, sleepUntil: async (d) => { now = d; } };
    const s = await pace({ startNs: 0n, periodNs: 1n, count: 100, clock, signal: ac.signal, onTick: (k) => { if (k === 9) ac.abort(); } });
    expect(s.ticks).toBe(10);
  });
});

describe('ping summary', () => {
  it('min/avg/max/mdev/jitter like ping', () => {
    const s = summarizeRtts(5, [1, 2, null, 4, 3]);
    expect(s).toEqual({ sent: 5, answered: 4, lossPct: 20, rttMs: { min: 1, avg: 2.5, max: 4, mdev: 1.118 }, jitterMs: 1.333 });
    expect(summarizeRtts(2, [null, null])).toEqual({ sent: 2, answered: 0, lossPct: 100, rttMs: null, jitterMs: null });
  });
  it('durations', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('2')).toBe(2000);
    expect(parseDurationMs('1m')).toBe(60000);
    expect(parseDurationMs('soon')).toBeNull();
  });
});
