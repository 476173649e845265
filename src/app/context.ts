import { type LoadedConfig, loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/schema.ts';
import { resolveSecretKey, type SecretKey } from '../config/secret-key.ts';
import { maskIdentifiersIn } from '../match/mask-text.ts';
import { supportedPhoneRegions } from '../match/phone-regions.ts';
import { createLogger, type Logger, moduleLogger } from '../shared/logger.ts';
import { type Database, openDatabase } from '../store/db.ts';
import { migrateDatabase } from '../store/migrate.ts';

/** What every process role (web, scheduler, worker, CLI command) is given: built once at start-up. */
export interface AppContext {
  config: Config;
  sources: LoadedConfig['sources'];
  logger: Logger;
  database: Database;
  secretKey: SecretKey;
  /** Closes what the context opened, in reverse order. Idempotent. */
  close(): Promise<void>;
}

export interface CreateContextOptions {
  loaded?: LoadedConfig;
  /** Generate <dataDir>/secret.key when no key is configured (only `start` does). */
  createSecretKey?: boolean;
  /** Apply pending migrations after opening the database. */
  migrate?: boolean;
  logger?: Logger;
}

export async function createAppContext(options: CreateContextOptions = {}): Promise<AppContext> {
  const loaded = options.loaded ?? loadConfig();
  const { config } = loaded;
  const phoneRegions = supportedPhoneRegions(config.match.phoneRegions);
  const logger =
    options.logger ??
    createLogger({
      ...config.log,
      maskCaptured: (text) => maskIdentifiersIn(text, phoneRegions),
    });
  const secretKey = resolveSecretKey(config, { create: options.createSecretKey ?? false });
  if (secretKey.source === 'generated') {
    logger.warn(
      { path: secretKey.path },
      'generated a new secret key (mode 0600); back it up: without it hashed identifiers and evidence are unusable',
    );
  }
  const database = await openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    poolSize: config.database.poolSize,
    logger: moduleLogger(logger, 'store'),
  });
  try {
    if (options.migrate) {
      const status = await migrateDatabase(database);
      moduleLogger(logger, 'store').info({ location: database.location, ...status }, 'database ready');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  let closed = false;
  return {
    config,
    sources: loaded.sources,
    logger,
    database,
    secretKey,
    close: async () => {
      if (closed) return;
      closed = true;
      await database.close();
    },
  };
}
