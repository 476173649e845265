import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { SHIPPED_SITES } from '../../crawlers/index.ts';
import { crawlSettings } from '../crawl/crawl-settings.ts';
import { type CrawlerDeps, type CrawlSummary, crawlSite, syncSite } from '../crawl/crawl-site.ts';
import { crossCheck, readListing } from '../crawl/listing-strategy.ts';
import type { ListingParser } from '../crawl/read-site.ts';
import { BrowserFetcher } from '../fetch/browser-fetcher.ts';
import { HttpFetcher } from '../fetch/http-fetcher.ts';
import { loadYamlDefinitions, SiteRegistry } from '../parse/site-registry.ts';
import { moduleLogger } from '../shared/logger.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import { SocksAgentPool } from '../tor/socks-agent.ts';
import type { AppContext } from './context.ts';

export interface Crawler {
  registry: SiteRegistry;
  deps: CrawlerDeps;
  /** Problems with YAML definitions: each bad file is skipped and named here, the others load. */
  definitionErrors: string[];
  crawl(siteId: string, trigger: 'schedule' | 'manual' | 'retry'): Promise<CrawlSummary>;
  /** Writes every known definition to the sites table. */
  syncAll(): Promise<void>;
  close(): Promise<void>;
}

/** The shipped definitions plus the analyst's YAML folder; a YAML id that clashes with another is reported. */
export function loadSiteRegistry(sitesDir: string): { registry: SiteRegistry; errors: string[] } {
  const registry = new SiteRegistry(SHIPPED_SITES);
  const loaded = loadYamlDefinitions(sitesDir);
  const errors = [...loaded.errors];
  for (const definition of loaded.definitions) {
    try {
      registry.add(definition);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  return { registry, errors };
}

/** Everything a crawl needs, built once per process from the application context. */
export function createCrawler(
  ctx: AppContext,
  options: { parse?: ListingParser; progress?: CrawlerDeps['progress'] } = {},
): Crawler {
  const logger = moduleLogger(ctx.logger, 'crawl');
  const settings = crawlSettings(ctx.config);
  const { registry, errors } = loadSiteRegistry(ctx.config.crawl.sitesDir);
  for (const error of errors) logger.error({ error }, 'site definition skipped');
  const agents = new SocksAgentPool(ctx.config.tor.socks, settings.limits.connectTimeoutMs);
  const browser = existsSync(ctx.config.browser.executablePath)
    ? new BrowserFetcher({
        executablePath: ctx.config.browser.executablePath,
        socksUrl: ctx.config.tor.socks,
        maxContexts: ctx.config.browser.maxContexts,
        logger,
        screenshotTimeoutMs: ctx.config.browser.screenshotTimeoutSeconds * 1000,
        screenshotMaxHeight: ctx.config.browser.screenshotMaxHeight,
      })
    : undefined;
  const deps: CrawlerDeps = {
    db: ctx.database.db,
    fetchers: { http: new HttpFetcher(agents), ...(browser ? { browser } : {}) },
    evidence: openEvidenceStore(ctx.config.dataDir, ctx.secretKey.material),
    parse: options.parse ?? readListing,
    crossCheck,
    settings,
    logger,
    worker: `${hostname()}:${process.pid}`,
    ...(options.progress ? { progress: options.progress } : {}),
  };
  return {
    registry,
    deps,
    definitionErrors: errors,
    crawl: (siteId, trigger) => crawlSite(deps, registry.require(siteId), trigger),
    syncAll: async () => {
      for (const site of registry.all()) await syncSite(deps.db, site);
    },
    close: async () => {
      agents.close();
      await browser?.close();
    },
  };
}
