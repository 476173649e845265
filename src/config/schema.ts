import { isIP } from 'node:net';
import { z } from 'zod';
import { CONFIGURABLE_KINDS } from './document-kinds.ts';

/**
 * The configuration schema, one object per concern. Defaults live only in config/default.yaml (the documented
 * reference); the schema states what a valid value is, so every key is required after the layers are merged.
 */

const port = z.number().int().min(0).max(65535);

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** An address or a host name to listen on; whether it is one of this machine's is only known at listen time. */
const listenHost = z
  .string()
  .min(1)
  .refine(
    (value) => isIP(value) !== 0 || HOST_NAME.test(value),
    'expected an IP address or a host name of this machine (127.0.0.1, 0.0.0.0, ::), without scheme or port',
  );

/** Intl knows the IANA zones node-cron and the digest use; an unknown one would only fail when a job is scheduled. */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const databaseSchema = z.strictObject({
  url: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .nullable(),
  poolSize: z.number().int().min(1).max(200),
});

export const webSchema = z.strictObject({
  host: listenHost,
  port,
  publicUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).nullable(),
  auth: z.enum(['auto', 'token']),
});

export const torSchema = z.strictObject({
  mode: z.enum(['external', 'managed', 'auto']),
  socks: z
    .string()
    .regex(
      /^socks5h:\/\/[^\s/]+:\d+\/?$/,
      'expected socks5h://HOST:PORT (socks5h resolves names inside Tor; socks5:// would leak .onion lookups to local DNS)',
    ),
  control: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'expected HOST:PORT of the Tor control port')
    .nullable(),
  controlPassword: z.string().nullable(),
  binary: z.string().min(1),
  /** Extra torrc lines for the managed tor (bridges, for instance). */
  torrcLines: z.array(z.string()),
  /** How long a managed tor may take to bootstrap before leakwatch reports it stuck. */
  bootstrapTimeoutSeconds: z.number().min(5).max(3600),
});

export const crawlSchema = z.strictObject({
  /** Folder of YAML site definitions, read at start-up beside the shipped crawlers/. */
  sitesDir: z.string().min(1),
  /** Crawls running at once in one worker process. */
  concurrency: z.number().int().min(1).max(256),
  maxPages: z.number().int().min(1).max(1000),
  maxDetailPages: z.number().int().min(0).max(10000),
  removeAfterRuns: z.number().int().min(1).max(100),
  backoffBaseMinutes: z.number().min(0.01).max(1440),
  backoffMaxHours: z.number().min(0.01).max(720),
  connectTimeoutSeconds: z.number().min(1).max(600),
  firstByteTimeoutSeconds: z.number().min(1).max(600),
  totalTimeoutSeconds: z.number().min(1).max(3600),
  maxPageMegabytes: z.number().min(0.1).max(500),
  maxRedirects: z.number().int().min(0).max(20),
});

export const browserSchema = z.strictObject({
  executablePath: z.string().min(1),
  maxContexts: z.number().int().min(1).max(64),
  /** A screenshot has its own deadline and size: a page that cannot be drawn is still read. */
  screenshotTimeoutSeconds: z.number().min(0.1).max(120),
  screenshotMaxHeight: z.number().int().min(100).max(100_000),
});

export const logSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  format: z.enum(['auto', 'json', 'pretty']),
});

export const workerSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(256),
  /** How often an idle worker asks the queue for work; pg-boss cannot go below 0.5 s. */
  pollingIntervalSeconds: z.number().min(0.5).max(60),
});

export const schedulerSchema = z.strictObject({
  timezone: z.string().min(1).refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Paris'),
  /** Housekeeping schedule (5 fields, or 6 with seconds). */
  maintenanceCron: z.string().regex(/^\S+( \S+){4,5}$/, 'expected a cron expression of 5 or 6 fields'),
});

