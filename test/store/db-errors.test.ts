import { describe, expect, it } from 'vitest';
import { InputError, OperatorError, RetryableError } from '../../src/shared/errors.ts';
import { pgErrorOf, translateDbError } from '../../src/store/db-errors.ts';

/** Driver errors as postgres.js and PGlite shape them, wrapped the way drizzle wraps them. */
const wrapped = (cause: object) =>
  Object.assign(new Error('Failed query: insert into "posts" ... params: secret'), { cause });
const postgresJs = (fields: object) =>
  Object.assign(new Error('pg message'), { name: 'PostgresError', ...fields });
const pglite = (fields: object) => Object.assign(new Error('pglite message'), { name: 'error', ...fields });

describe('translateDbError', () => {
  it('reads the fields under both drivers spellings', () => {
    const a = pgErrorOf(
      wrapped(
        postgresJs({
          code: '23503',
          constraint_name: 'c1',
          table_name: 't',
          detail: 'Key (site_id)=(x y) is not present',
        }),
      ),
    );
    const b = pgErrorOf(
      wrapped(
        pglite({ code: '23503', constraint: 'c1', table: 't', detail: 'Key (site_id)=(x y) is not present' }),
      ),
    );
    expect(a).toMatchObject({ sqlstate: '23503', constraint: 'c1', table: 't', key: 'x y' });
    expect(b).toMatchObject({ sqlstate: '23503', constraint: 'c1', table: 't', key: 'x y' });
  });

  it('maps bad data to InputError without the query text or parameters', () => {
    for (const code of ['23505', '23503', '23502', '23514', '22001', '22P02', '22021']) {
      const error = translateDbError(wrapped(postgresJs({ code })), { action: 'cannot save' });
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toBe('cannot save: pg message');
    }
  });

  it('maps transient conditions to RetryableError', () => {
    for (const code of ['40001', '40P01', '57P01', '08006', '53300']) {
      expect(translateDbError(wrapped(pglite({ code })), { action: 'x' })).toBeInstanceOf(RetryableError);
    }
    expect(
      translateDbError(Object.assign(new Error('closed'), { code: 'CONNECTION_CLOSED' }), { action: 'x' }),
    ).toBeInstanceOf(RetryableError);
  });

  it('uses a constraint-specific error when given, and leaves bugs and AppErrors alone', () => {
    const specific = new InputError('post.unknown_site', 'no site');
    expect(
      translateDbError(wrapped(pglite({ code: '23503', constraint: 'fk' })), {
        action: 'x',
        constraints: { fk: () => specific },
      }),
    ).toBe(specific);
    const bug = wrapped(postgresJs({ code: '42703' })); // undefined column: our SQL is wrong, not the input
    expect(translateDbError(bug, { action: 'x' })).toBe(bug);
    const operator = new OperatorError('db.unreachable', 'down');
    expect(translateDbError(operator, { action: 'x' })).toBe(operator);
    const plain = new TypeError('boom');
    expect(translateDbError(plain, { action: 'x' })).toBe(plain);
  });
});
