/**
 * `voipdiag report`: read voipdiag JSON envelopes, extract the measured values per threshold key,
 * judge them against a thresholds profile; or show a profile's values. I/O is injected; never
 * prints.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { badInput, usageError, type Warning } from '../errors.js';
import { buildJudgeReport, buildShowProfile, type JudgedInput, type JudgeReport, type ShowProfileReport } from '../report/checks.js';
import { parseEnvelope } from '../report/envelope.js';
import { extractScopes } from '../report/extract.js';
import { builtinProfile, builtinProfileNames, parseProfileFile, type Profile } from '../report/profiles.js';

export interface ReportIo {
  readText(path: string): Promise<string>;
  readStdin(): Promise<string>;
  writeText(path: string, text: string): Promise<void>;
}

export const nodeReportIo: ReportIo = {
  readText: (path) => readFile(path, 'utf8'),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    return Buffer.concat(chunks).toString('utf8');
  },
  writeText: (path, text) => writeFile(path, text, 'utf8'),
};

export interface ReportOptions {
  files: string[];
  /** Built-in name or YAML file; default: `default`. */
  profile?: string;
}

/** A built-in name, else a YAML file overriding the built-in it names. Unknown: usage error (2). */
export async function loadReportProfile(spec: string | undefined, io: ReportIo): Promise<Profile> {
  const name = spec ?? 'default';
  const builtin = builtinProfile(name);
  if (builtin) return builtin;
  let text: string;
  try {
    text = await io.readText(name);
  } catch {
    throw usageError('UNKNOWN_PROFILE', `unknown profile "${name}": neither a built-in profile (${builtinProfileNames().join(', ')}) nor a readable YAML file`, [
      'voipdiag report --show-profile default   shows the keys a YAML file may override',
    ]);
  }
  const p = parseProfileFile(text, name);
  if (!p.ok) throw badInput('BAD_PROFILE', p.message);
  return p.value;
}

async function readInput(file: string, io: ReportIo): Promise<string> {
  try {
    return file === '-' ? await io.readStdin() : await io.readText(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw badInput('UNREADABLE_INPUT', `${file}: cannot read it${code ? ` (${code})` : ''}`);
  }
}

export async function runReport(o: ReportOptions, io: ReportIo = nodeReportIo): Promise<{ result: JudgeReport; warnings: Warning[] }> {
  if (o.files.length === 0) throw usageError('NO_INPUT', 'give one or more voipdiag JSON files (or - for stdin), or --show-profile NAME');
  const profile = await loadReportProfile(o.profile, io);
  const inputs: JudgedInput[] = [];
  const warnings: Warning[] = [];
  for (const file of o.files) {
    const name = file === '-' ? '<stdin>' : file;
    const env = parseEnvelope(await readInput(file, io), name);
    if (!env.ok) throw badInput(env.code, env.message);
    if (env.value.status === 'error') {
      warnings.push({ code: 'FAILED_RUN_JUDGED', message: `${name}: the \`${env.value.command}\` run ended in an error; judging what it measured` });
    }
    const scopes = extractScopes(env.value.command, env.value.result) ?? [];
    if (scopes.every((s) => s.samples.length === 0)) {
      warnings.push({ code: 'NOTHING_MEASURED', message: `${name}: the \`${env.value.command}\` result holds no value any threshold applies to` });
    }
    inputs.push({ file: name, command: env.value.command, scopes });
  }
  const result = buildJudgeReport(inputs, profile);
  if (result.checks.length === 0) warnings.push({ code: 'NO_CHECKS', message: `no measured value matched a key of profile ${profile.name}: nothing was judged` });
  return { result, warnings };
}

export async function runShowProfile(spec: string, io: ReportIo = nodeReportIo): Promise<ShowProfileReport> {
  return buildShowProfile(await loadReportProfile(spec, io));
}

export async function writeReportFile(path: string, text: string, io: ReportIo = nodeReportIo): Promise<void> {
  try {
    await io.writeText(path, text);
  } catch (err) {
    throw usageError('CANNOT_WRITE_OUTPUT', `--output ${path}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