export const documentsSchema = z.strictObject({
  /** Downloads at once per worker process, and at once from one site (one huge dump never takes every slot). */
  concurrency: z.number().int().min(1).max(64),
  perSiteConcurrency: z.number().int().min(1).max(16),
  maxFileMegabytes: z.number().min(0.001).max(1_048_576),
  maxPostMegabytes: z.number().min(0.001).max(10_485_760),
  kinds: z.array(z.enum(CONFIGURABLE_KINDS)).min(1),
  listingDepth: z.number().int().min(0).max(10),
  maxListingEntries: z.number().int().min(1).max(100_000),
  idleTimeoutSeconds: z.number().min(1).max(3600),
  /** A download slower than this over rateWindowSeconds is cut and retried later from where it stopped; 0: no floor. */
  minKilobytesPerSecond: z.number().min(0).max(1_048_576),
  rateWindowSeconds: z.number().min(1).max(3600),
  /** The cap on one download attempt, however fast (the next attempt resumes). */
  maxDownloadMinutes: z.number().min(0.1).max(10_080),
  resumeAttempts: z.number().int().min(0).max(100),
  maxAttempts: z.number().int().min(1).max(100),
  retryMinutes: z.number().min(0).max(10_080),
  /** Raw files are deleted from the evidence store this many days after extraction; 0 keeps them. */
  retentionDays: z.number().int().min(0).max(36_500),
  /** Every extraction runs in a worker thread under these limits, stopped on overrun (the document is rejected). */
  budget: z.strictObject({
    extractSeconds: z.number().min(1).max(86_400),
    memoryMegabytes: z.number().int().min(64).max(65_536),
    /** Extractions started that never ended (worker killed, thread crashed) before the document is rejected. */
    maxExtractAttempts: z.number().int().min(1).max(100),
  }),
  archive: z.strictObject({
    maxEntries: z.number().int().min(1).max(10_000_000),
    maxTotalMegabytes: z.number().min(1).max(10_485_760),
    maxRatio: z.number().min(2).max(100_000),
    maxDepth: z.number().int().min(1).max(20),
  }),
  ocr: z.strictObject({
    enabled: z.boolean(),
    tesseract: z.string().min(1),
    pdftoppm: z.string().min(1),
    languages: z
      .string()
      .regex(/^[a-z_]+(\+[a-z_]+)*$/, 'expected tesseract language codes joined by +, e.g. fra+eng'),
    workers: z.number().int().min(1).max(64),
    dpi: z.number().int().min(72).max(600),
    maxPages: z.number().int().min(1).max(100_000),
  }),
});

export const alertsSchema = z.strictObject({
  /** How often a worker delivers pending alerts from the outbox. */
  dispatchIntervalSeconds: z.number().min(0.2).max(3600),
  /** A failing delivery is retried (exponential backoff) for this long after the alert was written, then failed. */
  retryHorizonHours: z.number().min(0.01).max(720),
  retryBaseSeconds: z.number().min(0.1).max(3600),
  retryMaxMinutes: z.number().min(0.1).max(1440),
  requestTimeoutSeconds: z.number().min(1).max(300),
  /** Alerts taken per dispatch pass. */
  batch: z.number().int().min(1).max(1000),
  /** Discord API base (e.g. http://127.0.0.1:PORT/api for a local mock); null: Discord's own. */
  discordApi: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).nullable(),
  /** The analysts' channels are told of a site down (or seized) once the outage has lasted this long. */
  siteDownHours: z.number().min(0).max(720),
  /** Hour of the day (in scheduler.timezone) when the digest of held low-severity alerts is sent per channel. */
  digestHour: z.number().int().min(0).max(23),
});

export const matchSchema = z.strictObject({
  /** Masked samples kept per match record (first and last characters at most); 0 turns them off. */
  maskedSamples: z.number().int().min(0).max(20),
  /** Regions whose national phone number format is read in leaked text (numbers written without a country code). */
  phoneRegions: z.array(z.string().regex(/^[A-Z]{2}$/, 'expected ISO 3166 region codes such as FR')).min(1),
  /** How ambiguous numeric dates (03/04/1980) are read. */
  dateOrder: z.enum(['dmy', 'mdy']),
  /**
   * A worker runs a retro-hunt in slices of about this long, each a job of its own that hands the rest on to the next,
   * so a worker that dies mid-hunt holds it no longer than the job's expiry (15 minutes). 0: one post or document
   * per job.
   */
  huntSliceSeconds: z.number().min(0).max(600),
});

export const configSchema = z.strictObject({
  dataDir: z.string().min(1),
  secretKey: z.string().min(32, 'expected at least 32 characters of key material').nullable(),
  database: databaseSchema,
  web: webSchema,
  tor: torSchema,
  crawl: crawlSchema,
  browser: browserSchema,
  log: logSchema,
  worker: workerSchema,
  scheduler: schedulerSchema,
  documents: documentsSchema,
  alerts: alertsSchema,
  match: matchSchema,
});

export type Config = z.infer<typeof configSchema>;

/** Key paths whose values are never printed. */
export const SECRET_KEYS: readonly string[] = ['secretKey', 'tor.controlPassword'];
/** Key paths that are URLs whose password part is masked when printed. */
export const URL_WITH_CREDENTIALS_KEYS: readonly string[] = ['database.url'];
