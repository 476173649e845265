/**
 * Read-only queries behind the analyst UI's post page: everything known about one post, in one place. Match records
 * are read as stored: counts, categories and masked samples, never an identifier (none is stored).
 */
import { asc, desc, eq } from 'drizzle-orm';
import { type AlertTerm, alertTermsColumn } from './alerts-view.repository.ts';
import type { Db } from './db.ts';
import { type Post, postColumns } from './posts-query.repository.ts';
import {
  alerts,
  captures,
  channels,
  documents,
  matches,
  organisations,
  postDocuments,
  postEvents,
  posts,
  sites,
} from './schema/index.ts';

export interface PostDetail {
  post: Post;
  site: { id: string; name: string; groupName: string; health: string };
  events: Array<typeof postEvents.$inferSelect>;
  documents: Array<{
    id: number;
    fileName: string;
    sourceUrl: string;
    name: string;
    sizeBytes: number | null;
    sha256: string | null;
    sniffedType: string | null;
    status: string;
    error: string | null;
    warnings: string[];
    counts: Record<string, number>;
    rawDeletedAt: Date | null;
  }>;
  matches: Array<{
    id: number;
    orgSlug: string;
    orgName: string;
    documentName: string | null;
    termsHit: Array<{ pattern: string; count: number }>;
    identifierCounts: Record<string, number>;
    verdict: { recordsMatched: number; recordsTotal: number } | null;
    categories: string[];
    severity: string;
    maskedSamples: string[];
    updatedAt: Date;
  }>;
  alerts: Array<{
    id: number;
    orgId: number | null;
    siteId: string | null;
    postId: number | null;
    channelName: string;
    channelType: string;
    orgSlug: string | null;
    kind: string;
    severity: string;
    state: string;
    lifecycle: string;
    attempts: number;
    lastError: string | null;
    parentAlertId: number | null;
    createdAt: Date;
    deliveredAt: Date | null;
    terms: AlertTerm[];
  }>;
  captures: Array<{
    id: number;
    url: string;
    httpStatus: number | null;
    bytes: number;
    hasBody: boolean;
    hasScreenshot: boolean;
    capturedAt: Date;
  }>;
}

export async function getPostDetail(db: Db, postId: number): Promise<PostDetail | null> {
  const [row] = await db
    .select({
      post: postColumns,
      site: { id: sites.id, name: sites.name, groupName: sites.groupName, health: sites.health },
    })
    .from(posts)
    .innerJoin(sites, eq(sites.id, posts.siteId))
    .where(eq(posts.id, postId));
  if (!row) return null;
  const [eventRows, documentRows, matchRows, alertRows, captureRows] = await Promise.all([
    db.select().from(postEvents).where(eq(postEvents.postId, postId)).orderBy(asc(postEvents.createdAt)),
    db
      .select({
        id: documents.id,
        fileName: postDocuments.fileName,
        sourceUrl: postDocuments.sourceUrl,
        name: documents.name,
        sizeBytes: documents.sizeBytes,
        sha256: documents.sha256,
        sniffedType: documents.sniffedType,
        status: documents.status,
        error: documents.error,
        warnings: documents.warnings,
        counts: documents.counts,
        rawDeletedAt: documents.rawDeletedAt,
      })
      .from(postDocuments)
      .innerJoin(documents, eq(documents.id, postDocuments.documentId))
      .where(eq(postDocuments.postId, postId))
      .orderBy(asc(postDocuments.id)),
    db
      .select({
        id: matches.id,
        orgSlug: organisations.slug,
        orgName: organisations.name,
        documentName: documents.name,
        termsHit: matches.termsHit,
        identifierCounts: matches.identifierCounts,
        verdict: matches.verdict,
        categories: matches.categories,
        severity: matches.severity,
        maskedSamples: matches.maskedSamples,
        updatedAt: matches.updatedAt,
      })
      .from(matches)
      .innerJoin(organisations, eq(organisations.id, matches.orgId))
      .leftJoin(documents, eq(documents.id, matches.documentId))
      .where(eq(matches.postId, postId))
      .orderBy(asc(organisations.slug), asc(matches.id)),
    db
      .select({
        id: alerts.id,
        orgId: alerts.orgId,
        siteId: alerts.siteId,
        postId: alerts.postId,
        channelName: channels.name,
        channelType: channels.type,
        orgSlug: organisations.slug,
        kind: alerts.kind,
        severity: alerts.severity,
        state: alerts.state,
        lifecycle: alerts.lifecycle,
        attempts: alerts.attempts,
        lastError: alerts.lastError,
        parentAlertId: alerts.parentAlertId,
        createdAt: alerts.createdAt,
        deliveredAt: alerts.deliveredAt,
        terms: alertTermsColumn,
      })
      .from(alerts)
      .innerJoin(channels, eq(channels.id, alerts.channelId))
      .leftJoin(organisations, eq(organisations.id, alerts.orgId))
      .where(eq(alerts.postId, postId))
      .orderBy(desc(alerts.id)),
    db
      .select({
        id: captures.id,
        url: captures.url,
        httpStatus: captures.httpStatus,
        bytes: captures.bytes,
        bodySha256: captures.bodySha256,
        screenshotSha256: captures.screenshotSha256,
        capturedAt: captures.capturedAt,
      })
      .from(captures)
      .where(eq(captures.postId, postId))
      .orderBy(desc(captures.capturedAt), desc(captures.id)),
  ]);
  return {
    post: row.post,
    site: row.site,
    events: eventRows,
    documents: documentRows,
    matches: matchRows.map((match) => ({
      ...match,
      termsHit: match.termsHit.map((term) => ({ pattern: term.pattern, count: term.count })),
    })),
    alerts: alertRows,
    captures: captureRows.map(({ bodySha256, screenshotSha256, ...capture }) => ({
      ...capture,
      hasBody: bodySha256 !== null,
      hasScreenshot: screenshotSha256 !== null,
    })),
  };
}

/** The evidence a capture points to, for serving it (the sha256 never goes through the URL). */
export async function captureEvidence(
  db: Db,
  captureId: number,
): Promise<{ postId: number | null; bodySha256: string | null; screenshotSha256: string | null } | null> {
  const [row] = await db
    .select({
      postId: captures.postId,
      bodySha256: captures.bodySha256,
      screenshotSha256: captures.screenshotSha256,
    })
    .from(captures)
    .where(eq(captures.id, captureId));
  return row ?? null;
}
