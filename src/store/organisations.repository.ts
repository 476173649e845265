import { domainToASCII } from 'node:url';
import { asc, count, eq, inArray } from 'drizzle-orm';
import { fold } from '../match/fold.ts';
import { checkRegex } from '../match/regex-safety.ts';
import { InputError } from '../shared/errors.ts';
import type { Db } from './db.ts';
import { type PgErrorInfo, withDbErrors } from './db-errors.ts';
import { organisations, orgDomains, watchTermKinds, watchTerms } from './schema/index.ts';

export type Organisation = typeof organisations.$inferSelect;
export type OrgDomain = typeof orgDomains.$inferSelect;
export type WatchTerm = typeof watchTerms.$inferSelect;
export type WatchTermKind = (typeof watchTermKinds)[number];

export interface WatchTermInput {
  kind: WatchTermKind;
  pattern: string;
  /** The matcher's folded form; defaults to foldTerm(pattern) (regexes are kept as written). */
  normalised?: string;
}

export interface OrganisationInput {
  slug: string;
  name: string;
  aliases?: readonly string[];
  sector?: string | null;
  /** Shape of the organisation's patient/customer ids, a bounded regex (e.g. `LH-\\d{6}`). */
  patientIdPattern?: string | null;
  domains?: readonly string[];
  terms?: readonly WatchTermInput[];
}

export interface OrganisationDetail extends Organisation {
  domains: OrgDomain[];
  terms: WatchTerm[];
}

