import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { InputError } from '../shared/errors.ts';
import type { Db } from './db.ts';
import { type PgErrorInfo, withDbErrors } from './db-errors.ts';
import { crawlRunStatuses, crawlRuns, sites } from './schema/index.ts';

export type CrawlRun = typeof crawlRuns.$inferSelect;
export type CrawlRunStatus = (typeof crawlRunStatuses)[number];
export type RunError = CrawlRun['errors'][number];

export const RUN_COUNTERS = [
  'pagesFetched',
  'bytesFetched',
  'postsSeen',
  'postsNew',
  'postsUpdated',
  'postsRemoved',
] as const;
export type RunCounter = (typeof RUN_COUNTERS)[number];
export type RunCounters = Partial<Record<RunCounter, number>>;

export interface StartRunInput {
  siteId: string;
  mirrorId?: number | null;
  trigger?: CrawlRun['trigger'];
  worker?: string | null;
  /** First crawl of a site: its posts are recorded without alerting as "new". */
  baseline?: boolean;
}

const unknownSite = (siteId: string) => (info: PgErrorInfo, cause: unknown) =>
  new InputError('run.unknown_site', `cannot start a crawl run: no site with id "${info.key ?? siteId}"`, {
    cause,
  });
const unknownMirror = (info: PgErrorInfo, cause: unknown) =>
  new InputError(
    'run.unknown_mirror',
    `cannot start a crawl run: no site mirror with id ${info.key ?? '?'}`,
    {
      cause,
    },
  );

/** Opens a run in state `running` and stamps the site's last run. */
export async function startRun(db: Db, input: StartRunInput): Promise<CrawlRun> {
  return withDbErrors(
    {
      action: `cannot start a crawl run of site "${input.siteId}"`,
      constraints: {
        crawl_runs_site_id_sites_id_fk: unknownSite(input.siteId),
        crawl_runs_mirror_id_site_mirrors_id_fk: unknownMirror,
      },
    },
    () =>
      db.transaction(async (tx) => {
        const [run] = await tx.insert(crawlRuns).values(input).returning();
        if (!run) throw new Error('insert into crawl_runs returned no row');
        await tx.update(sites).set({ lastRunAt: run.startedAt }).where(eq(sites.id, input.siteId));
        return run;
      }),
  );
}

function counterValues(
  counters: RunCounters,
  mode: 'set' | 'add',
): Partial<Record<RunCounter, number | SQL>> {
  const values: Partial<Record<RunCounter, number | SQL>> = {};
  for (const name of RUN_COUNTERS) {
    const value = counters[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InputError(
        'run.invalid_counter',
        `crawl run counter ${name} must be a non-negative integer, got ${value}`,
      );
    }
    values[name] = mode === 'set' ? value : sql`${crawlRuns[name]} + ${value}`;
  }
  return values;
}

async function explainMissingRun(db: Db, runId: number, action: string): Promise<never> {
  const [run] = await db.select({ status: crawlRuns.status }).from(crawlRuns).where(eq(crawlRuns.id, runId));
  if (!run) throw new InputError('run.not_found', `${action}: no crawl run with id ${runId}`);
  throw new InputError('run.finished', `${action}: crawl run ${runId} already finished (${run.status})`);
}

/** Adds to the counters of a running run (progress as pages come in). */
export async function addRunCounters(db: Db, runId: number, deltas: RunCounters): Promise<CrawlRun> {
  const values = counterValues(deltas, 'add');
  const action = `cannot update crawl run ${runId}`;
  if (Object.keys(values).length === 0) {
    const run = await getRun(db, runId);
    if (!run) throw new InputError('run.not_found', `${action}: no crawl run with id ${runId}`);
    return run;
  }
  const [run] = await withDbErrors({ action }, () =>
    db
      .update(crawlRuns)
      .set(values)
      .where(and(eq(crawlRuns.id, runId), isNull(crawlRuns.finishedAt)))
      .returning(),
  );
  return run ?? explainMissingRun(db, runId, action);
}

export interface FinishRunInput {
  status: Exclude<CrawlRunStatus, 'running'>;
  /** Final values; counters not given keep what addRunCounters accumulated. */
  counters?: RunCounters;
  /** Appended to the errors already recorded. */
  errors?: readonly RunError[];
  timings?: Record<string, number>;
}

/**
 * Closes a run once: sets its final status, counters and finish time, and stamps the site's last success when the
 * run succeeded (fully or partly). Finishing a run twice is an InputError, so a retried job cannot rewrite history.
 */
export async function finishRun(db: Db, runId: number, input: FinishRunInput): Promise<CrawlRun> {
  if ((input.status as string) === 'running' || !crawlRunStatuses.includes(input.status)) {
    throw new InputError(
      'run.invalid_status',
      `cannot finish crawl run ${runId} with status "${input.status}"`,
    );
  }
  const counters = counterValues(input.counters ?? {}, 'set');
  const action = `cannot finish crawl run ${runId}`;
  const run = await withDbErrors({ action }, () =>
    db.transaction(async (tx) => {
      const [row] = await tx
        .update(crawlRuns)
        .set({
          ...counters,
          status: input.status,
          ...(input.errors?.length
            ? { errors: sql`${crawlRuns.errors} || ${JSON.stringify(input.errors)}::jsonb` }
            : {}),
          ...(input.timings ? { timings: input.timings } : {}),
          finishedAt: sql`now()`,
        })
        .where(and(eq(crawlRuns.id, runId), isNull(crawlRuns.finishedAt)))
        .returning();
      if (row && (row.status === 'succeeded' || row.status === 'partial')) {
        await tx.update(sites).set({ lastSuccessAt: row.finishedAt }).where(eq(sites.id, row.siteId));
      }
      return row;
    }),
  );
  return run ?? explainMissingRun(db, runId, action);
}

export async function getRun(db: Db, runId: number): Promise<CrawlRun | null> {
  const [run] = await db.select().from(crawlRuns).where(eq(crawlRuns.id, runId));
  return run ?? null;
}

/** Runs newest first, of one site or of all. */
export async function listRuns(
  db: Db,
  options: { siteId?: string; limit?: number } = {},
): Promise<CrawlRun[]> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  return db
    .select()
    .from(crawlRuns)
    .where(options.siteId === undefined ? undefined : eq(crawlRuns.siteId, options.siteId))
    .orderBy(desc(crawlRuns.startedAt), desc(crawlRuns.id))
    .limit(limit);
}

/** Runs left `running` by a worker that died: started before `olderThan` and never finished. */
export async function listStaleRuns(db: Db, olderThan: Date): Promise<CrawlRun[]> {
  return db
    .select()
    .from(crawlRuns)
    .where(
      and(
        isNull(crawlRuns.finishedAt),
        sql`${crawlRuns.startedAt} < ${olderThan.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(crawlRuns.startedAt);
}
