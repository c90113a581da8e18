/**
 * The three standard benchmark captures. Parameters match the reference sizes used for
 * performance work (small ≈ 51 k packets / 12 MB, medium ≈ 1.0 M / 240 MB, large ≈ 5.2 M /
 * 1.2 GB); the exact counts are whatever this generator produces for them (see the truth file).
 */
import type { CaptureScenarioInput } from './scenario.js';

export type StandardCaptureSize = 'small' | 'medium' | 'large';

export const STANDARD_CAPTURES: Readonly<Record<StandardCaptureSize, CaptureScenarioInput>> = {
  small: { calls: 70, cps: 2, talkSec: 10, lossRatio: 0.005, jitterMs: 5, seed: 1 },
  medium: { calls: 660, cps: 5, talkSec: 20, lossRatio: 0.005, jitterMs: 5, seed: 2 },
  large: { calls: 2190, cps: 10, talkSec: 30, lossRatio: 0.005, jitterMs: 5, seed: 3 },
};

export function isStandardCaptureSize(name: string): name is StandardCaptureSize {
  return Object.hasOwn(STANDARD_CAPTURES, name);
}
