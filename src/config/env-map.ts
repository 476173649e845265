/**
 * The environment variables leakwatch reads, each mapped to one configuration key. An explicit table rather than a
 * naming convention: it is the documentation, and a misspelt LEAKWATCH_* variable is reported instead of ignored.
 */
export type EnvKind = 'string' | 'int' | 'number';

export interface EnvBinding {
  variable: string;
  key: string;
  kind: EnvKind;
  /** Also accepted as `<variable>_FILE`, a path whose contents are the value (Docker/Kubernetes secrets). */
  fileVariant?: boolean;
}

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { variable: 'DATABASE_URL', key: 'database.url', kind: 'string', fileVariant: true },
  { variable: 'LEAKWATCH_DATABASE_POOL_SIZE', key: 'database.poolSize', kind: 'int' },
  { variable: 'LEAKWATCH_DATA_DIR', key: 'dataDir', kind: 'string' },
  { variable: 'LEAKWATCH_SECRET_KEY', key: 'secretKey', kind: 'string', fileVariant: true },
  { variable: 'LEAKWATCH_HOST', key: 'web.host', kind: 'string' },
  { variable: 'LEAKWATCH_PORT', key: 'web.port', kind: 'int' },
  { variable: 'LEAKWATCH_PUBLIC_URL', key: 'web.publicUrl', kind: 'string' },
  { variable: 'LEAKWATCH_WEB_AUTH', key: 'web.auth', kind: 'string' },
  { variable: 'LEAKWATCH_TOR_MODE', key: 'tor.mode', kind: 'string' },
  { variable: 'LEAKWATCH_TOR_SOCKS', key: 'tor.socks', kind: 'string' },
  { variable: 'LEAKWATCH_TOR_CONTROL', key: 'tor.control', kind: 'string' },
  {
    variable: 'LEAKWATCH_TOR_CONTROL_PASSWORD',
    key: 'tor.controlPassword',
    kind: 'string',
    fileVariant: true,
  },
  { variable: 'LEAKWATCH_TOR_BINARY', key: 'tor.binary', kind: 'string' },
  { variable: 'LEAKWATCH_SITES_DIR', key: 'crawl.sitesDir', kind: 'string' },
  { variable: 'LEAKWATCH_CRAWL_CONCURRENCY', key: 'crawl.concurrency', kind: 'int' },
  { variable: 'LEAKWATCH_CHROMIUM_PATH', key: 'browser.executablePath', kind: 'string' },
  { variable: 'LEAKWATCH_BROWSER_MAX_CONTEXTS', key: 'browser.maxContexts', kind: 'int' },
  { variable: 'LEAKWATCH_LOG_LEVEL', key: 'log.level', kind: 'string' },
  { variable: 'LEAKWATCH_LOG_FORMAT', key: 'log.format', kind: 'string' },
  { variable: 'LEAKWATCH_WORKER_CONCURRENCY', key: 'worker.concurrency', kind: 'int' },
  { variable: 'LEAKWATCH_WORKER_POLL_INTERVAL', key: 'worker.pollingIntervalSeconds', kind: 'number' },
  { variable: 'LEAKWATCH_TIMEZONE', key: 'scheduler.timezone', kind: 'string' },
  { variable: 'LEAKWATCH_MAINTENANCE_CRON', key: 'scheduler.maintenanceCron', kind: 'string' },
  { variable: 'LEAKWATCH_DOCUMENTS_CONCURRENCY', key: 'documents.concurrency', kind: 'int' },
  { variable: 'LEAKWATCH_DOCUMENTS_MAX_FILE_MB', key: 'documents.maxFileMegabytes', kind: 'int' },
  { variable: 'LEAKWATCH_DOCUMENTS_RETENTION_DAYS', key: 'documents.retentionDays', kind: 'int' },
  { variable: 'LEAKWATCH_DOCUMENTS_EXTRACT_SECONDS', key: 'documents.budget.extractSeconds', kind: 'int' },
  {
    variable: 'LEAKWATCH_DOCUMENTS_EXTRACT_MEMORY_MB',
    key: 'documents.budget.memoryMegabytes',
    kind: 'int',
  },
  { variable: 'LEAKWATCH_TESSERACT_PATH', key: 'documents.ocr.tesseract', kind: 'string' },
  { variable: 'LEAKWATCH_OCR_WORKERS', key: 'documents.ocr.workers', kind: 'int' },
  { variable: 'LEAKWATCH_ALERTS_DISPATCH_INTERVAL', key: 'alerts.dispatchIntervalSeconds', kind: 'number' },
  { variable: 'LEAKWATCH_ALERTS_RETRY_HORIZON_HOURS', key: 'alerts.retryHorizonHours', kind: 'number' },
  { variable: 'LEAKWATCH_DISCORD_API', key: 'alerts.discordApi', kind: 'string' },
  { variable: 'LEAKWATCH_ALERTS_SITE_DOWN_HOURS', key: 'alerts.siteDownHours', kind: 'number' },
  { variable: 'LEAKWATCH_ALERTS_DIGEST_HOUR', key: 'alerts.digestHour', kind: 'int' },
  { variable: 'LEAKWATCH_MATCH_MASKED_SAMPLES', key: 'match.maskedSamples', kind: 'int' },
  { variable: 'LEAKWATCH_HUNT_SLICE_SECONDS', key: 'match.huntSliceSeconds', kind: 'number' },
];

/** Variables with the LEAKWATCH_ prefix that are not configuration keys but are still ours. */
export const OTHER_KNOWN_VARIABLES: readonly string[] = ['LEAKWATCH_CONFIG'];
