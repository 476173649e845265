import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'lw-cli-'));

describe('leakwatch CLI', () => {
  it('lists every command in --help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['start', 'web', 'scheduler', 'worker', 'migrate', 'config', 'doctor']) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });

  it('has --help on each command', async () => {
    const result = await runCli(['doctor', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--json');
  });

  it('exits 2 on an unknown command', async () => {
    const result = await runCli(['crawl-everything']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command/);
  });

  it('exits 3 on a bad configuration value and names the key and variable', async () => {
    const result = await runCli(['config'], { env: { LEAKWATCH_PORT: 'http' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('web.port = "http" (from LEAKWATCH_PORT)');
    expect(result.stdout).toBe('');
  });

  it('exits 3 on an unknown time zone or a web host that is not one, naming both keys', async () => {
    const result = await runCli(['config'], {
      env: { LEAKWATCH_TIMEZONE: 'Mars/Olympus', LEAKWATCH_HOST: 'http://0.0.0.0:8080' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'scheduler.timezone = "Mars/Olympus" (from LEAKWATCH_TIMEZONE): expected an IANA time zone',
    );
    expect(result.stderr).toContain('web.host = "http://0.0.0.0:8080" (from LEAKWATCH_HOST)');
    const fine = await runCli(['config', '--json'], {
      env: { LEAKWATCH_TIMEZONE: 'Europe/Paris', LEAKWATCH_HOST: '::' },
    });
    expect(fine.code).toBe(0);
  });

  it('config --json prints one JSON document with secrets masked and sources', async () => {
    const result = await runCli(['config', '--json'], {
      env: { LEAKWATCH_SECRET_KEY: 'q'.repeat(40), DATABASE_URL: 'postgres://lw:topsecret@db:5432/lw' },
    });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.config.secretKey).toBe('********');
    expect(document.config.database.url).toBe('postgres://lw:********@db:5432/lw');
    expect(document.sources['database.url']).toBe('DATABASE_URL');
    expect(result.stdout + result.stderr).not.toContain('topsecret');
    expect(result.stdout + result.stderr).not.toContain('q'.repeat(40));
  });

  it('config --config FILE reads an extra YAML file', async () => {
    const file = join(dataDir(), 'extra.yaml');
    writeFileSync(file, 'web:\n  port: 9999\n');
    const result = await runCli(['--config', file, 'config', '--json']);
    expect(JSON.parse(result.stdout).config.web.port).toBe(9999);
  });

  describe('migrate', () => {
    let scratch: ScratchPostgres;
    beforeAll(async () => {
      scratch = await createScratchPostgres();
    });
    afterAll(() => scratch.drop());

    it('applies migrations on the embedded database and reports JSON', async () => {
      const result = await runCli(['migrate', '--json'], { env: { LEAKWATCH_DATA_DIR: dataDir() } });
      expect(result.code).toBe(0);
      const status = JSON.parse(result.stdout);
      expect(status).toMatchObject({ ok: true, current: true, pending: 0 });
      expect(status.applied).toBe(status.known);
      expect(status.database).toContain('PGlite');
    });

    it('applies migrations on PostgreSQL', async () => {
      const result = await runCli(['migrate', '--json'], {
        env: { DATABASE_URL: scratch.url, LEAKWATCH_DATA_DIR: dataDir() },
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, current: true });
    });

    it('exits 4 with the reason when PostgreSQL cannot be reached', async () => {
      const result = await runCli(['migrate'], {
        env: {
          DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_database_lw',
          LEAKWATCH_DATA_DIR: dataDir(),
        },
      });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/cannot connect to PostgreSQL .*no_such_database_lw.*does not exist/);
    });
  });

  describe('doctor', () => {
    let fakeSocks: Server;
    let socksPort = 0;
    beforeAll(async () => {
      // Answers the SOCKS5 greeting only: all doctor checks is that a SOCKS5 server is listening.
      fakeSocks = createServer((socket) => socket.once('data', () => socket.end(Buffer.from([0x05, 0x00]))));
      await new Promise<void>((resolve) => fakeSocks.listen(0, '127.0.0.1', resolve));
      socksPort = (fakeSocks.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => fakeSocks.close(() => resolve())));

    it('names each missing piece with a fix and exits 1', async () => {
      const result = await runCli(['doctor', '--json'], {
        env: {
          LEAKWATCH_DATA_DIR: dataDir(),
          LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9',
          LEAKWATCH_CHROMIUM_PATH: '/nonexistent/chromium',
        },
      });
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      const check = (name: string) => report.checks.find((c: { name: string }) => c.name === name);
      expect(report.ok).toBe(false);
      expect(check('tor socks')).toMatchObject({ status: 'fail' });
      expect(check('tor socks').hint).toContain('LEAKWATCH_TOR_SOCKS');
      expect(check('chromium')).toMatchObject({ status: 'fail' });
      expect(check('chromium').hint).toContain('apt-get install chromium');
      expect(check('database').status).not.toBe('fail');
      expect(check('configuration').status).toBe('ok');
      // On the embedded database the first command that needs a key makes it, not only `start`.
      expect(check('secret key')).toMatchObject({ status: 'warn', detail: 'none yet' });
      expect(check('secret key').hint).toContain('`org add`');
    });

    it('reports Tor reachable when a SOCKS5 proxy answers', async () => {
      const result = await runCli(['doctor', '--json'], {
        env: { LEAKWATCH_DATA_DIR: dataDir(), LEAKWATCH_TOR_SOCKS: `socks5h://127.0.0.1:${socksPort}` },
      });
      const report = JSON.parse(result.stdout);
      expect(report.checks.find((c: { name: string }) => c.name === 'tor socks').status).toBe('ok');
    });

    it('reports an invalid configuration as a failed check rather than crashing', async () => {
      const result = await runCli(['doctor', '--json'], {
        env: { LEAKWATCH_TOR_SOCKS: 'http://proxy:3128' },
      });
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.checks.find((c: { name: string }) => c.name === 'configuration')).toMatchObject({
        status: 'fail',
      });
      expect(report.checks.find((c: { name: string }) => c.name === 'configuration').detail).toContain(
        'tor.socks',
      );
    });
  });
});
