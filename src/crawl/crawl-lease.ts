import { randomUUID } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { sites } from '../store/schema/index.ts';

/**
 * A time-limited claim on crawling one site, held in the database so it works across worker processes and machines.
 * A worker that dies stops renewing; its lease runs out and another worker may take the site.
 */
export class CrawlLease {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: Db,
    readonly siteId: string,
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes the lease, or returns null when a live one is held — by another worker, or by another crawl of this same
   * worker (each call gets its own owner token, so two jobs of one process cannot both crawl the site).
   */
  static async acquire(db: Db, siteId: string, worker: string, ttlMs: number): Promise<CrawlLease | null> {
    const owner = `${worker}#${randomUUID()}`;
    const taken = await db
      .update(sites)
      .set({ crawlLeaseOwner: owner, crawlLeaseUntil: sql`now() + ${`${ttlMs} milliseconds`}::interval` })
      .where(
        and(
          eq(sites.id, siteId),
          or(
            isNull(sites.crawlLeaseUntil),
            lt(sites.crawlLeaseUntil, sql`now()`),
            eq(sites.crawlLeaseOwner, owner),
          ),
        ),
      )
      .returning({ id: sites.id });
    if (taken.length === 0) return null;
    const lease = new CrawlLease(db, siteId, owner, ttlMs);
    lease.timer = setInterval(() => void lease.renew().catch(() => undefined), Math.max(1000, ttlMs / 3));
    lease.timer.unref();
    return lease;
  }

  async renew(): Promise<void> {
    await this.db
      .update(sites)
      .set({ crawlLeaseUntil: sql`now() + ${`${this.ttlMs} milliseconds`}::interval` })
      .where(and(eq(sites.id, this.siteId), eq(sites.crawlLeaseOwner, this.owner)));
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.db
      .update(sites)
      .set({ crawlLeaseOwner: null, crawlLeaseUntil: null })
      .where(and(eq(sites.id, this.siteId), eq(sites.crawlLeaseOwner, this.owner)));
  }
}
