import type { Config } from '../config/schema.ts';
import type { FetchLimits } from '../fetch/fetch-limits.ts';
import { supportedPhoneRegions } from '../match/phone-regions.ts';

export interface CrawlSettings {
  limits: FetchLimits;
  maxPages: number;
  maxDetailPages: number;
  removeAfterRuns: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** How long a crawl lease lasts without renewal. */
  leaseMs: number;
  /** The analysts' channels hear of an outage once it lasts this long (alerts.siteDownHours); undefined: never. */
  siteDownAlertMs?: number;
  /** Where phone numbers written without +country are read when new-post titles are masked (match.phoneRegions). */
  phoneRegions?: readonly string[];
}

export function crawlSettings(config: Config): CrawlSettings {
  const crawl = config.crawl;
  return {
    limits: {
      connectTimeoutMs: crawl.connectTimeoutSeconds * 1000,
      firstByteTimeoutMs: crawl.firstByteTimeoutSeconds * 1000,
      totalTimeoutMs: crawl.totalTimeoutSeconds * 1000,
      maxBodyBytes: Math.round(crawl.maxPageMegabytes * 1024 * 1024),
      maxRedirects: crawl.maxRedirects,
    },
    maxPages: crawl.maxPages,
    maxDetailPages: crawl.maxDetailPages,
    removeAfterRuns: crawl.removeAfterRuns,
    backoffBaseMs: crawl.backoffBaseMinutes * 60_000,
    backoffCapMs: crawl.backoffMaxHours * 3_600_000,
    leaseMs: 60_000,
    siteDownAlertMs: config.alerts.siteDownHours * 3_600_000,
    phoneRegions: supportedPhoneRegions(config.match.phoneRegions),
  };
}
