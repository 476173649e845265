/** Data for the web UI tests, written straight into the tables the pipeline fills: hostile where a site controls it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../../src/shared/logger.ts';
import type { Database, Db } from '../../../src/store/db.ts';
import { type LocalEvidenceStore, openEvidenceStore } from '../../../src/store/evidence-store.ts';
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
} from '../../../src/store/schema/index.ts';
import { TorStatusMonitor } from '../../../src/tor/tor-status.ts';
import { type AccessSettings, accessSettings } from '../../../src/web/access.ts';
import { buildWebApp } from '../../../src/web/app.ts';
import { createSite, uniqueId } from '../../store/fixtures.ts';

export const SECRET = 'web-ui-test-secret-key-material-0123456789';

/** What a hostile site may put in a title, a text, a group name, a file name or a URL. */
export const HOSTILE = {
  title: `<script>alert('title')</script> Clinique Müller "><img src=x onerror=alert(1)>`,
  body: `Données patients <a href="javascript:alert('body')">download</a> "><img src=x onerror=alert(2)> <script src="http://evil.example/x.js"></script>`,
  group: `<script>alert('group')</script>Grp`,
  fileName: `<svg onload=alert(3)>.csv`,
  url: `javascript:alert('url')`,
  lastError: `HTTP 404 <img src=x onerror=alert(4)>`,
};

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
export const CAPTURED_HTML = `<html><body><script>alert('capture')</script><h1>We have your data</h1></body></html>`;

export interface Seeded {
  siteId: string;
  orgSlug: string;
  hostilePostId: number;
  plainPostId: number;
  captureId: number;
  documentId: number;
}

export async function seed(db: Db, evidence: LocalEvidenceStore): Promise<Seeded> {
  const siteId = await createSite(db, { name: `Site <b>bold</b>`, groupName: HOSTILE.group });
  const orgSlug = uniqueId('org');
  const [org] = await db
    .insert(organisations)
    .values({ slug: orgSlug, name: 'Laboratoire Azur' })
    .returning();
  if (!org) throw new Error('no organisation');
  const [hostile, plain] = await db
    .insert(posts)
    .values([
      {
        siteId,
        stableKey: 'hostile',
        title: HOSTILE.title,
        bodyText: HOSTILE.body,
        url: HOSTILE.url,
        website: HOSTILE.url,
        status: 'countdown',
        countdownEndsAt: new Date(Date.now() + 3 * 86_400_000),
        firstSeenAt: new Date('2026-03-01T10:00:00Z'),
      },
      {
        siteId,
        stableKey: 'plain',
        title: 'Acme Logistics',
        bodyText: 'Invoices and contracts of Acme, 40 GB.',
        status: 'published',
        publishedAt: new Date('2026-02-20T00:00:00Z'),
        firstSeenAt: new Date('2026-02-28T10:00:00Z'),
      },
    ])
    .returning();
  if (!hostile || !plain) throw new Error('no posts');
  await db.insert(postEvents).values([
    { postId: hostile.id, kind: 'new', details: {} },
    { postId: hostile.id, kind: 'files_added', details: { files: [HOSTILE.fileName] } },
  ]);
  const [document] = await db
    .insert(documents)
    .values({
      name: HOSTILE.fileName,
      sha256: 'ab'.repeat(32),
      sniffedType: 'csv',
      sizeBytes: 2_500_000,
      status: 'failed',
      error: 'extraction failed: <script>bad</script>',
      counts: { rows: 17000 },
    })
    .returning();
  if (!document) throw new Error('no document');
  await db.insert(postDocuments).values({
    postId: hostile.id,
    documentId: document.id,
    sourceUrl: HOSTILE.url,
    fileName: HOSTILE.fileName,
  });
  await db.insert(matches).values({
    postId: hostile.id,
    documentId: document.id,
    orgId: org.id,
    termsHit: [{ termId: 1, pattern: 'azur', count: 12 }],
    identifierCounts: { email: 40, phone: 3 },
    verdict: { recordsMatched: 40, recordsTotal: 17000 },
    categories: ['credentials', 'health'],
    severity: 'critical',
    maskedSamples: ['j***@l***.fr', '+33 6** ** ** 12'],
  });
  const [channel] = await db
    .insert(channels)
    .values({ name: 'soc-discord', type: 'discord', orgId: org.id })
    .returning();
  if (!channel) throw new Error('no channel');
  await db.insert(alerts).values({
    channelId: channel.id,
    orgId: org.id,
    postId: hostile.id,
    kind: 'match',
    dedupeKey: `${org.id}:${hostile.id}:match`,
    severity: 'critical',
    state: 'failed',
    payload: {},
    attempts: 3,
    lastError: HOSTILE.lastError,
  });
  const body = await evidence.put(Buffer.from(CAPTURED_HTML));
  const screenshot = await evidence.put(PNG);
  const [capture] = await db
    .insert(captures)
    .values({
      siteId,
      postId: hostile.id,
      kind: 'post',
      url: HOSTILE.url,
      httpStatus: 200,
      bodySha256: body.sha256,
      screenshotSha256: screenshot.sha256,
      bytes: CAPTURED_HTML.length,
    })
    .returning();
  if (!capture) throw new Error('no capture');
  return {
    siteId,
    orgSlug,
    hostilePostId: hostile.id,
    plainPostId: plain.id,
    captureId: capture.id,
    documentId: document.id,
  };
}

export function testEvidenceStore(): LocalEvidenceStore {
  return openEvidenceStore(mkdtempSync(join(tmpdir(), 'lw-web-evidence-')), SECRET);
}

/** The web app as `leakwatch start` builds it, on a test database; loopback and open unless told otherwise. */
export function testWebApp(
  database: Database,
  options: { evidence?: LocalEvidenceStore; access?: Partial<AccessSettings>; host?: string } = {},
): FastifyInstance {
  const logger = createLogger({ level: 'warn', format: 'json' });
  const access = {
    ...accessSettings({ host: options.host ?? '127.0.0.1', auth: 'auto', publicUrl: null }, SECRET),
    ...options.access,
  };
  return buildWebApp({
    database,
    tor: new TorStatusMonitor('socks5h://127.0.0.1:9', logger),
    logger,
    evidence: options.evidence,
    access,
  });
}
