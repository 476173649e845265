import { load } from 'cheerio';
import { z } from 'zod';
import { isValidOnionUrl, onionUrlProblem } from '../tor/onion-address.ts';
import type { PageInput, ParsedListing } from './parsed-post.ts';

/**
 * A leak site's definition: where it lives and how to read it. The same schema is written in TypeScript with
 * defineSite() (crawlers/<site>.ts) or as YAML in the definitions folder, so an analyst can add a selector-only site
 * without rebuilding.
 */

const emptyPage = load('<html><body></body></html>');

/** Compiled against an empty page, as the crawler will compile it: a bad selector fails at load, not at crawl time. */
const selector = z.string().superRefine((value, ctx) => {
  if (value === '') return;
  try {
    emptyPage(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid CSS selector "${value}": ${(error as Error).message}` });
  }
});

/** Compiled with the flags field-reader uses. */
const pattern = z.string().superRefine((value, ctx) => {
  try {
    new RegExp(value, 'iu');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid pattern: ${(error as Error).message}` });
  }
});

/** A CSS selector, or a selector with the attribute to read and a pattern whose first group is kept. */
export const fieldSchema = z.union([
  selector.min(1),
  z.strictObject({
    /** Empty or absent: the post container itself. */
    selector: selector.optional(),
    /** Attribute to read instead of the text (href, datetime, title, data-*). */
    attr: z.string().optional(),
    /** Regular expression applied to the value; its first group (or whole match) is kept. */
    pattern: pattern.optional(),
  }),
]);
export type FieldSpec = z.infer<typeof fieldSchema>;

const fieldsSchema = z.strictObject({
  title: fieldSchema,
  link: fieldSchema.optional(),
  date: fieldSchema.optional(),
  description: fieldSchema.optional(),
  status: fieldSchema.optional(),
  countdown: fieldSchema.optional(),
  website: fieldSchema.optional(),
  size: fieldSchema.optional(),
  attachments: fieldSchema.optional(),
});

/** For JSON API listings: dot paths into each item. */
const jsonFieldsSchema = z.strictObject({
  title: z.string(),
  link: z.string().optional(),
  date: z.string().optional(),
  description: z.string().optional(),
  status: z.string().optional(),
  website: z.string().optional(),
  size: z.string().optional(),
});

export const paginationSchema = z.strictObject({
  /** Selector of the "next page" link(s). */
  next: selector.optional(),
  /** Selector of every numbered page link on the page. */
  links: selector.optional(),
  /** Page URL template, `{n}` replaced by 2, 3, … until a page lists no posts. */
  template: z.string().optional(),
  /** Never read more listing pages than this per run. */
  maxPages: z.number().int().min(1).max(1000).default(50),
});

const mirrorSchema = z.string().superRefine((url, ctx) => {
  if (!isValidOnionUrl(url))
    ctx.addIssue({ code: 'custom', message: onionUrlProblem(url) ?? 'invalid mirror' });
});

export const siteDefinitionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a lower-case slug (a-z, 0-9, - and _)'),
  name: z.string().min(1),
  group: z.string().min(1),
  mirrors: z.array(mirrorSchema).min(1, 'expected at least one mirror'),
  engine: z.enum(['http', 'browser']).default('http'),
  schedule: z.string().default('17 */2 * * *'),
  enabled: z.boolean().default(true),
  listing: z
    .strictObject({
      /** Paths of the listing page(s) on every mirror. */
      paths: z.array(z.string().startsWith('/')).default(['/']),
      format: z.enum(['html', 'json']).default('html'),
      /** Selector of one post's container (html). Absent: the generic extractor reads the page. */
      posts: selector.optional(),
      fields: fieldsSchema.optional(),
      /** JSON listings: dot path to the array of items ('' for a top-level array) and the fields in each. */
      json: z.strictObject({ items: z.string(), fields: jsonFieldsSchema }).optional(),
      pagination: paginationSchema.optional(),
    })
    // Absent: a URL-only definition, read by the generic extractor (README, "Sites nobody has written a definition for").
    .prefault({}),
  /**
   * Selectors on each post's own page, read when the post has a link. Absent on a URL-only definition: post pages are
   * still read (their text and file links), or the files of its posts would never be downloaded.
   */
  detail: fieldsSchema.partial().optional(),
  /** Fewer posts than this on a loaded page means the layout changed (drift), not "no news". */
  minPosts: z.number().int().min(0).default(1),
});

export type SiteDefinitionInput = z.input<typeof siteDefinitionSchema>;
export type SiteDefinitionData = z.output<typeof siteDefinitionSchema>;

/** A definition as the crawler uses it: data, plus an optional pure parse() for sites selectors cannot read. */
export interface SiteDefinition extends SiteDefinitionData {
  parse?: (page: PageInput) => ParsedListing;
  /** Where the definition came from: a crawlers/ module or a YAML file path. */
  source: string;
}

/** Typed helper for crawlers/<site>.ts; validates at import so a broken definition fails loudly and early. */
export function defineSite(
  input: SiteDefinitionInput & { parse?: SiteDefinition['parse'] },
  source = `crawlers/${input.id}.ts`,
): SiteDefinition {
  const { parse, ...data } = input;
  const result = siteDefinitionSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(
      `site definition ${input.id ?? '(no id)'} (${source}) is invalid:\n  - ${problems.join('\n  - ')}`,
    );
  }
  const site = result.data;
  const generic = !parse && !site.listing.posts && !site.listing.json;
  return {
    ...site,
    ...(generic && !site.detail ? { detail: {} } : {}),
    ...(parse ? { parse } : {}),
    source,
  };
}
