import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningCli, runCli, startCli, waitForHttp } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';

const running: RunningCli[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((process) => process.stop('SIGKILL')));
});

async function start(env: Record<string, string>) {
  const port = await freePort();
  const cli = startCli(['start'], {
    env: { LEAKWATCH_PORT: String(port), LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9', ...env },
  });
  running.push(cli);
  const health = await waitForHttp(`http://127.0.0.1:${port}/healthz`, cli);
  return { cli, port, health };
}

describe('leakwatch start', () => {
  it('serves /healthz and /readyz on a fresh embedded database, creating the secret key, without Tor', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lw-start-'));
    const { cli, port, health } = await start({ LEAKWATCH_DATA_DIR: dataDir });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, unknown> };
    expect(ready.status).toBe(200);
    expect(body.checks.database).toMatchObject({
      reachable: true,
      driver: 'pglite',
      migrationsCurrent: true,
    });
    expect(body.checks.tor).toMatchObject({ required: false });

    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(cli.output()).toContain('generated a new secret key');
    expect(cli.output()).toContain('Tor SOCKS proxy not reachable');
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');

    expect(await cli.stop('SIGTERM')).toBe(0);
    expect(cli.output()).toContain('shutting down');
  });

  it('refuses a second process on the same embedded database with a clear message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lw-start-'));
    const first = await start({ LEAKWATCH_DATA_DIR: dataDir });
    const second = await runCli(['start'], {
      env: { LEAKWATCH_DATA_DIR: dataDir, LEAKWATCH_PORT: String(await freePort()) },
    });
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`in use by process ${first.cli.child.pid}`);
    expect(second.stderr).toContain('DATABASE_URL');
    // The first one is unharmed.
    expect((await fetch(`http://127.0.0.1:${first.port}/readyz`)).status).toBe(200);
  });

  it('exits 5 with a hint, not a stack trace, when the web host is not usable', async () => {
    // A name under .invalid never resolves (RFC 2606); 192.0.2.1 (TEST-NET-1) is never an address of this machine.
    for (const [host, reason] of [
      ['leakwatch-test.invalid', 'does not resolve'],
      ['192.0.2.1', 'is not an address of this machine'],
    ] as const) {
      const result = await runCli(['start'], {
        env: {
          LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-start-')),
          LEAKWATCH_HOST: host,
          LEAKWATCH_PORT: String(await freePort()),
          LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9',
        },
      });
      expect(result.code).toBe(5);
      expect(result.stderr).toContain(`the web UI cannot listen on ${host}:`);
      expect(result.stderr).toContain(reason);
      expect(result.stderr).toContain('hint: set LEAKWATCH_HOST');
      expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    }
  });

  describe('on PostgreSQL', () => {
    let scratch: ScratchPostgres;
    beforeAll(async () => {
      scratch = await createScratchPostgres();
    });
    afterAll(() => scratch.drop());

    it('migrates and serves, with DATABASE_URL', async () => {
      const { port } = await start({
        DATABASE_URL: scratch.url,
        LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-')),
      });
      const body = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
        checks: Record<string, unknown>;
      };
      expect(body.checks.database).toMatchObject({
        reachable: true,
        driver: 'postgres',
        migrationsCurrent: true,
      });
    });

    it('exits 4 with the database reason when a migration fails', async () => {
      const broken = await createScratchPostgres();
      try {
        // A table that is in the way of the schema migration makes it fail.
        const sql = postgres(broken.url, { max: 1, onnotice: () => undefined });
        await sql`create table posts (id text)`;
        await sql.end();
        const result = await runCli(['start'], {
          env: {
            DATABASE_URL: broken.url,
            LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-')),
            LEAKWATCH_PORT: '0',
          },
        });
        expect(result.code).toBe(4);
        expect(result.stderr).toMatch(/database migration failed: .*"posts" already exists/);
      } finally {
        await broken.drop();
      }
    });
  });
});
