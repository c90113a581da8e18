import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from '../unit/mos/json-schema-lite.js';

/**
 * `voipdiag mos` end to end: build with tsc, run bin/run.js in a child process, check stdout,
 * stderr and the exit code. NODE_NO_WARNINGS keeps Node/oclif load warnings about *other*
 * commands (built from the same tree) out of the stderr this suite inspects.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const schema = JSON.parse(readFileSync(new URL('../../schemas/mos.schema.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

async function voipdiag(...args: string[]) {
  return execa('node', ['bin/run.js', ...args], {
    cwd: root,
    reject: false,
    env: { NODE_NO_WARNINGS: '1', NO_COLOR: '1', CI: '1' },
  });
}

beforeAll(async () => {
  // Other modules of the tree may not type-check yet; tsc still emits, so judge by the output file.
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, reject: false });
  expect(existsSync(`${root}/dist/commands/mos.js`)).toBe(true);
}, 180_000);

describe('voipdiag mos', () => {
  it('prints R, MOS, band and terms as tables', async () => {
    const r = await voipdiag('mos', '--codec', 'g711', '--delay', '150', '--jitter', '20', '--loss', '2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/│ R\s+│ \d+\.\d /);
    expect(r.stdout).toMatch(/│ MOS \(CQE\)\s+│ \d\.\d\d /);
    expect(r.stdout).toMatch(/│ Quality\s+│ (good|acceptable|poor|unacceptable) /);
    expect(r.stdout).toContain('Idte');
    expect(r.stdout).toMatch(/Dominant impairment\s+│ (delay|loss|codec|jitter|none)/);
    expect(r.stderr).toBe('');
  });

  it('--json prints the envelope with the result, matching schemas/mos.schema.json', async () => {
    const r = await voipdiag('mos', '--codec', 'PCMU', '--loss', '1', '--burst-ratio', '1.5', '--jitter-buffer', 'fixed200', '--json');
    expect(r.exitCode).toBe(0);
    const env = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(env).sort()).toEqual(['command', 'result', 'schemaVersion', 'status', 'warnings']);
    expect(env).toMatchObject({ schemaVersion: 1, command: 'mos', status: 'ok', warnings: [] });
    expect(env.result).toMatchObject({ inputs: { codec: 'g711', lossPct: 1, burstRatio: 1.5, jitterBuffer: 'fixed200' } });
    expect(checkJsonSchema(schema, env)).toEqual([]);
  });

  it('--mouth-to-ear 150 reproduces the G.107 golden value (R 89.5)', async () => {
    const r = await voipdiag('mos', '--mouth-to-ear', '150', '--json');
    const env = JSON.parse(r.stdout) as { result: { r: number; mos: number } };
    expect(env.result.r).toBeCloseTo(89.5, 1);
    expect(env.result.mos).toBeCloseTo(4.33, 2);
  });

  it('warnings travel as data under --json', async () => {
    const r = await voipdiag('mos', '--codec', 'g729', '--no-plc', '--json');
    const env = JSON.parse(r.stdout) as { warnings: { code: string }[] };
    expect(env.warnings.map((w) => w.code)).toEqual(['PLC_BUILT_IN']);
  });

  it.each([
    [['--delay', '-5'], /^Error: --delay must be a number of milliseconds ≥ 0, got -5$/],
    [['--loss', '150'], /^Error: --loss must be a percentage from 0 to 100, got 150$/],
    [['--burst-ratio', '0.5'], /^Error: --burst-ratio must be at least 1/],
    [['--codec', 'speex'], /^Error: unknown codec "speex"; known codecs: g711, /],
  ])('%j exits 2 with one error line and no stack trace', async (args, message) => {
    const r = await voipdiag('mos', ...args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(message);
    expect(lines.filter((l) => l.startsWith('Error:'))).toHaveLength(1);
    // Only the base command's help pointer may follow the one error line.
    expect(lines.slice(1)).toEqual(['See: voipdiag mos --help']);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('bad input under --json exits 2 with an error envelope', async () => {
    const r = await voipdiag('mos', '--delay', '-5', '--json');
    expect(r.exitCode).toBe(2);
    const env = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(env).toMatchObject({ command: 'mos', status: 'error', result: null, error: { code: 'MOS_OUT_OF_RANGE', exitCode: 2 } });
    expect(checkJsonSchema(schema, env)).toEqual([]);
  });

  it('an unknown flag exits 2', async () => {
    const r = await voipdiag('mos', '--bogus');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Nonexistent flag: --bogus/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('--help shows summary and examples', async () => {
    const r = await voipdiag('mos', '--help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('G.107');
    expect(r.stdout).toContain('--jitter-buffer');
    expect(r.stdout).toContain('EXAMPLES');
  });
});
