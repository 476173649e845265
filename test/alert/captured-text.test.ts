/**
 * Identifiers inside captured titles and file names are masked before an alert payload or a digest line holds them
 * (the masking itself: test/match/mask-text.test.ts).
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { digestNotice } from '../../src/alert/digest.ts';
import type { AlertPayload } from '../../src/alert/payload.ts';
import { writeReadingAlerts } from '../../src/alert/site-alerts.ts';
import { alerts } from '../../src/store/schema/index.ts';
import { createPost, SECRET } from '../match/support.ts';
import { createSite, uniqueId } from '../store/fixtures.ts';
import { openTestDatabase } from '../support/test-database.ts';

describe('identifiers in captured text of alerts', () => {
  it('masks digest lines of payloads written before titles were masked', () => {
    const payload = {
      organisation: { id: 1, name: 'Azur' },
      site: { id: 's', name: 'Site', group: 'Group' },
      post: { id: 1, title: 'leak of helene.dupont@orange.fr', link: 'http://lw/posts/1' },
      terms: [],
      followUp: null,
    } as unknown as AlertPayload;
    const notice = digestNotice([{ id: 4, payload: payload as unknown as Record<string, unknown> }]);
    expect(notice.description).toContain('"leak of h***.d***@orange.fr"');
    expect(notice.description).not.toContain('helene');
  });

  it('stores a new post alert for the analysts with the title masked', async () => {
    const testDb = await openTestDatabase('pglite');
    try {
      const { db } = testDb.database;
      const siteId = await createSite(db);
      const channelId = await addChannel(db, SECRET, {
        orgId: null,
        name: uniqueId('analysts'),
        type: 'console',
        settings: { newPosts: true, digest: false },
      });
      const post = await createPost(db, {
        siteId,
        title: 'Azur: helene.dupont@orange.fr 280037511804224, tel 06 98 76 54 32',
      });
      expect(
        await writeReadingAlerts(db, {
          siteId,
          baseline: false,
          newPostIds: [post.id],
          phoneRegions: ['FR'],
          now: new Date(),
        }),
      ).toBe(1);
      const [row] = await db.select().from(alerts).where(eq(alerts.channelId, channelId));
      const stored = JSON.stringify(row?.payload);
      expect(stored).toContain('Azur: h***.d***@orange.fr 2************4, tel +33*******32');
      expect(stored).not.toContain('helene');
      expect(stored).not.toContain('280037511804224');
      expect(stored).not.toContain('98 76 54');
    } finally {
      await testDb.close();
    }
  });
});
