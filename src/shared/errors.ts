/**
 * One error base for the whole application. Each subclass tells the code that catches it what happens next,
 * so workers, the CLI and the HTTP layer decide from `disposition` rather than from message text.
 */
export type Disposition =
  /** A transient condition (network, lock, rate limit): the same work may succeed later. */
  | 'retry'
  /** The input itself is bad (malformed page, bad row): record the error and move on. */
  | 'give_up'
  /** Something only a human can fix (configuration, missing binary, bad key): stop and say how. */
  | 'tell_operator';

export abstract class AppError extends Error {
  abstract readonly disposition: Disposition;
  /** Stable machine-readable code, e.g. `config.invalid`, shown in JSON output and logs. */
  readonly code: string;
  /** What an operator can do about it, when we know. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, disposition: this.disposition, hint: this.hint };
  }
}

export class RetryableError extends AppError {
  readonly disposition = 'retry' as const;
}

export class InputError extends AppError {
  readonly disposition = 'give_up' as const;
}

export class OperatorError extends AppError {
  readonly disposition = 'tell_operator' as const;
}

/** A configuration value is missing or invalid; the message names the key and where the value came from. */
export class ConfigError extends OperatorError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config.invalid', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A message fit for a log line or terminal, for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
