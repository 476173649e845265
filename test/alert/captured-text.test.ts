/** Identifiers inside captured titles and file names are masked before an alert payload or a digest line holds them. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { maskIdentifiersIn } from '../../src/alert/captured-text.ts';
import { addChannel } from '../../src/alert/channel-store.ts';
import { digestNotice } from '../../src/alert/digest.ts';
import type { AlertPayload } from '../../src/alert/payload.ts';
import { writeReadingAlerts } from '../../src/alert/site-alerts.ts';
import { alerts } from '../../src/store/schema/index.ts';
import { createPost, SECRET } from '../match/support.ts';
import { createSite, uniqueId } from '../store/fixtures.ts';
import { openTestDatabase } from '../support/test-database.ts';

describe('identifiers in captured text', () => {
  it('masks e-mails and NIRs in a title and in a file name, wherever they stand', () => {
    expect(maskIdentifiersIn('Azur: helene.dupont@orange.fr, NIR 2 80 03 75 118 042 24 — sample')).toBe(
      'Azur: h***.d***@orange.fr, NIR 2************4 — sample',
    );
    expect(maskIdentifiersIn('dump.zip/2024/marc.ollivier@free.fr_185077512345608.csv')).toBe(
      'dump.zip/2024/m***.o***@free.fr_1************8.csv',
    );
  });

  it('masks phone numbers (national ones for the configured regions), IBANs and card numbers', () => {
    expect(maskIdentifiersIn('call +33 6 71 82 93 04 or 06 12 34 56 78', ['FR'])).toBe(
      'call +33*******04 or +33*******78',
    );
    expect(maskIdentifiersIn('06 12 34 56 78')).toBe('06 12 34 56 78'); // no region: a national number is not read
    const iban = maskIdentifiersIn('pay FR76 3000 6000 0112 3456 7890 189');
    expect(iban).toMatch(/^pay FR\*+89$/);
    expect(maskIdentifiersIn('card 4111 1111 1111 1111')).toMatch(/^card 41\*+11$/);
  });

  it('leaves text without identifiers as it was (dates, counts, versions)', () => {
    const title = 'Laboratoire Azur — 40 000 patients, 2024-03-15, v2.1.0, 3 TB';
    expect(maskIdentifiersIn(title, ['FR'])).toBe(title);
  });

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
      const post = await createPost(db, { siteId, title: 'Azur: helene.dupont@orange.fr 280037511804224' });
      expect(
        await writeReadingAlerts(db, { siteId, baseline: false, newPostIds: [post.id], now: new Date() }),
      ).toBe(1);
      const [row] = await db.select().from(alerts).where(eq(alerts.channelId, channelId));
      const stored = JSON.stringify(row?.payload);
      expect(stored).toContain('Azur: h***.d***@orange.fr 2************4');
      expect(stored).not.toContain('helene');
      expect(stored).not.toContain('280037511804224');
    } finally {
      await testDb.close();
    }
  });
});
