import { stringify } from 'yaml';
import { type SiteDefinitionInput, siteDefinitionSchema } from '../site-definition.ts';
import type { ExtractionResult } from './types.ts';

/**
 * Turns what the extractor found into a site definition an analyst can save as YAML: the selectors (or JSON paths)
 * it read the page with. With the site's onion mirror the definition is complete and valid; without one it is a
 * template whose mirror must be filled in.
 */

export const TEMPLATE_MIRROR = 'http://replace-with-the-sites-onion-address.onion/';

export interface DefinitionOptions {
  /** The site's onion mirror (http://<56 chars>.onion/). */
  mirror?: string;
  /** The page's URL, for the listing path. */
  url?: string;
  /** A name for the site (the page title, for instance). */
  name?: string;
}

export interface SuggestedDefinition {
  definition: SiteDefinitionInput;
  /** Schema problems, empty when the definition is valid. A template always has the mirror problem. */
  problems: string[];
  template: boolean;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

function listingPath(url: string | undefined, mirror: string | undefined): string {
  if (!url) return '/';
  try {
    const page = new URL(url);
    if (mirror && new URL(mirror).host !== page.host) return '/';
    return `${page.pathname}${page.search}` || '/';
  } catch {
    return '/';
  }
}

export function suggestDefinition(
  result: ExtractionResult,
  options: DefinitionOptions = {},
): SuggestedDefinition | undefined {
  if (!result.suggestedSite && !result.suggestedJson) return undefined;
  const name = (options.name ?? '').replace(/\s+/g, ' ').trim().slice(0, 80) || 'New leak site';
  const id = slug(name) || 'new-site';
  const mirror = options.mirror ?? TEMPLATE_MIRROR;
  const listing: SiteDefinitionInput['listing'] = { paths: [listingPath(options.url, options.mirror)] };
  if (result.suggestedJson) {
    listing.format = 'json';
    listing.json = result.suggestedJson;
  } else if (result.suggestedSite) {
    listing.posts = result.suggestedSite.posts;
    listing.fields = result.suggestedSite.fields;
    if (result.suggestedSite.pagination)
      listing.pagination = { links: result.suggestedSite.pagination.links };
  }
  const definition: SiteDefinitionInput = {
    id,
    name,
    group: name,
    mirrors: [mirror],
    listing,
    // Post pages read for their text and file links: without it the posts' files are never downloaded.
    detail: {},
    minPosts: 1,
  };
  const parsed = siteDefinitionSchema.safeParse(definition);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return { definition, problems, template: options.mirror === undefined };
}

/** The definition as YAML, with a header saying where it came from and, for a template, what to fill in. */
export function definitionYaml(suggestion: SuggestedDefinition, source: string): string {
  const header = [
    `# Site definition suggested by \`leakwatch extract\` from ${source.replace(/[\r\n]/g, ' ')}.`,
  ];
  header.push('# Check the selectors on a few pages before enabling it.');
  if (suggestion.template)
    header.push(
      "# TEMPLATE: replace the mirror with the site's onion address (or run extract with --mirror <url>).",
    );
  else if (suggestion.problems.length > 0)
    header.push(...suggestion.problems.map((problem) => `# problem: ${problem}`));
  return `${header.join('\n')}\n${stringify(suggestion.definition, { lineWidth: 0 })}`;
}
