/**
 * The data directory holds the secret key, the embedded database (and its WAL) and the evidence: everything in it is
 * owner-only (0700/0600) as leakwatch creates it, an older installation's open files are closed when the database is
 * opened, and `doctor` names what is open to others.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Entries under `root` (itself included) that group or others may access. */
function openToOthers(root: string): string[] {
  const stats = lstatSync(root);
  const own = stats.mode & 0o077 ? [`${root} ${(stats.mode & 0o777).toString(8)}`] : [];
  if (!stats.isDirectory()) return own;
  return [...own, ...readdirSync(root).flatMap((name) => openToOthers(join(root, name)))];
}

describe('data directory permissions', () => {
  it('creates the database owner-only, closes files an older version left open, and doctor names them', {
    timeout: 300_000,
  }, async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'lw-perm-')), 'data');
    const env = { LEAKWATCH_DATA_DIR: dataDir, LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9' };
    const migrated = await runCli(['migrate'], { env });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(modeOf(dataDir)).toBe(0o700);
    const wal = join(dataDir, 'pglite', 'pg_wal');
    expect(readdirSync(wal).length).toBeGreaterThan(0);
    expect(openToOthers(dataDir)).toEqual([]);

    const healthy = JSON.parse((await runCli(['doctor', '--json'], { env })).stdout);
    expect(healthy.checks.find((c: { name: string }) => c.name === 'data directory')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('owner-only'),
    });

    // As an older version (or a lax umask) left it: the directory and the database's files open to everyone.
    const version = join(dataDir, 'pglite', 'PG_VERSION');
    chmodSync(dataDir, 0o755);
    chmodSync(version, 0o666);
    const open = JSON.parse((await runCli(['doctor', '--json'], { env })).stdout);
    const check = open.checks.find((c: { name: string }) => c.name === 'data directory');
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining('open to other users') });
    expect(check.hint).toContain(`chmod -R go-rwx ${dataDir}`);

    // Opening the database closes them.
    expect((await runCli(['migrate'], { env })).code).toBe(0);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(version)).toBe(0o600);
    expect(openToOthers(dataDir)).toEqual([]);
  });
});
