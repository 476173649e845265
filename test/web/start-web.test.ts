/**
 * The UI as `leakwatch start` serves it: the link an alert carries (<publicUrl>/posts/<id>) opens the post, and
 * captures are decrypted from the process's own evidence store (data dir + secret key), on PostgreSQL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.ts';
import { openEvidenceStore } from '../../src/store/evidence-store.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { freePort, type RunningCli, startCli, waitForHttp } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';
import { CAPTURED_HTML, PNG, SECRET, type Seeded, seed } from './support/seed.ts';

describe('the web UI of leakwatch start', () => {
  let scratch: ScratchPostgres;
  let running: RunningCli | undefined;
  let seeded: Seeded;
  let base: string;

  beforeAll(async () => {
    scratch = await createScratchPostgres();
    const dataDir = mkdtempSync(join(tmpdir(), 'lw-web-start-'));
    const database = await openDatabase({ url: scratch.url, dataDir, poolSize: 2 });
    try {
      await migrateDatabase(database);
      seeded = await seed(database.db, openEvidenceStore(dataDir, SECRET));
    } finally {
      await database.close();
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    running = startCli(['start'], {
      env: {
        DATABASE_URL: scratch.url,
        LEAKWATCH_DATA_DIR: dataDir,
        LEAKWATCH_SECRET_KEY: SECRET,
        LEAKWATCH_PORT: String(port),
        LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9',
      },
    });
    await waitForHttp(`${base}/healthz`, running);
  });
  afterAll(async () => {
    await running?.stop('SIGKILL');
    await scratch?.drop();
  });

  it('opens an alert link to the post, and serves its screenshot and captured page from the evidence store', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/posts');

    const post = await fetch(`${base}/posts/${seeded.hostilePostId}`);
    expect(post.status).toBe(200);
    expect(post.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await post.text();
    expect(page).toContain('Clinique Müller');
    expect(page).not.toContain('<script');

    const screenshot = await fetch(`${base}/captures/${seeded.captureId}/screenshot`);
    expect(screenshot.status).toBe(200);
    expect(screenshot.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await screenshot.arrayBuffer()).equals(PNG)).toBe(true);

    const captured = await fetch(`${base}/captures/${seeded.captureId}/page.txt`);
    expect(captured.status).toBe(200);
    expect(captured.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(captured.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(await captured.text()).toBe(CAPTURED_HTML);

    expect(await running?.stop('SIGTERM')).toBe(0);
  });
});
