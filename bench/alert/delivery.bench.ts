/**
 * alert.record_to_delivery_s: from a post recorded in the database (as the crawler leaves it) to the alert accepted by
 * a (local mock) Discord: matchPost with the outbox hook, then a dispatcher pass as the alert.dispatch job runs it,
 * discord.js sending the embed. Median over posts on embedded PGlite. The crawl fetch and the wait for a dispatcher pass
 * are not included: alert.fetch_to_delivery_s (fetch-to-delivery.bench.ts) measures the whole pipeline.
 */
import { addChannel } from '../../src/alert/channel-store.ts';
import { DEFAULT_DISPATCH, dispatchDue } from '../../src/alert/dispatcher.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { createMatchDeps, matchPost } from '../../src/match/match-service.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { upsertPost } from '../../src/store/posts.repository.ts';
import { createSite } from '../../test/store/fixtures.ts';
import { startMockDiscord } from '../../test/support/mock-discord.ts';
import type { Benchmark } from '../registry.ts';
import { median } from '../support/stats.ts';

const POSTS = 30;
const SECRET = 'bench-secret-key-material-0123456789abcdef';

export const alertDeliveryBench: Benchmark = {
  name: 'alert.record_to_delivery_s',
  unit: 's',
  goal: '< 5 s from a recorded post to the alert in Discord (issue 7), median; the figure here excludes the fetch',
  async run() {
    const database = await openDatabase({ url: null, dataDir: 'memory://' });
    const discord = await startMockDiscord();
    try {
      await migrateDatabase(database);
      const db = database.db;
      const logger = createLogger({ level: 'silent', format: 'json' });
      const deps = createMatchDeps({
        database,
        logger,
        secretKey: { material: SECRET, source: 'configuration' },
      });
      const org = await createOrganisation(db, {
        slug: 'bench-lab',
        name: 'Laboratoire Azur Analytics',
        domains: ['labo-azur.fr'],
        terms: [{ kind: 'phrase', pattern: 'Azur Analytics' }],
      });
      await addChannel(db, SECRET, {
        orgId: org.id,
        name: 'bench',
        type: 'discord',
        secret: { id: '1', token: 't' },
      });
      const siteId = await createSite(db);
      const outbox = alertOutbox({ publicUrl: 'http://127.0.0.1:8080' });
      const options = { ...DEFAULT_DISPATCH, material: SECRET, apiBase: { discord: discord.api } };
      const times: number[] = [];
      for (let i = 0; i < POSTS; i++) {
        const { post } = await upsertPost(db, {
          siteId,
          stableKey: `bench-${i}`,
          title: `Azur Analytics part ${i}`,
          bodyText: 'All files of Azur Analytics will be published',
          website: null,
        });
        const start = performance.now();
        await matchPost(deps, post.id, { onMatches: outbox });
        const report = await dispatchDue(db, options);
        if (report.delivered !== 1) throw new Error(`expected one delivery, got ${JSON.stringify(report)}`);
        times.push((performance.now() - start) / 1000);
      }
      if (discord.delivered().length !== POSTS)
        throw new Error('the mock Discord did not receive every alert');
      const sorted = [...times].sort((a, b) => a - b);
      return {
        value: Number(median(times).toFixed(4)),
        detail: {
          posts: POSTS,
          p90_s: Number((sorted[Math.floor(sorted.length * 0.9)] as number).toFixed(4)),
          max_s: Number((sorted.at(-1) as number).toFixed(4)),
          driver: 'pglite',
          note: 'excludes the crawl fetch and the periodic pass wait (alerts.dispatchIntervalSeconds, default 5 s)',
        },
      };
    } finally {
      await discord.close();
      await database.close();
    }
  },
};
