import { Chalk, type ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';

/**
 * Human-facing adapters. Decided once, here, from the environment: colour only on a TTY and
 * never with NO_COLOR or --no-color; spinners only on a stderr TTY, never under --json or in CI.
 * Commands and renderers never test for a TTY themselves.
 */
export interface Ui {
  readonly colour: ChalkInstance;
  readonly interactive: boolean;
  startSpinner(text: string): void;
  updateSpinner(text: string): void;
  stopSpinner(): void;
}

export interface UiOptions {
  json: boolean;
  noColor: boolean;
  stdoutIsTty?: boolean;
  stderrIsTty?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function colourEnabled(opts: UiOptions): boolean {
  const env = opts.env ?? process.env;
  if (opts.json || opts.noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return opts.stdoutIsTty ?? Boolean(process.stdout.isTTY);
}

export function createUi(opts: UiOptions): Ui {
  const env = opts.env ?? process.env;
  const colour = new Chalk({ level: colourEnabled(opts) ? 1 : 0 });
  const interactive = !opts.json && !env.CI && (opts.stderrIsTty ?? Boolean(process.stderr.isTTY));
  let spinner: Ora | undefined;
  return {
    colour,
    interactive,
    startSpinner(text) {
      if (!interactive) return;
      spinner = ora({ text, stream: process.stderr }).start();
    },
    updateSpinner(text) {
      if (spinner) spinner.text = text;
    },
    stopSpinner() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}
