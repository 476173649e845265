import { sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { executeRows } from '../store/raw-sql.ts';

/**
 * Closes runs left `running` by a worker that died: their site's crawl lease has lapsed, so nobody is working on them.
 * The next scheduled (or retried) crawl reads the site again; nothing the dead worker had not committed was recorded.
 */
export async function closeAbandonedRuns(db: Db): Promise<number> {
  const closed = await executeRows(
    db,
    sql`
    update crawl_runs r set status = 'failed', finished_at = now(),
      errors = r.errors || '[{"code":"worker_died","message":"the worker stopped during this run; the site will be crawled again"}]'::jsonb
    from sites s
    where r.site_id = s.id and r.finished_at is null
      and (s.crawl_lease_until is null or s.crawl_lease_until < now())
    returning r.id`,
  );
  return closed.length;
}
