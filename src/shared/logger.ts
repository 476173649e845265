import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** auto: pretty on a terminal, JSON lines otherwise. Logs always go to stderr. */
  format: 'auto' | 'json' | 'pretty';
  /** Where lines go; stderr by default so that `--json` output on stdout stays clean. */
  destination?: NodeJS.WritableStream;
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

export function createLogger(options: LoggerOptions): Logger {
  const redact = { paths: REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]), censor: '[redacted]' };
  const base = { level: options.level, redact, base: { app: 'leakwatch' } };
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
