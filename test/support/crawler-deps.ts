import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrawlSettings } from '../../src/crawl/crawl-settings.ts';
import type { CrawlerDeps } from '../../src/crawl/crawl-site.ts';
import type { Fetchers } from '../../src/crawl/read-site.ts';
import { DEFAULT_FETCH_LIMITS } from '../../src/fetch/fetch-limits.ts';
import { parseListing } from '../../src/parse/selector-parser.ts';
import { deriveKey } from '../../src/shared/keys.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Db } from '../../src/store/db.ts';
import { LocalEvidenceStore } from '../../src/store/evidence-store.ts';

/**
 * Limits for the loopback harness: a dead fixture fails at once (the harness answers "unreachable"), and a page
 * expected to load gets time to spare on a loaded host. No crawl test stalls a server.
 */
export const TEST_CRAWL_SETTINGS: CrawlSettings = {
  limits: {
    ...DEFAULT_FETCH_LIMITS,
    connectTimeoutMs: 30_000,
    firstByteTimeoutMs: 30_000,
    totalTimeoutMs: 60_000,
  },
  maxPages: 10,
  maxDetailPages: 50,
  removeAfterRuns: 2,
  backoffBaseMs: 60_000,
  backoffCapMs: 3_600_000,
  leaseMs: 30_000,
};

/** What crawlSite needs in a test: a database, fetchers, a fresh encrypted evidence store, quiet logs. */
export function testCrawlerDeps(
  db: Db,
  fetchers: Fetchers,
  overrides: Partial<Omit<CrawlerDeps, 'settings'>> & { settings?: Partial<CrawlSettings> } = {},
): CrawlerDeps & { evidence: LocalEvidenceStore } {
  const { settings, ...rest } = overrides;
  return {
    db,
    fetchers,
    evidence: new LocalEvidenceStore(
      mkdtempSync(join(tmpdir(), 'lw-evidence-')),
      deriveKey('e'.repeat(40), 'evidence-encryption'),
    ),
    parse: parseListing,
    logger: createLogger({ level: 'silent', format: 'json' }),
    worker: 'test-worker',
    ...rest,
    settings: { ...TEST_CRAWL_SETTINGS, ...settings },
  } as CrawlerDeps & { evidence: LocalEvidenceStore };
}
