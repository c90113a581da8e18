/** Runs the built CLI (`bin/run.js`, over dist/) as a user would, and returns what it printed. */
import { execa } from 'execa';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'run.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { input?: Buffer | string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const r = await execa('node', [BIN, ...args], {
    cwd: ROOT,
    reject: false,
    input: opts.input,
    env: { NO_COLOR: '1', NODE_NO_WARNINGS: '1', ...opts.env },
    timeout: 120_000,
    stripFinalNewline: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** No stack trace lines ("    at fn (file:line)") in what a command printed. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}
