import { eq } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { postDocuments, posts } from '../store/schema/index.ts';
import type { KnownPost } from './post-diff.ts';

/** The site's stored posts with the attachment URLs already linked, as change detection needs them. */
export async function loadKnownPosts(db: Db, siteId: string): Promise<KnownPost[]> {
  const rows = await db
    .select({
      id: posts.id,
      stableKey: posts.stableKey,
      title: posts.title,
      status: posts.status,
      bodyText: posts.bodyText,
      countdownEndsAt: posts.countdownEndsAt,
      removedAt: posts.removedAt,
      missingRuns: posts.missingRuns,
    })
    .from(posts)
    .where(eq(posts.siteId, siteId));
  const links = await db
    .select({ postId: postDocuments.postId, sourceUrl: postDocuments.sourceUrl })
    .from(postDocuments)
    .innerJoin(posts, eq(posts.id, postDocuments.postId))
    .where(eq(posts.siteId, siteId));
  const attachments = new Map<number, string[]>();
  for (const link of links)
    attachments.set(link.postId, [...(attachments.get(link.postId) ?? []), link.sourceUrl]);
  return rows.map((row) => ({ ...row, attachments: attachments.get(row.id) ?? [] }));
}
