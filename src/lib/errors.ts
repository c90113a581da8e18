/**
 * Exit codes and the one error class for operational failures.
 *
 * Exit codes are a contract (README "Exit codes"): 0 ok; 2 usage error; 3 unreadable or invalid
 * input file; 4 network failure / unreachable / timeout; 5 a quality threshold was breached;
 * 10 internal bug. A TypeError or any other unexpected throw is a bug (10), never a user error.
 */
export const ExitCode = {
  ok: 0,
  usage: 2,
  badInput: 3,
  network: 4,
  threshold: 5,
  internal: 10,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An operational failure the user can act on: a stable code, a one-line message, what to do next. */
export class VoipdiagError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hints: readonly string[];

  constructor(code: string, message: string, opts: { exitCode: ExitCodeValue; hints?: string[]; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'VoipdiagError';
    this.code = code;
    this.exitCode = opts.exitCode;
    this.hints = opts.hints ?? [];
  }
}

export function badInput(code: string, message: string, hints?: string[]): VoipdiagError {
  return new VoipdiagError(code, message, { exitCode: ExitCode.badInput, hints });
}

export function usageError(code: string, message: string, hints?: string[]): VoipdiagError {
  return new VoipdiagError(code, message, { exitCode: ExitCode.usage, hints });
}

export function networkError(code: string, message: string, hints?: string[]): VoipdiagError {
  return new VoipdiagError(code, message, { exitCode: ExitCode.network, hints });
}

/** A warning travels as data in the result envelope; commands print them on stderr. */
export interface Warning {
  code: string;
  message: string;
}
