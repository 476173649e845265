import type { PageInput, ParsedListing } from '../src/parse/parsed-post.ts';
import { parseListing } from '../src/parse/selector-parser.ts';
import type { SiteDefinition } from '../src/parse/site-definition.ts';

/** Helpers for the crawlers' fixture tests: pages written for the tests, read as if fetched from the site. */

export const FETCHED_AT = new Date('2024-06-01T00:00:00Z');

/** The site's first mirror with a single trailing slash: the listing page the fixtures pretend to be. */
export function rootOf(site: SiteDefinition): string {
  return `${(site.mirrors[0] as string).replace(/\/+$/, '')}/`;
}

export function readFixture(
  site: SiteDefinition,
  body: string,
  options: Partial<Omit<PageInput, 'body'>> = {},
): ParsedListing {
  return parseListing(site, {
    url: options.url ?? rootOf(site),
    body,
    contentType: options.contentType ?? 'text/html',
    fetchedAt: options.fetchedAt ?? FETCHED_AT,
  });
}
