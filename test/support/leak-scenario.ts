/**
 * One leak as the pipeline tests use it: a leak site (served by the onion harness) with a post naming a lab and a
 * credential CSV holding three of the lab's registered customers, a decoy post, and the lab registered (watch terms,
 * hashed identifiers, a console channel). What each entry point must find: the post, the file, and their alerts.
 */
import { Readable } from 'node:stream';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { addChannel } from '../../src/alert/channel-store.ts';
import { defaultWatchTerms } from '../../src/match/default-terms.ts';
import { createHasher } from '../../src/match/hasher.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import type { Db } from '../../src/store/db.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alerts, matches } from '../../src/store/schema/index.ts';
import { fileRoute } from './documents/file-routes.ts';
import { type FixturePost, serveLeakSite, writeLockerSitesDir } from './leak-site-fixture.ts';
import type { OnionHarness } from './onion-harness/index.ts';

export const SCENARIO_KEY = 'leak-scenario-secret-key-0123456789abcdef';
export const LAB_NAME = 'Azur Analyses Médicales';
export const REGISTERED = ['claire.morel@orange.fr', 'yves.lemaire@free.fr', 'nina.roche@gmail.com'];
const DUMP = Buffer.from(
  `email;password;name\n${REGISTERED.map((email, i) => `${email};Secret${i}!;Person ${i}`).join('\n')}\n${Array.from(
    { length: 20 },
    (_, i) => `someone${i}@example.net;pw${i};Other ${i}`,
  ).join('\n')}\n`,
);

/** Serves the leak site and writes a sites directory defining it as `locker`; returns the directory. */
export function serveLabLeak(harness: OnionHarness): { host: string; sitesDir: string } {
  const posts: FixturePost[] = [
    {
      slug: 'azur',
      title: `${LAB_NAME} — 40 000 patients`,
      status: 'published',
      date: '2026-11-20',
      files: ['clients.csv'],
    },
    { slug: 'rotor', title: 'Rotor Leasing Company', status: 'published', date: '2026-11-19' },
  ];
  const site = serveLeakSite(posts, 1);
  site.routes.set('/files/clients.csv', fileRoute(DUMP).route);
  const host = harness.serve(site);
  // The crawl's own schedule (the definitions' default), not the every-two-seconds one: tests crawl when they choose.
  const sitesDir = writeLockerSitesDir(host, {
    schedule: '17 */2 * * *',
    detail: { description: 'div.content', attachments: 'a.file' },
  });
  return { host, sitesDir };
}

/** Registers the lab: watch terms for its name, its customers' e-mails (hashed with `key`), a console channel. */
export async function registerLab(db: Db, key = SCENARIO_KEY): Promise<number> {
  const org = await createOrganisation(db, {
    slug: 'azur',
    name: LAB_NAME,
    aliases: [],
    sector: 'health',
    patientIdPattern: null,
    domains: [],
    terms: defaultWatchTerms({ name: LAB_NAME, aliases: [], domains: [] }),
  });
  await importIdentifiers(db, createHasher(key), {
    orgId: org.id,
    fileName: 'customers.csv',
    input: Readable.from([`email\n${REGISTERED.join('\n')}\n`]),
  });
  await addChannel(db, key, { orgId: org.id, name: 'soc', type: 'console' });
  return org.id;
}

/** What was found for the lab: the post's own match, the file's (with its identifier counts), and the alerts. */
export async function findingsOf(db: Db, orgId: number) {
  const postMatches = await db
    .select()
    .from(matches)
    .where(and(eq(matches.orgId, orgId), isNull(matches.documentId)));
  const fileMatches = await db
    .select()
    .from(matches)
    .where(and(eq(matches.orgId, orgId), isNotNull(matches.documentId)));
  const alerted = await db.select().from(alerts).where(eq(alerts.orgId, orgId));
  return { postMatches, fileMatches, alerts: alerted };
}
