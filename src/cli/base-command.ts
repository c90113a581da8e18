import { Command, Errors, Flags, Interfaces } from '@oclif/core';
import { ExitCode, VoipdiagError, type Warning } from '../lib/errors.js';
import { createUi, type Ui } from '../lib/output/ui.js';
import { writeJson } from '../lib/output/json-stream.js';

/** Bumped only when a field of a result is renamed or removed (DESIGN.md "The JSON contract"). */
export const SCHEMA_VERSION = 1;

export type ResultStatus = 'ok' | 'breached' | 'error';

export interface Envelope<T> {
  schemaVersion: number;
  command: string;
  status: ResultStatus;
  result: T | null;
  warnings: Warning[];
  error?: { code: string; message: string; exitCode: number; hints: string[] };
}

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

/**
 * The one base command: the JSON envelope, warnings as data, colour/spinner policy, and the
 * mapping of every failure to a documented exit code. Commands never print stack traces:
 * operational failures print their message and hints; bugs print a one-line report (exit 10)
 * and the stack only with VOIPDIAG_DEBUG=1.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    'no-color': Flags.boolean({ description: 'Disable colour (also NO_COLOR=1).', helpGroup: 'GLOBAL' }),
  };

  protected readonly warnings: Warning[] = [];
  protected status: ResultStatus = 'ok';
  private uiInstance: Ui | undefined;

  /** Human-facing adapters (tables, colour, spinner). Silent under --json, without a TTY, in CI. */
  protected get ui(): Ui {
    if (!this.uiInstance) {
      const noColor = this.argv.includes('--no-color');
      this.uiInstance = createUi({ json: this.jsonEnabled(), noColor });
    }
    return this.uiInstance;
  }

  protected warn_(w: Warning): void {
    this.warnings.push(w);
  }

  protected addWarnings(ws: readonly Warning[]): void {
    for (const w of ws) this.warnings.push(w);
  }

  /** Print collected warnings on stderr (human mode only). */
  protected printWarnings(): void {
    if (this.jsonEnabled()) return;
    for (const w of this.warnings) process.stderr.write(this.ui.colour.yellow(`warning: ${w.message}`) + '\n');
  }

  /** Mark the run as breaching a threshold: exit 5 after the result is printed. */
  protected breach(): void {
    this.status = 'breached';
    process.exitCode = ExitCode.threshold;
  }

  /**
   * One JSON document on stdout, streamed in chunks with backpressure: oclif's default
   * colourises the text token by token, and even one plain JSON.stringify of a live capture's
   * 20,000 call rows (~40 MB) plus its write buffer cost ~120 MB. Node keeps running until the
   * last chunk is written (a reader that went away, EPIPE, ends it quietly).
   */
  override logJson(json: unknown): void {
    writeJson(process.stdout, json).catch(() => undefined);
  }

  protected override toSuccessJson(result: unknown): Envelope<unknown> {
    return {
      schemaVersion: SCHEMA_VERSION,
      command: this.id ?? 'voipdiag',
      status: this.status,
      result,
      warnings: this.warnings,
    };
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    this.uiInstance?.stopSpinner();
    if (err instanceof Errors.ExitError) throw err;

    let exitCode: number;
    let code: string;
    let hints: string[] = [];
    if (err instanceof VoipdiagError) {
      exitCode = err.exitCode;
      code = err.code;
      hints = [...err.hints];
    } else if (isParseError(err)) {
      exitCode = ExitCode.usage;
      code = 'USAGE';
    } else {
      exitCode = ExitCode.internal;
      code = 'INTERNAL';
    }

    if (this.jsonEnabled()) {
      const env: Envelope<null> = {
        schemaVersion: SCHEMA_VERSION,
        command: this.id ?? 'voipdiag',
        status: 'error',
        result: null,
        warnings: this.warnings,
        error: { code, message: err.message, exitCode, hints },
      };
      process.stdout.write(JSON.stringify(env, null, 2) + '\n');
    } else {
      this.printWarnings();
      if (exitCode === ExitCode.internal) {
        process.stderr.write(`voipdiag: internal error (a bug, please report it): ${err.name}: ${err.message}\n`);
        if (process.env.VOIPDIAG_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
        else process.stderr.write('Run again with VOIPDIAG_DEBUG=1 to see where it happened.\n');
      } else {
        process.stderr.write(`Error: ${err.message}\n`);
        for (const h of hints) process.stderr.write(`  - ${h}\n`);
        if (exitCode === ExitCode.usage) process.stderr.write(`See: voipdiag ${this.id ?? ''} --help\n`);
      }
    }
    this.exit(exitCode);
    return undefined;
  }
}

function isParseError(err: unknown): boolean {
  if (err instanceof Errors.CLIError) {
    const e = err as Errors.CLIError & { parse?: unknown };
    return e.parse !== undefined || e.oclif?.exit === 2;
  }
  return false;
}
