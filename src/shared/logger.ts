import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** auto: pretty on a terminal, JSON lines otherwise. Logs always go to stderr. */
  format: 'auto' | 'json' | 'pretty';
  /** Where lines go; stderr by default so that `--json` output on stdout stays clean. */
  destination?: NodeJS.WritableStream;
  /**
   * Rewrites captured text (file names, URLs, post titles) logged under CAPTURED_FIELDS, in log objects and child
   * bindings: the application passes the matcher's identifier masking, so a dump named after a patient's NIR or
   * e-mail address is never logged in plaintext.
   */
  maskCaptured?: (text: string) => string;
}

/**
 * Field names that may carry secrets or registry identifiers. Values under them are replaced wherever they appear in
 * a log object, as a second line of defence: code must not log such values in the first place.
 */
const REDACTED_FIELDS = [
  'password',
  'secret',
  'secretKey',
  'token',
  'authorization',
  'cookie',
  'identifier',
  'identifiers',
  'value',
  'plaintext',
  'webhookUrl',
  'databaseUrl',
];

/**
 * Field names under which modules log captured text: a posted file's name or URL, a post's title, and error messages
 * and details, which name the file or archive entry they are about (`dump.zip/NIR_2800375….pdf: encrypted`).
 */
const CAPTURED_FIELDS = ['name', 'url', 'sourceUrl', 'fileName', 'title', 'document', 'error', 'detail'];

export function createLogger(options: LoggerOptions): Logger {
  const redact = { paths: REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]), censor: '[redacted]' };
  const { maskCaptured } = options;
  const serializers = maskCaptured
    ? Object.fromEntries(
        CAPTURED_FIELDS.map((field) => [
          field,
          (value: unknown) => (typeof value === 'string' ? maskCaptured(value) : value),
        ]),
      )
    : {};
  const base = { level: options.level, redact, serializers, base: { app: 'leakwatch' } };
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stderr.isTTY === true);
  if (pretty && !options.destination) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, ignore: 'app,pid,hostname' },
      },
    });
  }
  return pino(base, options.destination ?? pino.destination({ dest: 2, sync: true }));
}

/** One child logger per module, so every line says where it came from. */
export function moduleLogger(root: Logger, module: string): Logger {
  return root.child({ module });
}
