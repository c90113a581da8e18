import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { VoipdiagError } from '../../../src/lib/errors.js';
import { renderMosView } from '../../../src/lib/output/mos-view.js';
import { buildMosInput, runMosTask, type MosTaskOptions } from '../../../src/lib/tasks/mos.js';
import { checkJsonSchema } from './json-schema-lite.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/mos.schema.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const base: MosTaskOptions = { codec: 'g711', plc: true };
const noColour = new Chalk({ level: 0 });

function usageErrorOf(fn: () => unknown): VoipdiagError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VoipdiagError) return err;
    throw err;
  }
  throw new Error('expected a VoipdiagError');
}

describe('mos task', () => {
  it('parses flags with units and computes', () => {
    const { result } = runMosTask({ ...base, delay: '150ms', jitter: '20', loss: '2%', burstRatio: '1.5', jitterBuffer: '60' });
    expect(result.inputs).toMatchObject({ oneWayDelayMs: 150, jitterMs: 20, lossPct: 2, burstRatio: 1.5, jitterBuffer: 'fixed60' });
    expect(result.r).toBeGreaterThan(0);
  });

  it('--mouth-to-ear reproduces the G.107 delay golden values', () => {
    expect(runMosTask({ ...base, mouthToEar: '150' }).result.r).toBeCloseTo(89.5, 1);
    expect(runMosTask({ ...base, mouthToEar: '250' }).result.r).toBeCloseTo(79.2, 1);
  });

  it('rounds numbers for a stable JSON contract', () => {
    const { result } = runMosTask({ ...base, loss: '1' });
    expect(result.r).toBe(Math.round(result.r * 1e4) / 1e4);
  });

  it.each([
    [{ delay: '-5' }, 'MOS_OUT_OF_RANGE', /^--delay must be a number of milliseconds ≥ 0, got -5$/],
    [{ loss: '150' }, 'MOS_OUT_OF_RANGE', /^--loss must be a percentage from 0 to 100, got 150$/],
    [{ burstRatio: '0.5' }, 'MOS_OUT_OF_RANGE', /^--burst-ratio must be at least 1/],
    [{ jitter: '-1' }, 'MOS_OUT_OF_RANGE', /^--jitter /],
    [{ loss: 'lots' }, 'MOS_NOT_A_NUMBER', /^--loss must be a number \(%\), got "lots"$/],
    [{ jitterBuffer: 'huge' }, 'MOS_BAD_JITTER_BUFFER', /^--jitter-buffer must be/],
    [{ codec: 'speex' }, 'UNKNOWN_CODEC', /^unknown codec "speex"; known codecs: g711, g722/],
  ] as [Partial<MosTaskOptions>, string, RegExp][])('%j → %s usage error', (flags, code, message) => {
    const err = usageErrorOf(() => buildMosInput({ ...base, ...flags }));
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  it('warns when --no-plc cannot apply, when codec values are derived, and on heavy discards', () => {
    expect(runMosTask({ ...base, codec: 'g729', plc: false }).warnings.map((w) => w.code)).toEqual(['PLC_BUILT_IN']);
    expect(runMosTask({ ...base, codec: 'opus' }).warnings.map((w) => w.code)).toEqual(['CODEC_VALUES_DERIVED']);
    expect(runMosTask({ ...base, jitter: '20', jitterBuffer: 'fixed50' }).warnings.map((w) => w.code)).toEqual([
      'JITTER_BUFFER_DISCARDS',
    ]);
    expect(runMosTask(base).warnings).toEqual([]);
  });

  it('every result matches schemas/mos.schema.json', () => {
    for (const opts of [
      base,
      { ...base, codec: 'opus', loss: '3', jitter: '12' },
      { ...base, codec: 'g723', jitterBuffer: 'fixed200', jitter: '40', delay: '80' },
      { ...base, mouthToEar: '250' },
    ]) {
      const { result, warnings } = runMosTask(opts);
      const envelope = { schemaVersion: 1, command: 'mos', status: 'ok', result, warnings };
      expect(checkJsonSchema(schema, envelope)).toEqual([]);
    }
  });

  it('the schema rejects what it should (the checker is not vacuous)', () => {
    const { result } = runMosTask(base);
    const bad = { schemaVersion: 1, command: 'mos', status: 'ok', result: { ...result, band: 'great', extra: 1 }, warnings: [] };
    const problems = checkJsonSchema(schema, bad);
    expect(problems.some((p) => p.includes('not in enum'))).toBe(true);
    expect(problems.some((p) => p.includes('undeclared property extra'))).toBe(true);
  });
});

describe('mos view', () => {
  it('shows R, MOS, band, terms and the dominant impairment', () => {
    const { result } = runMosTask({ ...base, delay: '150', jitter: '20', loss: '2' });
    const text = renderMosView(result, noColour);
    expect(text).toContain('│ R ');
    expect(text).toContain('MOS (CQE)');
    expect(text).toContain(result.r.toFixed(1));
    expect(text).toContain(result.mos.toFixed(2));
    expect(text).toContain(result.band);
    for (const term of ['Ro', 'Is', 'Id', 'Idte', 'Idle', 'Idd', 'Ie,eff', 'A']) expect(text).toContain(` ${term} `);
    expect(text).toMatch(/Dominant impairment\s*│ jitter/);
    expect(text).toContain('230.0 ms = network 150.0 + buffer 60.0 + packetisation 20.0 + look-ahead 0.0');
    expect(text).not.toMatch(/\u001b\[/); // no colour codes at level 0
  });

  it('golden: the default G.711 rating', () => {
    const text = renderMosView(runMosTask(base).result, noColour);
    const lines = text.split('\n');
    expect(lines.find((l) => l.startsWith('│ R '))).toMatch(/│ R\s+│ 92\.0\s+│/);
    expect(lines.find((l) => l.startsWith('│ MOS (CQE)'))).toMatch(/│ 4\.38\s+│/);
    expect(text).toMatch(/Dominant impairment\s*│ none/);
  });

  it('colours the band when colour is on', () => {
    const text = renderMosView(runMosTask(base).result, new Chalk({ level: 1 }));
    expect(text).toContain('\u001b[32mgood\u001b[39m');
  });
});
