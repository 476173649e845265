import type { Config } from '../../config/schema.ts';
import { resolveSecretKey } from '../../config/secret-key.ts';
import { isAppError } from '../../shared/errors.ts';
import { openDatabase } from '../../store/db.ts';
import { migrationStatus } from '../../store/migrate.ts';
import { parseSocksUrl, probeSocks } from '../../tor/socks-probe.ts';
import { queryBootstrap } from '../../tor/tor-control.ts';
import { type CheckResult, fail, ok, warn } from './check.ts';

export function checkSecretKey(config: Config): CheckResult {
  try {
    const key = resolveSecretKey(config, { create: false });
    return ok('secret key', key.source === 'configuration' ? 'configured' : `in ${key.path}`);
  } catch (error) {
    if (isAppError(error) && error.code === 'secret_key.missing') {
      return warn(
        'secret key',
        'none yet',
        config.database.url === null
          ? 'the first command that needs one (`leakwatch start`, `org add`, `crawl`, …) generates it in the data directory; back it up'
          : '`leakwatch start` generates one in the data directory; split processes need LEAKWATCH_SECRET_KEY or LEAKWATCH_SECRET_KEY_FILE',
      );
    }
    return fail('secret key', (error as Error).message, isAppError(error) ? (error.hint ?? '') : '');
  }
}

export async function checkDatabase(config: Config): Promise<CheckResult> {
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    database = await openDatabase({ url: config.database.url, dataDir: config.dataDir, poolSize: 1 });
    const status = await migrationStatus(database);
    if (!status.current) {
      return warn(
        'database',
        `${database.location}: ${status.pending} of ${status.known} migrations pending`,
        'run `leakwatch migrate` (or `leakwatch start`, which migrates)',
      );
    }
    return ok('database', `${database.location}: schema current (${status.applied} migrations)`);
  } catch (error) {
    if (isAppError(error) && error.code === 'db.pglite_in_use')
      return checkThroughRunningInstance(config, error.message);
    return fail(
      'database',
      (error as Error).message,
      isAppError(error) ? (error.hint ?? '') : 'check DATABASE_URL',
    );
  } finally {
    await database?.close();
  }
}

/** The embedded database belongs to a running leakwatch: ask it instead of opening the files. */
async function checkThroughRunningInstance(config: Config, why: string): Promise<CheckResult> {
  const url = `http://${config.web.host === '0.0.0.0' ? '127.0.0.1' : config.web.host}:${config.web.port}/readyz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json()) as { checks?: { database?: { migrationsCurrent?: boolean } } };
    if (response.ok && body.checks?.database?.migrationsCurrent) {
      return ok(
        'database',
        `embedded database in use by the running leakwatch, which reports it ready (${url})`,
      );
    }
    return fail('database', `the running leakwatch reports its database not ready (${url})`, 'see its logs');
  } catch {
    return fail(
      'database',
      why,
      'stop the other process, or use PostgreSQL (DATABASE_URL) for several processes',
    );
  }
}

export async function checkTorSocks(config: Config, torBinaryPresent: boolean): Promise<CheckResult> {
  const probe = await probeSocks(config.tor.socks);
  if (probe.reachable) {
    const bootstrap = config.tor.control
      ? await queryBootstrap(config.tor.control, { password: config.tor.controlPassword }).then(
          (status) => `; bootstrap ${status.progress}% (${status.summary})`,
          (error: Error) => `; control port: ${error.message}`,
        )
      : '';
    return ok('tor socks', `${probe.detail} (${probe.latencyMs} ms)${bootstrap}`);
  }
  const { host } = parseSocksUrl(config.tor.socks);
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  if (config.tor.mode !== 'external' && loopback && torBinaryPresent) {
    return warn(
      'tor socks',
      `${probe.detail}; \`leakwatch start\` will run its own tor there (tor.mode=${config.tor.mode})`,
      'nothing to do, or start a system tor (service tor start) to share it',
    );
  }
  return fail(
    'tor socks',
    `${probe.detail}; leak sites cannot be crawled (runs are recorded as tor_unavailable)`,
    'install and start Tor (apt-get install tor; it listens on 127.0.0.1:9050), or set LEAKWATCH_TOR_SOCKS=socks5h://HOST:PORT',
  );
}
