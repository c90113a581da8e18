/**
 * Synthetic VoIP capture generator: deterministic (seeded) SIP + RTP traffic between a PBX and
 * phones, written as a classic pcap with a ground-truth JSON. Used by `npm run bench`
 * (bench/gen-capture.js) and by tests that need a realistic capture of a known content.
 */
export { GENERATOR_NAME, GENERATOR_VERSION, generateCaptureFile, writeCapture } from './generate.js';
export type { GenerateFileResult, GenerateProgress, WriteCaptureOptions } from './generate.js';
export { CAPTURE_START_EPOCH_SEC, resolveScenario } from './scenario.js';
export type { CaptureScenario, CaptureScenarioInput } from './scenario.js';
export { STANDARD_CAPTURES, isStandardCaptureSize } from './sizes.js';
export type { StandardCaptureSize } from './sizes.js';
export type { CallOutcome, CallTruth, CaptureTruth, RegistrationTruth, RtpStreamTruth } from './truth.js';
export { Prng } from './prng.js';