export interface OrganisationSummary extends Organisation {
  domains: string[];
  termCount: number;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/**
 * The folded form of a keyword or phrase: the matcher's own folding (src/match/fold.ts: NFKD, accents and case,
 * punctuation and spaces), so that the (org, kind, normalised) uniqueness is the matcher's notion of "same term".
 */
export function foldTerm(pattern: string): string {
  return fold(pattern);
}

/** A patient/customer id pattern or regex term must be safe to run on hostile text (see src/match/regex-safety.ts). */
export function checkTermRegex(pattern: string, what = 'regex watch term'): void {
  const verdict = checkRegex(pattern);
  if (!verdict.ok)
    throw new InputError('org.invalid_term', `refused ${what} /${pattern}/: ${verdict.reason}`);
}

/** Lower-case ASCII (punycode) form of a domain, or an InputError. */
export function normaliseDomain(domain: string): string {
  const trimmed = domain.trim().replace(/\.$/, '');
  const ascii = trimmed.includes('.') && !/[\s/@:]/.test(trimmed) ? domainToASCII(trimmed) : '';
  if (!ascii) throw new InputError('org.invalid_domain', `invalid domain "${domain}"`);
  return ascii;
}

function termRows(orgId: number, terms: readonly WatchTermInput[]) {
  return terms.map((term) => {
    if (!watchTermKinds.includes(term.kind)) {
      throw new InputError('org.invalid_term', `unknown watch term kind "${term.kind}"`);
    }
    const pattern = term.pattern.trim();
    const normalised =
      term.normalised ??
      (term.kind === 'regex'
        ? pattern
        : term.kind.endsWith('domain')
          ? normaliseDomain(pattern.replace(/^@/, ''))
          : foldTerm(pattern));
    if (!pattern || !normalised) throw new InputError('org.invalid_term', `empty ${term.kind} watch term`);
    if (term.kind === 'regex') checkTermRegex(pattern);
    return { orgId, kind: term.kind, pattern, normalised };
  });
}

const slugTaken = (slug: string) => (_info: PgErrorInfo, cause: unknown) =>
  new InputError('org.slug_taken', `an organisation with slug "${slug}" already exists`, { cause });
const unknownOrg = (orgId: number) => (_info: PgErrorInfo, cause: unknown) =>
  new InputError('org.not_found', `no organisation with id ${orgId}`, { cause });

/** Creates an organisation with its domains and watch terms, all or nothing. Duplicate domains/terms collapse. */
export async function createOrganisation(db: Db, input: OrganisationInput): Promise<OrganisationDetail> {
  if (!SLUG.test(input.slug)) {
    throw new InputError(
      'org.invalid_slug',
      `invalid slug "${input.slug}": lower-case letters, digits and inner hyphens, at most 64`,
    );
  }
  if (!input.name.trim())
    throw new InputError('org.invalid_name', `organisation "${input.slug}" needs a name`);
  const domains = (input.domains ?? []).map(normaliseDomain);
  termRows(0, input.terms ?? []); // validate before opening a transaction
  if (input.patientIdPattern) checkTermRegex(input.patientIdPattern, 'patient id pattern');
  return withDbErrors(
    {
      action: `cannot create organisation "${input.slug}"`,
      constraints: { organisations_slug_unique: slugTaken(input.slug) },
    },
    () =>
      db.transaction(async (tx) => {
        const [org] = await tx
          .insert(organisations)
          .values({
            slug: input.slug,
            name: input.name.trim(),
            aliases: [...(input.aliases ?? [])],
            sector: input.sector ?? null,
            patientIdPattern: input.patientIdPattern || null,
          })
          .returning();
        if (!org) throw new Error('insert into organisations returned no row');
        await addDomains(tx, org.id, domains);
        await addWatchTerms(tx, org.id, input.terms ?? []);
        return (await getOrganisation(tx, org.id)) as OrganisationDetail;
      }),
  );
}

/** Adds domains (normalised); returns the ones that were not there yet. */
export async function addDomains(db: Db, orgId: number, domains: readonly string[]): Promise<OrgDomain[]> {
  const unique = [...new Set(domains.map(normaliseDomain))];
  if (unique.length === 0) return [];
  return withDbErrors(
    {
      action: `cannot add domains to organisation ${orgId}`,
      constraints: { org_domains_org_id_organisations_id_fk: unknownOrg(orgId) },
    },
    () =>
      db
        .insert(orgDomains)
        .values(unique.map((domain) => ({ orgId, domain })))
        .onConflictDoNothing({ target: [orgDomains.orgId, orgDomains.domain] })
        .returning(),
  );
}

/** Adds watch terms; returns the ones that were not there yet (same kind and normalised form). */
export async function addWatchTerms(
  db: Db,
  orgId: number,
  terms: readonly WatchTermInput[],
): Promise<WatchTerm[]> {
  const rows = termRows(orgId, terms);
  if (rows.length === 0) return [];
  return withDbErrors(
    {
      action: `cannot add watch terms to organisation ${orgId}`,
      constraints: { watch_terms_org_id_organisations_id_fk: unknownOrg(orgId) },
    },
    () =>
      db
        .insert(watchTerms)
        .values(rows)
        .onConflictDoNothing({ target: [watchTerms.orgId, watchTerms.kind, watchTerms.normalised] })
        .returning(),
  );
}

/** By numeric id or by slug. */
export async function getOrganisation(db: Db, idOrSlug: number | string): Promise<OrganisationDetail | null> {
  const [org] = await db
    .select()
    .from(organisations)
    .where(typeof idOrSlug === 'number' ? eq(organisations.id, idOrSlug) : eq(organisations.slug, idOrSlug));
  if (!org) return null;
  const [domains, terms] = await Promise.all([
    db.select().from(orgDomains).where(eq(orgDomains.orgId, org.id)).orderBy(asc(orgDomains.domain)),
    db.select().from(watchTerms).where(eq(watchTerms.orgId, org.id)).orderBy(asc(watchTerms.id)),
  ]);
  return { ...org, domains, terms };
}

/** All organisations by slug, with their domains and how many watch terms they have. */
export async function listOrganisations(db: Db): Promise<OrganisationSummary[]> {
  const orgs = await db.select().from(organisations).orderBy(asc(organisations.slug));
  if (orgs.length === 0) return [];
  const ids = orgs.map((org) => org.id);
  const [domains, termCounts] = await Promise.all([
    db
      .select({ orgId: orgDomains.orgId, domain: orgDomains.domain })
      .from(orgDomains)
      .where(inArray(orgDomains.orgId, ids))
      .orderBy(asc(orgDomains.domain)),
    db
      .select({ orgId: watchTerms.orgId, n: count() })
      .from(watchTerms)
      .where(inArray(watchTerms.orgId, ids))
      .groupBy(watchTerms.orgId),
  ]);
  return orgs.map((org) => ({
    ...org,
    domains: domains.filter((row) => row.orgId === org.id).map((row) => row.domain),
    termCount: termCounts.find((row) => row.orgId === org.id)?.n ?? 0,
  }));
}

/** Deletes an organisation and everything that is its own (domains, terms, identifiers, matches, channels, users). */
export async function deleteOrganisation(db: Db, orgId: number): Promise<boolean> {
  const deleted = await db
    .delete(organisations)
    .where(eq(organisations.id, orgId))
    .returning({ id: organisations.id });
  return deleted.length > 0;
}
