import { type AppError, InputError, isAppError, RetryableError } from '../shared/errors.ts';

/** The fields of a PostgreSQL error that postgres.js and PGlite both carry, under their two spellings. */
export interface PgErrorInfo {
  /** SQLSTATE, e.g. 23503. */
  sqlstate: string;
  message: string;
  constraint: string | undefined;
  table: string | undefined;
  column: string | undefined;
  detail: string | undefined;
  /** The values of `Key (col)=(value)` in the detail of a unique or foreign-key violation. */
  key: string | undefined;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Finds the database's own error behind drizzle's DrizzleQueryError (whose message holds the whole query and its
 * parameters, and so must not reach a log or a user as is).
 */
export function pgErrorOf(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const fields = current as Record<string, unknown>;
    if (typeof fields.code === 'string' && SQLSTATE.test(fields.code) && typeof fields.message === 'string') {
      const detail = str(fields.detail);
      return {
        sqlstate: fields.code,
        message: fields.message,
        constraint: str(fields.constraint) ?? str(fields.constraint_name),
        table: str(fields.table) ?? str(fields.table_name),
        column: str(fields.column) ?? str(fields.column_name),
        detail,
        key: detail?.match(/^Key \(.*?\)=\((.*)\)/)?.[1],
      };
    }
    current = fields.cause;
  }
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Connection-level failures of postgres.js and Node that carry no SQLSTATE. */
const TRANSIENT_NODE_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

export interface DbErrorContext {
  /** What was being done, to start the message: "cannot save posts". */
  action: string;
  /** Friendlier messages for known constraints, by constraint name. */
  constraints?: Record<string, (info: PgErrorInfo, cause: unknown) => AppError>;
}

/**
 * Turns a driver error into an AppError: bad values and broken references become InputErrors (the work item is bad),
 * serialisation failures, deadlocks and lost connections RetryableErrors. Anything else (a bug, such as SQL that does
 * not parse) is returned unchanged so that it is not mistaken for bad input.
 */
export function translateDbError(error: unknown, context: DbErrorContext): unknown {
  if (isAppError(error)) return error;
  const info = pgErrorOf(error);
  if (!info) {
    const code = findNodeCode(error);
    if (code && TRANSIENT_NODE_CODES.has(code)) {
      return new RetryableError(
        'db.connection_lost',
        `${context.action}: lost the database connection (${code})`,
        {
          cause: error,
        },
      );
    }
    return error;
  }
  const specific = info.constraint ? context.constraints?.[info.constraint] : undefined;
  if (specific) return specific(info, error);
  const reason = info.detail ? `${info.message} (${info.detail})` : info.message;
  const options = { cause: error };
  const cls = info.sqlstate.slice(0, 2);
  if (info.sqlstate === '23505')
    return new InputError('db.duplicate', `${context.action}: ${reason}`, options);
  if (info.sqlstate === '23503')
    return new InputError('db.unknown_reference', `${context.action}: ${reason}`, options);
  if (cls === '23' || cls === '22')
    return new InputError('db.invalid_value', `${context.action}: ${reason}`, options);
  if (
    ['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03'].includes(info.sqlstate) ||
    ['08', '53'].includes(cls)
  ) {
    return new RetryableError('db.transient', `${context.action}: ${reason}`, options);
  }
  return error;
}

function findNodeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Runs a database operation and translates what it throws (see translateDbError). */
export async function withDbErrors<T>(context: DbErrorContext, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateDbError(error, context);
  }
}
