import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_JITTER_BUFFER,
  effectiveLossPct,
  jitterBufferOutcome,
  laplaceScaleMs,
  parseJitterBufferSpec,
  type JitterBufferSpec,
} from '../../../src/lib/mos/jitter-buffer.js';

const JITTERS = [0, 0.5, 1, 2, 5, 10, 15, 20, 30, 50, 80, 120, 200];

describe('Laplacian delay-variation model', () => {
  it('b = 2J/3, because E|X − Y| = 3b/2 for independent Laplacian X, Y', () => {
    expect(laplaceScaleMs(30)).toBeCloseTo(20, 10);
    // Monte-Carlo check of the identity with a deterministic generator.
    let seed = 0x9e3779b9;
    const rand = (): number => {
      // mulberry32: a small deterministic generator, good enough for a mean.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
    };
    const laplace = (b: number): number => {
      const u = rand() - 0.5;
      return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    };
    const b = 4;
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += Math.abs(laplace(b) - laplace(b));
    expect(sum / n).toBeCloseTo(1.5 * b, 1);
  });
});

describe('fixed jitter buffer', () => {
  it('discards e^(−3B/4J) of the packets and adds B/2 of delay', () => {
    const o = jitterBufferOutcome('fixed50', 20);
    expect(o).toMatchObject({ kind: 'fixed', name: 'fixed50', sizeMs: 50, delayMs: 25 });
    expect(o.discardPct).toBeCloseTo(100 * Math.exp(-(3 * 50) / (4 * 20)), 10);
    expect(jitterBufferOutcome('fixed200', 20)).toMatchObject({ sizeMs: 200, delayMs: 100 });
    expect(jitterBufferOutcome({ fixedMs: 60 }, 10)).toMatchObject({ name: 'fixed60', sizeMs: 60, delayMs: 30 });
  });

  it('discards nothing without jitter', () => {
    expect(jitterBufferOutcome('fixed50', 0).discardPct).toBe(0);
    expect(jitterBufferOutcome({ fixedMs: 0 }, 0).discardPct).toBe(0);
  });

  it('discards more as jitter grows, and less as the buffer grows', () => {
    for (const spec of ['fixed50', 'fixed200', { fixedMs: 80 }] as JitterBufferSpec[]) {
      let prev = -1;
      for (const j of JITTERS) {
        const d = jitterBufferOutcome(spec, j).discardPct;
        expect(d).toBeGreaterThanOrEqual(prev);
        prev = d;
      }
    }
    let prev = 101;
    for (let size = 0; size <= 300; size += 10) {
      const d = jitterBufferOutcome({ fixedMs: size }, 15).discardPct;
      expect(d).toBeLessThanOrEqual(prev);
      prev = d;
    }
    expect(jitterBufferOutcome('fixed200', 20).discardPct).toBeLessThan(jitterBufferOutcome('fixed50', 20).discardPct);
  });
});

describe('adaptive jitter buffer', () => {
  it('tracks 3× jitter between 20 and 200 ms', () => {
    expect(jitterBufferOutcome('adaptive', 0).delayMs).toBe(ADAPTIVE_JITTER_BUFFER.minMs);
    expect(jitterBufferOutcome('adaptive', 2).delayMs).toBe(20);
    expect(jitterBufferOutcome('adaptive', 20).delayMs).toBe(60);
    expect(jitterBufferOutcome('adaptive', 100).delayMs).toBe(ADAPTIVE_JITTER_BUFFER.maxMs);
    expect(jitterBufferOutcome('adaptive', 20).sizeMs).toBeNull();
  });

  it('discards few packets (≈ 0.56 % uncapped) and only late ones', () => {
    expect(jitterBufferOutcome('adaptive', 20).discardPct).toBeCloseTo(50 * Math.exp(-4.5), 10);
    expect(jitterBufferOutcome('adaptive', 2).discardPct).toBeLessThan(1e-4);
    expect(jitterBufferOutcome('adaptive', 20).discardPct).toBeLessThan(jitterBufferOutcome('fixed50', 20).discardPct);
  });

  it('delay and discards never fall as jitter rises', () => {
    let prevDelay = 0;
    let prevDiscard = 0;
    for (const j of JITTERS) {
      const o = jitterBufferOutcome('adaptive', j);
      expect(o.delayMs).toBeGreaterThanOrEqual(prevDelay);
      expect(o.discardPct).toBeGreaterThanOrEqual(prevDiscard - 1e-12);
      prevDelay = o.delayMs;
      prevDiscard = o.discardPct;
    }
  });
});

describe('effective loss', () => {
  it('applies discards to the packets that arrived', () => {
    expect(effectiveLossPct(0, 0)).toBe(0);
    expect(effectiveLossPct(10, 0)).toBe(10);
    expect(effectiveLossPct(0, 5)).toBe(5);
    expect(effectiveLossPct(10, 10)).toBeCloseTo(19, 10);
    expect(effectiveLossPct(100, 50)).toBe(100);
  });
});

describe('parseJitterBufferSpec', () => {
  it.each([
    ['adaptive', 'adaptive'],
    ['fixed50', 'fixed50'],
    ['FIXED200', 'fixed200'],
    ['60', { fixedMs: 60 }],
    ['60ms', { fixedMs: 60 }],
    ['fixed80', { fixedMs: 80 }],
    ['0', { fixedMs: 0 }],
  ])('%s', (text, spec) => {
    expect(parseJitterBufferSpec(text)).toEqual(spec);
  });

  it.each(['', 'big', '-10', 'fixed', 'adaptive50'])('rejects %j', (text) => {
    expect(parseJitterBufferSpec(text)).toBeUndefined();
  });
});
