/**
 * The README's own one-shot commands find the leak, run as a user runs them (real processes, the onion harness, both
 * drivers): `leakwatch crawl <site>` alone matches the post and its file and delivers the alerts; `crawl --crawl-only`
 * then `documents process` does the same in two steps.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { DriverName } from '../../src/store/db.ts';
import { freePort, runCli, startCli } from '../support/cli.ts';
import { findingsOf, registerLab, SCENARIO_KEY, serveLabLeak } from '../support/leak-scenario.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { createScratchPostgres, DRIVERS, type ScratchPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

let harness: OnionHarness;
const scratches: ScratchPostgres[] = [];
beforeAll(async () => {
  harness = await startOnionHarness();
});
afterAll(async () => {
  for (const scratch of scratches) await scratch.drop();
  await harness.stop();
});

/** A fresh installation with the lab registered: the environment its commands run with. */
async function installation(driver: DriverName): Promise<Record<string, string>> {
  const { sitesDir } = serveLabLeak(harness);
  const env: Record<string, string> = {
    LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-data-')),
    LEAKWATCH_SITES_DIR: sitesDir,
    LEAKWATCH_TOR_SOCKS: harness.url,
    LEAKWATCH_SECRET_KEY: SCENARIO_KEY,
  };
  if (driver === 'postgres') {
    const scratch = await createScratchPostgres();
    scratches.push(scratch);
    env.DATABASE_URL = scratch.url;
  }
  await withDatabase(env, (db) => registerLab(db));
  return env;
}

/** Opens the installation's database in this process (closed again before the next command runs). */
async function withDatabase<T>(
  env: Record<string, string>,
  use: (db: Awaited<ReturnType<typeof createAppContext>>['database']['db']) => Promise<T>,
): Promise<T> {
  const ctx = await createAppContext({
    loaded: loadConfig({ env, cwd: tmpdir() }),
    migrate: true,
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  try {
    return await use(ctx.database.db);
  } finally {
    await ctx.close();
  }
}

describe.each(DRIVERS)('one-shot commands find the leak, on %s', (driver) => {
  it('`leakwatch crawl <site>` alone matches the post and its file and delivers the alerts', {
    timeout: 400_000,
  }, async () => {
    const env = await installation(driver);
    const crawl = await runCli(['crawl', 'locker'], { env });
    expect(crawl.code, crawl.stderr).toBe(0);
    expect(crawl.stderr).toContain('clients.csv: extracted');
    expect(crawl.stderr).toMatch(/match created: azur, file \d+ of post \d+, high \(3 email\)/);
    expect(crawl.stderr).toMatch(/alerts: [2-9] written, [2-9] delivered/);

    const findings = await withDatabase(env, async (db) => findingsOf(db, 1));
    expect(findings.postMatches).toHaveLength(1);
    expect(findings.fileMatches).toEqual([
      expect.objectContaining({ identifierCounts: { email: 3 }, severity: 'high' }),
    ]);
    expect(findings.alerts.length).toBeGreaterThanOrEqual(2);
    expect(findings.alerts.every((alert) => alert.state === 'delivered')).toBe(true);
  });

  it('`crawl --crawl-only` leaves the work queued, and `documents process` matches and alerts it', {
    timeout: 400_000,
  }, async () => {
    const env = await installation(driver);
    const crawl = await runCli(['crawl', 'locker', '--crawl-only'], { env });
    expect(crawl.code, crawl.stderr).toBe(0);
    expect(await withDatabase(env, async (db) => findingsOf(db, 1))).toMatchObject({
      postMatches: [],
      fileMatches: [],
    });

    const processed = await runCli(['documents', 'process'], { env });
    expect(processed.code, processed.stderr).toBe(0);
    expect(processed.stderr).toMatch(/matching: 2 posts matched, 1 files downloaded, 1 files read/);
    const findings = await withDatabase(env, async (db) => findingsOf(db, 1));
    expect(findings.postMatches).toHaveLength(1);
    expect(findings.fileMatches).toEqual([
      expect.objectContaining({ identifierCounts: { email: 3 }, severity: 'high' }),
    ]);
    expect(findings.alerts.every((alert) => alert.state === 'delivered')).toBe(true);
  });

  it('`crawl --crawl-only`, then `start`: the service takes up the queued post and file at once', {
    timeout: 400_000,
  }, async () => {
    const env = await installation(driver);
    const crawl = await runCli(['crawl', 'locker', '--crawl-only'], { env });
    expect(crawl.code, crawl.stderr).toBe(0);
    const service = startCli(['start'], {
      env: {
        ...env,
        LEAKWATCH_PORT: String(await freePort()),
        LEAKWATCH_ALERTS_DISPATCH_INTERVAL: '1',
        LEAKWATCH_WORKER_POLL_INTERVAL: '0.5',
      },
    });
    try {
      // The console channel prints each delivered alert: the file's, with its three registered customers.
      await waitFor('the file alert delivered by the service', () => service.output().includes('email=3'), {
        timeoutMs: 300_000,
        intervalMs: 250,
      });
    } finally {
      expect(await service.stop()).toBe(0);
    }
    const findings = await withDatabase(env, async (db) => findingsOf(db, 1));
    expect(findings.postMatches).toHaveLength(1);
    expect(findings.fileMatches).toEqual([expect.objectContaining({ identifierCounts: { email: 3 } })]);
  });
});
