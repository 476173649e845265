/**
 * The matching entry points the pipeline calls:
 *
 * - `matchPost(deps, postId)` after a crawl recorded a new or changed post (its title, body and website);
 * - `matchDocument(deps, { postId, documentId, records })` after a document was extracted to text records, and
 *   `matchDocumentForPosts` when several posts link it (read and analysed once, recorded for each post);
 * - `recordDocumentForNewPosts(deps, documentId)` when a post links a document already read for another post: the
 *   findings are copied, the file is not read again;
 *
 * Each analyses the content against every organisation's watch terms and registered identifiers, then writes one
 * match record per organisation in ONE transaction and returns what changed (`MatchOutcome.changes`: created, grown
 * with more identifiers or new categories, or updated). Pass `onMatches(tx, outcome)` to write alert outbox rows in
 * that same transaction. Re-running on the same content is idempotent (unchanged records are not rewritten).
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { CountryCode } from 'libphonenumber-js/max';
import type { AppContext } from '../app/context.ts';
import type { TextRecord, TextRecordStream } from '../extract/text-record.ts';
import { InputError, RetryableError } from '../shared/errors.ts';
import { type Logger, moduleLogger } from '../shared/logger.ts';
import type { Db } from '../store/db.ts';
import { withDbErrors } from '../store/db-errors.ts';
import { contentFingerprints, documents, postDocuments, posts } from '../store/schema/index.ts';
import { ContentAnalysis } from './analyse.ts';
import { fold } from './fold.ts';
import { createHasher, type IdentifierHasher } from './hasher.ts';
import type { DateOrder } from './identifiers/dates.ts';
import { supportedPhoneRegions } from './phone-regions.ts';
import {
  copyDocumentMatches,
  type MatchOutcome,
  type OnMatches,
  postTextSha256,
  recordMatches,
} from './record-matches.ts';
import { RegistryCache, TermsCache } from './registry.ts';

export type { MatchChange, MatchOutcome, NearDuplicate, OnMatches } from './record-matches.ts';

export interface MatchOptions {
  /** Masked samples kept per match record; 0 turns samples off. */
  samples: number;
  /** Locations kept per match record. */
  locations: number;
  /** Regions whose national phone number format is read in leaked text. */
  phoneRegions: CountryCode[];
  /** How ambiguous numeric dates (03/04/1980) are read. */
  dateOrder: DateOrder;
}

export const DEFAULT_MATCH_OPTIONS: MatchOptions = {
  samples: 5,
  locations: 20,
  phoneRegions: ['FR'],
  dateOrder: 'dmy',
};

export interface MatchDeps {
  db: Db;
  hasher: IdentifierHasher;
  registry: RegistryCache;
  terms: TermsCache;
  logger?: Logger;
  options: MatchOptions;
}

/** Builds once per process: the registry and compiled terms are cached in it and refreshed when they change. */
export function createMatchDeps(
  ctx: Pick<AppContext, 'database' | 'secretKey' | 'logger'> & {
    config?: Pick<AppContext['config'], 'match'>;
  },
  options: Partial<MatchOptions> = {},
): MatchDeps {
  const configured = ctx.config?.match;
  const logger = moduleLogger(ctx.logger, 'match');
  const fromConfig: Partial<MatchOptions> = configured
    ? {
        samples: configured.maskedSamples,
        phoneRegions: supportedPhoneRegions(configured.phoneRegions, (unknown) =>
          logger.warn({ regions: unknown }, 'match.phoneRegions: unknown regions ignored'),
        ),
        dateOrder: configured.dateOrder,
      }
    : {};
  const hasher = createHasher(ctx.secretKey.material);
  const db = ctx.database.db;
  return {
    db,
    hasher,
    registry: new RegistryCache(db, hasher, logger),
    terms: new TermsCache(db, logger),
    logger,
    options: { ...DEFAULT_MATCH_OPTIONS, ...fromConfig, ...options },
  };
}

export interface MatchCallOptions {
  onMatches?: OnMatches;
  /** Keep only this organisation's findings (a retro-hunt for one organisation). */
  onlyOrgId?: number;
}

async function analysis(deps: MatchDeps, onlyOrgId: number | undefined): Promise<ContentAnalysis> {
  const [terms, registry] = await Promise.all([deps.terms.current(), deps.registry.current()]);
  return new ContentAnalysis({
    terms,
    registry,
    hasher: deps.hasher,
    detect: { regions: deps.options.phoneRegions, dateOrder: deps.options.dateOrder },
    samples: deps.options.samples,
    locations: deps.options.locations,
    onlyOrgId,
  });
}

const matchErrors = (what: string) => ({
  action: `cannot record the matches of ${what}`,
  constraints: {
    matches_post_id_document_id_org_id_unique: (_: unknown, cause: unknown) =>
      new RetryableError('match.concurrent', `${what} was matched concurrently by another worker`, { cause }),
  },
});

export async function matchPost(
  deps: MatchDeps,
  postId: number,
  options: MatchCallOptions = {},
): Promise<MatchOutcome> {
  const [post] = await deps.db.select().from(posts).where(eq(posts.id, postId));
  if (!post) throw new InputError('match.no_post', `no post with id ${postId}`);
  const content = await analysis(deps, options.onlyOrgId);
  const records: TextRecord[] = [
    { text: post.title, location: { document: 'post title' } },
    { text: post.bodyText ?? '', location: { document: 'post body' } },
    { text: post.website ?? '', location: { document: 'post website' } },
  ];
  for (const record of records) content.addRecord(record);
  const result = content.result();
  const sha256 = postTextSha256(fold(`${post.title} ${post.bodyText ?? ''}`));
  const outcome = await withDbErrors(matchErrors(`post ${postId}`), () =>
    recordMatches(
      deps.db,
      {
        postId,
        documentId: null,
        sha256,
        post: { title: post.title, siteId: post.siteId },
        isDocument: false,
        phoneRegions: deps.options.phoneRegions,
      },
      result,
      options.onMatches,
    ),
  );
  log(deps, outcome);
  return outcome;
}

