import { usageError, type Warning } from '../errors.js';
import {
  checkMosInput,
  computeMos,
  findCodec,
  parseJitterBufferSpec,
  roundNumbers,
  unknownCodecMessage,
  type MosInput,
  type MosInputProblem,
  type MosResult,
} from '../mos/index.js';

/** `voipdiag mos` options, as typed on the command line (numbers are parsed and checked here). */
export interface MosTaskOptions {
  codec: string;
  /** Network one-way delay, ms. */
  delay?: string;
  /** Mean interarrival jitter, ms. */
  jitter?: string;
  /** Packet loss, percent. */
  loss?: string;
  burstRatio?: string;
  /** 'adaptive' | 'fixed50' | 'fixed200' | a size in ms. */
  jitterBuffer?: string;
  plc: boolean;
  /** Packetisation interval, ms (default: the codec's usual ptime). */
  ptime?: string;
  /** Known mouth-to-ear delay, ms (replaces delay + buffer + ptime + look-ahead). */
  mouthToEar?: string;
}

export interface MosTaskOutput {
  result: MosResult;
  warnings: Warning[];
}

const FLAG_OF: Record<MosInputProblem['field'], string> = {
  codec: 'codec',
  lossPct: 'loss',
  burstRatio: 'burst-ratio',
  jitterMs: 'jitter',
  oneWayDelayMs: 'delay',
  jitterBuffer: 'jitter-buffer',
  packetisationMs: 'ptime',
  mouthToEarMs: 'mouth-to-ear',
};

/** "150", "150ms", "2%", "2.5" → number; anything else is a usage error naming the flag. */
function parseNumberFlag(flag: string, text: string | undefined, unit: 'ms' | '%' | ''): number | undefined {
  if (text === undefined) return undefined;
  const body = text.trim().toLowerCase();
  const stripped = unit !== '' && body.endsWith(unit) ? body.slice(0, -unit.length).trim() : body;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(stripped)) {
    throw usageError('MOS_NOT_A_NUMBER', `--${flag} must be a number${unit ? ` (${unit})` : ''}, got "${text}"`);
  }
  return Number(stripped);
}

/** Command-line options → a validated `MosInput`; every problem is a one-line usage error. */
export function buildMosInput(opts: MosTaskOptions): MosInput {
  if (findCodec(opts.codec) === undefined) throw usageError('UNKNOWN_CODEC', unknownCodecMessage(opts.codec));
  const jitterBuffer = opts.jitterBuffer === undefined ? undefined : parseJitterBufferSpec(opts.jitterBuffer);
  if (opts.jitterBuffer !== undefined && jitterBuffer === undefined) {
    throw usageError(
      'MOS_BAD_JITTER_BUFFER',
      `--jitter-buffer must be adaptive, fixed50, fixed200 or a size in ms, got "${opts.jitterBuffer}"`,
    );
  }
  const input: MosInput = {
    codec: opts.codec,
    lossPct: parseNumberFlag('loss', opts.loss, '%') ?? 0,
    burstRatio: parseNumberFlag('burst-ratio', opts.burstRatio, ''),
    jitterMs: parseNumberFlag('jitter', opts.jitter, 'ms'),
    oneWayDelayMs: parseNumberFlag('delay', opts.delay, 'ms'),
    jitterBuffer,
    plc: opts.plc,
    packetisationMs: parseNumberFlag('ptime', opts.ptime, 'ms'),
    mouthToEarMs: parseNumberFlag('mouth-to-ear', opts.mouthToEar, 'ms'),
  };
  const problem = checkMosInput(input)[0];
  if (problem) {
    throw usageError('MOS_OUT_OF_RANGE', `--${FLAG_OF[problem.field]} must be ${problem.expected}, got ${String(problem.value)}`);
  }
  return input;
}

/** The `mos` command's one operation: parse, compute, collect warnings. Never prints. */
export function runMosTask(opts: MosTaskOptions): MosTaskOutput {
  const input = buildMosInput(opts);
  const result = roundNumbers(computeMos(input), 4);
  const warnings: Warning[] = [];
  const codec = findCodec(opts.codec);
  if (!opts.plc && result.inputs.plcBuiltIn) {
    warnings.push({
      code: 'PLC_BUILT_IN',
      message: `${result.inputs.codecName} always conceals lost frames in its decoder; --no-plc has no effect`,
    });
  }
  if (codec?.provenance === 'derived' && codec.note !== undefined) {
    warnings.push({ code: 'CODEC_VALUES_DERIVED', message: `${codec.name}: ${codec.note}` });
  }
  if (result.jitterBuffer.discardPct >= 1) {
    warnings.push({
      code: 'JITTER_BUFFER_DISCARDS',
      message: `the ${result.jitterBuffer.name} jitter buffer discards ${result.jitterBuffer.discardPct.toFixed(1)} % of packets at ${result.inputs.jitterMs} ms jitter`,
    });
  }
  return { result, warnings };
}
