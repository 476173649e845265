import { Semaphore } from '../fetch/semaphore.ts';
import { describeError } from '../shared/errors.ts';
import { claimDocuments } from '../store/documents.repository.ts';
import type { DocumentDeps } from './deps.ts';
import { type DownloadOutcome, downloadDocument } from './download-document.ts';
import { type ExtractOutcome, extractStoredDocument } from './extract-stored.ts';

export interface ProcessSummary {
  downloads: DownloadOutcome[];
  extractions: ExtractOutcome[];
  /** Operator errors (key, disk): the pass stopped on them. */
  errors: string[];
}

/**
 * One pass of the document queue, for a job to call on a schedule: claims up to `limit` waiting downloads fairly
 * across sites (at most perSiteConcurrency per site, documents.concurrency at once), downloads them, then extracts
 * what is stored (those just downloaded and any left from before) one at a time, as extraction is CPU-bound.
 */
export async function processPendingDocuments(
  deps: DocumentDeps,
  options: { limit?: number; extractLimit?: number } = {},
): Promise<ProcessSummary> {
  const summary: ProcessSummary = { downloads: [], extractions: [], errors: [] };
  const claims = await claimDocuments(deps.db, 'download', {
    worker: deps.worker,
    leaseMs: deps.settings.leaseMs,
    limit: options.limit ?? deps.settings.concurrency * 4,
    perSite: deps.settings.perSiteConcurrency,
    ...(deps.clock ? { now: deps.clock() } : {}),
  });
  // Per-site slots: a site's second claim waits for its first, while other sites' downloads run.
  const slots = new Semaphore(deps.settings.concurrency);
  const perSite = new Map<string, Semaphore>();
  await Promise.all(
    claims.map(async (claim) => {
      let site = perSite.get(claim.siteId);
      if (!site) {
        site = new Semaphore(deps.settings.perSiteConcurrency);
        perSite.set(claim.siteId, site);
      }
      await (site as Semaphore).run(() =>
        slots.run(async () => {
          try {
            summary.downloads.push(await downloadDocument(deps, claim.id));
          } catch (error) {
            summary.errors.push(describeError(error));
          }
        }),
      );
    }),
  );
  if (summary.errors.length > 0) return summary;
  for (;;) {
    if (summary.extractions.length >= (options.extractLimit ?? 100)) break;
    const [claim] = await claimDocuments(deps.db, 'extract', {
      worker: deps.worker,
      leaseMs: 24 * 3_600_000,
      limit: 1,
      perSite: Number.MAX_SAFE_INTEGER,
      ...(deps.clock ? { now: deps.clock() } : {}),
    });
    if (!claim) break;
    try {
      summary.extractions.push(await extractStoredDocument(deps, claim.id));
    } catch (error) {
      summary.errors.push(describeError(error));
      break;
    }
  }
  return summary;
}
