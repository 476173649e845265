import { extractListing } from '../parse/generic/index.ts';
import type { PageInput, ParsedListing } from '../parse/parsed-post.ts';
import { parseListing } from '../parse/selector-parser.ts';
import type { SiteDefinition } from '../parse/site-definition.ts';
import { foldTitle } from './post-identity.ts';

/** The definition says how to read the listing: its own parse(), JSON paths or post selectors. */
export function hasParser(site: SiteDefinition): boolean {
  return Boolean(site.parse || site.listing.posts || site.listing.json);
}

/**
 * How the crawler reads a listing page: with the site's definition when it has selectors, else with the generic
 * extractor — so a site whose definition gives only its URLs is read from day one.
 */
export function readListing(site: SiteDefinition, page: PageInput): ParsedListing {
  if (hasParser(site)) return parseListing(site, page);
  const extracted = extractListing(page);
  return {
    posts: extracted.posts.map(({ confidence: _confidence, ...post }) => post),
    nextPages: extracted.nextPages,
  };
}

export interface ParserDisagreement {
  definitionTitles: number;
  extractorTitles: number;
  shared: number;
  message: string;
}

/** Below this share of common titles, with a confident extractor, the definition is suspected of reading the wrong block. */
const MIN_SHARED = 0.5;
const MIN_EXTRACTOR_POSTS = 5;
const MIN_CONFIDENCE = 0.6;

/**
 * Cross-checks a defined site's parser against the generic extractor on the same page. A strong disagreement means
 * the layout probably changed under the selectors (they now read a sidebar, or half the list): the run is flagged
 * for review instead of silently recording a partial view.
 */
export function crossCheck(
  site: SiteDefinition,
  page: PageInput,
  defined: ParsedListing,
): ParserDisagreement | undefined {
  if (!hasParser(site)) return undefined;
  const extracted = extractListing(page);
  if (
    extracted.kind !== 'listing' ||
    extracted.confidence < MIN_CONFIDENCE ||
    extracted.posts.length < MIN_EXTRACTOR_POSTS
  )
    return undefined;
  const mine = new Set(defined.posts.map((post) => foldTitle(post.title)));
  const theirs = new Set(extracted.posts.map((post) => foldTitle(post.title)));
  let shared = 0;
  for (const title of theirs) if (mine.has(title)) shared++;
  if (shared / Math.max(mine.size, theirs.size) >= MIN_SHARED) return undefined;
  return {
    definitionTitles: mine.size,
    extractorTitles: theirs.size,
    shared,
    message:
      `the definition read ${mine.size} posts where the generic extractor sees ${theirs.size} (${shared} in common): ` +
      'the layout may have changed under the selectors; review the definition',
  };
}