export interface DocumentInput {
  postId: number;
  documentId: number;
  records: TextRecordStream | Iterable<TextRecord>;
}

export async function matchDocument(
  deps: MatchDeps,
  input: DocumentInput,
  options: MatchCallOptions = {},
): Promise<MatchOutcome> {
  const [outcome] = await matchDocumentForPosts(
    deps,
    { documentId: input.documentId, postIds: [input.postId], records: input.records },
    options,
  );
  if (!outcome) throw new InputError('match.no_post', `no post with id ${input.postId}`);
  return outcome;
}

/**
 * A document linked by several posts: its records are read and analysed ONCE, and the analysis is recorded for every
 * post (one transaction per post, so each post's alerts are written with its own records). Posts deleted meanwhile
 * are left out; none left is an input error.
 */
export async function matchDocumentForPosts(
  deps: MatchDeps,
  input: { documentId: number; postIds: readonly number[]; records: TextRecordStream | Iterable<TextRecord> },
  options: MatchCallOptions = {},
): Promise<MatchOutcome[]> {
  const linked = input.postIds.length
    ? await deps.db
        .select({ id: posts.id, title: posts.title, siteId: posts.siteId })
        .from(posts)
        .where(inArray(posts.id, [...input.postIds]))
    : [];
  const byId = new Map(linked.map((post) => [post.id, post]));
  const postIds = [...new Set(input.postIds)].filter((id) => byId.has(id));
  if (postIds.length === 0)
    throw new InputError('match.no_post', `no post with id ${input.postIds.join(', ') || '(none given)'}`);
  const document = await documentHash(deps, input.documentId);
  const content = await analysis(deps, options.onlyOrgId);
  for await (const record of input.records as AsyncIterable<TextRecord>) content.addRecord(record);
  const result = content.result();
  const outcomes: MatchOutcome[] = [];
  for (const postId of postIds) {
    const post = byId.get(postId) as { title: string; siteId: string };
    const ref = { postId, documentId: input.documentId, sha256: document.sha256, post, isDocument: true };
    const outcome = await withDbErrors(matchErrors(`document ${input.documentId}`), () =>
      recordMatches(deps.db, { ...ref, phoneRegions: deps.options.phoneRegions }, result, options.onMatches),
    );
    log(deps, outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function documentHash(deps: MatchDeps, documentId: number): Promise<{ sha256: string | null }> {
  const [document] = await deps.db
    .select({ sha256: documents.sha256 })
    .from(documents)
    .where(eq(documents.id, documentId));
  if (!document) throw new InputError('match.no_document', `no document with id ${documentId}`);
  return document;
}

/**
 * The posts linking a document that it was not recorded for yet (a post that linked it after it was read): each gets
 * the findings already recorded for an earlier post, copied, since the content is the same file. Nothing is read.
 * `unrecorded` lists the posts left without records because the document was never recorded for any post (it must
 * be read again for them).
 */
export async function recordDocumentForNewPosts(
  deps: MatchDeps,
  documentId: number,
  options: Pick<MatchCallOptions, 'onMatches'> = {},
): Promise<{ outcomes: MatchOutcome[]; unrecorded: number[] }> {
  const links = await deps.db
    .select({ postId: postDocuments.postId, title: posts.title, siteId: posts.siteId })
    .from(postDocuments)
    .innerJoin(posts, eq(posts.id, postDocuments.postId))
    .where(eq(postDocuments.documentId, documentId))
    .orderBy(asc(postDocuments.id));
  const recorded = (
    await deps.db
      .select({ postId: contentFingerprints.postId })
      .from(contentFingerprints)
      .where(eq(contentFingerprints.documentId, documentId))
      .orderBy(asc(contentFingerprints.id))
  ).map((row) => row.postId);
  const from = recorded[0];
  const missing = links.filter(
    (link, i) => !recorded.includes(link.postId) && links.findIndex((l) => l.postId === link.postId) === i,
  );
  if (missing.length === 0) return { outcomes: [], unrecorded: [] };
  if (from === undefined) return { outcomes: [], unrecorded: missing.map((link) => link.postId) };
  const { sha256 } = await documentHash(deps, documentId);
  const outcomes: MatchOutcome[] = [];
  for (const link of missing) {
    const ref = {
      postId: link.postId,
      documentId,
      sha256,
      post: { title: link.title, siteId: link.siteId },
      isDocument: true,
      phoneRegions: deps.options.phoneRegions,
    };
    const outcome = await withDbErrors(matchErrors(`document ${documentId}`), () =>
      copyDocumentMatches(deps.db, ref, from, options.onMatches),
    );
    if (outcome) {
      log(deps, outcome);
      outcomes.push(outcome);
    }
  }
  return { outcomes, unrecorded: [] };
}

function log(deps: MatchDeps, outcome: MatchOutcome): void {
  if (outcome.changes.length === 0) return;
  deps.logger?.info(
    {
      postId: outcome.postId,
      documentId: outcome.documentId,
      records: outcome.records,
      changes: outcome.changes.map((c) => ({
        kind: c.kind,
        orgId: c.match.orgId,
        severity: c.match.severity,
        counts: c.match.identifierCounts,
      })),
    },
    'matches recorded',
  );
}
