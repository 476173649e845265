import type { AppContext } from '../app/context.ts';
import { moduleLogger } from '../shared/logger.ts';
import { hasActiveApiToken } from '../store/api-tokens.repository.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import type { TorStatusMonitor } from '../tor/tor-status.ts';
import { accessSettings } from './access.ts';
import { buildWebApp } from './app.ts';

/** The web app of a running process: its evidence store, and access control from the `web` configuration. */
export async function webAppFromContext(ctx: AppContext, tor: TorStatusMonitor) {
  const logger = moduleLogger(ctx.logger, 'web');
  const access = accessSettings(ctx.config.web, ctx.secretKey.material);
  if (access.requireToken) {
    const usable = await hasActiveApiToken(ctx.database.db);
    logger.warn(
      { host: ctx.config.web.host, auth: ctx.config.web.auth },
      usable
        ? 'the web UI requires an API token (not on a loopback host, or web.auth is token)'
        : 'the web UI requires an API token and none exists yet: every page is refused until `leakwatch tokens create <name>` makes one',
    );
  }
  return buildWebApp({
    database: ctx.database,
    tor,
    logger,
    evidence: openEvidenceStore(ctx.config.dataDir, ctx.secretKey.material),
    access,
  });
}
