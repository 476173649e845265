import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { dispatchOptionsFromConfig, startAlertDispatcher } from '../../src/alert/dispatch-job.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { ALL_JOBS, alertDispatchJob } from '../../src/queue/jobs.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alerts } from '../../src/store/schema/index.ts';
import { createPost } from '../match/support.ts';
import { uniqueId } from '../store/fixtures.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

const SECRET = 'test-secret-key-material-0123456789abcdef';

describe('alert dispatch in a worker', () => {
  let testDb: TestDatabase;
  let discord: MockDiscord;
  beforeAll(async () => {
    testDb = await openTestDatabase('pglite');
    discord = await startMockDiscord();
  });
  afterAll(async () => {
    await discord?.close();
    await testDb?.close();
  });

  it('reads its options from the alerts configuration section and the job is registered', () => {
    const { config } = loadConfig({
      env: { LEAKWATCH_ALERTS_RETRY_HORIZON_HOURS: '2', LEAKWATCH_DISCORD_API: 'http://127.0.0.1:9/api' },
    });
    const options = dispatchOptionsFromConfig({
      config,
      secretKey: { material: SECRET, source: 'configuration' },
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    expect(options.horizonMs).toBe(2 * 3600_000);
    expect(options.apiBase).toEqual({ discord: 'http://127.0.0.1:9/api' });
    expect(ALL_JOBS).toContain(alertDispatchJob);
  });

  it('delivers pending alerts on its periodic pass', async () => {
    const { db } = testDb.database;
    const org = await createOrganisation(db, { slug: uniqueId('o'), name: 'Org', domains: [], terms: [] });
    const channelId = await addChannel(db, SECRET, {
      orgId: org.id,
      name: 'd',
      type: 'discord',
      secret: { id: '77', token: 'tok' },
    });
    const post = await createPost(db, { title: 'p' });
    await db.insert(alerts).values({
      channelId,
      orgId: org.id,
      postId: post.id,
      kind: 'match',
      dedupeKey: 'k',
      severity: 'low',
      payload: {
        version: 1,
        kind: 'match',
        severity: 'low',
        organisation: { id: org.id, name: 'Org' },
        site: { id: 's', name: 's', group: 'g' },
        post: {
          id: post.id,
          title: 'p',
          status: 'unknown',
          firstSeenAt: new Date().toISOString(),
          link: 'http://x/posts/1',
        },
        documentId: null,
        documentName: null,
        terms: [],
        identifierCounts: {},
        verdict: null,
        categories: [],
        health: false,
        maskedSamples: [],
        gdpr: { clockStartedAt: new Date().toISOString(), deadline: new Date().toISOString() },
        followUp: null,
      },
    });
    const { config } = loadConfig({
      env: { LEAKWATCH_ALERTS_DISPATCH_INTERVAL: '0.2', LEAKWATCH_DISCORD_API: discord.api },
    });
    const ctx = {
      config,
      database: testDb.database,
      secretKey: { material: SECRET, source: 'configuration' },
      logger: createLogger({ level: 'silent', format: 'json' }),
    } as unknown as AppContext;
    const dispatcher = startAlertDispatcher(ctx);
    try {
      await waitFor(
        'the alert delivered',
        async () =>
          (await db.select().from(alerts).where(eq(alerts.dedupeKey, 'k')))[0]?.state === 'delivered',
      );
    } finally {
      await dispatcher.stop();
    }
    expect(discord.delivered()).toHaveLength(1);
  });
});
