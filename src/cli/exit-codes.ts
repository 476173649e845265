/** Exit codes scripts can rely on; documented in the README. */
export const EXIT = {
  ok: 0,
  /** The command ran and found problems (e.g. `doctor` with a failing check). */
  problems: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** The configuration is invalid; the message names the key. */
  config: 3,
  /** The database is unreachable or a migration failed. */
  database: 4,
  /** Another condition an operator must fix (missing binary, key, permissions). */
  operator: 5,
  /** A bug: an unexpected error. */
  internal: 70,
} as const;
