import type { PGlite, Results } from '@electric-sql/pglite';

/** What pg-boss 10 needs from a `db` option: it reads only `rows` from the result (src/manager.js, contractor.js). */
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface TrackedExecutor extends SqlExecutor {
  /** Resolves when no statement is in flight; pg-boss completes jobs without awaiting, so stop() must wait here. */
  drain(): Promise<void>;
  /** Refuse new statements: after the queue stops, a late call must fail cleanly, not reach a closed PGlite. */
  close(): void;
}

/**
 * pg-boss on the embedded database. Two kinds of call arrive:
 * - parameterised single statements (fetch, send, complete): `pglite.query`, extended protocol;
 * - unparameterised scripts (install, migrate, maintenance), several statements wrapped by pg-boss in its own
 *   `BEGIN … COMMIT`. These need the simple protocol (`exec`). They run inside `pglite.transaction` because a
 *   failing script would otherwise leave PGlite's only connection in an aborted transaction, breaking every later
 *   statement of the process; the wrapper rolls it back. pg-boss's inner BEGIN/COMMIT then only draw warnings.
 */
export function pgliteExecutor(pglite: PGlite): TrackedExecutor {
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const run = async (text: string, values?: unknown[]): Promise<{ rows: Row[] }> => {
    if (values && values.length > 0) return { rows: (await pglite.query<Row>(text, values)).rows };
    const results = await pglite.transaction((tx) => tx.exec(text));
    return { rows: lastRowSet(results) };
  };

  return {
    executeSql(text, values) {
      if (closed) return Promise.reject(new Error('the job queue is stopped'));
      const promise = run(text, values);
      inFlight.add(promise);
      const forget = () => inFlight.delete(promise);
      promise.then(forget, forget);
      return promise;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close() {
      closed = true;
    },
  };
}

/** pg's driver answers a script with one result per statement; pg-boss only ever reads single-statement rows. */
function lastRowSet(results: Results[]): Row[] {
  for (let i = results.length - 1; i >= 0; i--) {
    const result = results[i];
    if (result && result.fields.length > 0) return result.rows as Row[];
  }
  return [];
}
