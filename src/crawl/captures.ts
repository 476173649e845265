import { describeError } from '../shared/errors.ts';
import type { RunError } from '../store/crawl-runs.repository.ts';
import { captures } from '../store/schema/index.ts';
import type { CrawlerDeps } from './crawl-site.ts';
import type { PostPageRecord } from './post-pages.ts';
import type { PageRecord } from './read-site.ts';

/** Keeps every page the run read as evidence (encrypted, by content) and records where each came from. */
export async function storeCaptures(
  deps: CrawlerDeps,
  siteId: string,
  runId: number,
  listing: readonly PageRecord[],
  postPages: readonly PostPageRecord[],
  postIds: ReadonlyMap<string, number>,
  errors: RunError[],
): Promise<void> {
  const rows: Array<typeof captures.$inferInsert> = [];
  const pages = [
    ...listing.map((page) => ({ page, kind: 'listing' as const, postId: null })),
    ...postPages.map((page) => ({ page, kind: 'post' as const, postId: postIds.get(page.key) ?? null })),
  ];
  for (const { page, kind, postId } of pages) {
    if (page.body === undefined) continue;
    // Recorded with the run, by URL: the capture is kept, it only lacks what the warning says.
    for (const warning of page.warnings ?? [])
      errors.push({ code: 'capture_warning', message: warning, url: page.url });
    try {
      const body = await deps.evidence.put(Buffer.from(page.body));
      const screenshot = page.screenshot ? await deps.evidence.put(page.screenshot) : undefined;
      rows.push({
        siteId,
        runId,
        postId,
        kind,
        url: page.url,
        httpStatus: page.status ?? null,
        bodySha256: body.sha256,
        screenshotSha256: screenshot?.sha256 ?? null,
        bytes: page.bytes,
      });
    } catch (error) {
      errors.push({ code: 'evidence_failed', message: describeError(error), url: page.url });
    }
  }
  if (rows.length > 0) await deps.db.insert(captures).values(rows);
}
