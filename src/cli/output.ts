import { ConfigError, isAppError } from '../shared/errors.ts';
import { visibleLine } from '../shared/visible-text.ts';
import { EXIT } from './exit-codes.ts';

/**
 * Captured text (post titles, file names, error details) made safe for a terminal: control and format characters
 * (ANSI escapes, bidi overrides) shown as `⟨U+202E⟩`, whitespace folded, clipped to `max` characters when given.
 */
export const safeText = visibleLine;

/** `--json`: one JSON document on stdout and nothing else there. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Human messages go to stderr, so stdout stays for data. */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Reports an error the way its kind deserves and returns the exit code to use. */
export function reportError(error: unknown, json: boolean): number {
  const code = exitCodeFor(error);
  if (json) {
    printJson({
      ok: false,
      error: isAppError(error) ? error.toJSON() : { code: 'internal', message: String(error) },
    });
  }
  if (isAppError(error)) {
    say(`leakwatch: ${error.message}`);
    if (error.hint) say(`hint: ${error.hint}`);
  } else {
    say(
      `leakwatch: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  return code;
}

function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return EXIT.config;
  if (isAppError(error)) {
    if (error.code.startsWith('db.')) return EXIT.database;
    if (error.disposition === 'tell_operator') return EXIT.operator;
    return EXIT.problems;
  }
  return EXIT.internal;
}
