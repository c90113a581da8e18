/**
 * E-model MOS for voipdiag: ITU-T G.107 rating, G.113 codec table, jitter-buffer model, and
 * `computeMos`, the per-stream helper every command uses.
 */
export {
  computeMos,
  checkMosInput,
  describeMosInputProblem,
  measuredLossPct,
  qualityBand,
  roundNumbers,
  DOMINANT_MIN_R,
  type Dominant,
  type Impairment,
  type MosInput,
  type MosInputProblem,
  type MosResult,
  type QualityBand,
} from './compute.js';
export {
  CODECS,
  findCodec,
  knownCodecIds,
  normaliseCodecName,
  unknownCodecMessage,
  type CodecProfile,
} from './codecs.js';
export {
  absoluteDelayImpairment,
  delayImpairment,
  eModel,
  effectiveEquipmentImpairment,
  rToMos,
  G107_DEFAULTS,
  type EModelParams,
  type EModelResult,
  type EModelTerms,
} from './e-model.js';
export {
  ADAPTIVE_JITTER_BUFFER,
  DEFAULT_JITTER_BUFFER,
  effectiveLossPct,
  jitterBufferOutcome,
  laplaceScaleMs,
  parseJitterBufferSpec,
  type JitterBufferOutcome,
  type JitterBufferSpec,
} from './jitter-buffer.js';
