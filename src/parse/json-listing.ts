import { InputError } from '../shared/errors.ts';
import { parseLooseDate } from './dates.ts';
import { absoluteUrl, cleanText } from './field-reader.ts';
import type { PageInput, ParsedPost } from './parsed-post.ts';
import { classifyStatus } from './post-status.ts';
import type { SiteDefinitionData } from './site-definition.ts';

/** The definition's `listing.json`: where the items are and which path holds each field. */
type JsonPaths = NonNullable<SiteDefinitionData['listing']['json']>;

function at(value: unknown, path: string): unknown {
  if (!path) return value;
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      value,
    );
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return cleanText(value) || undefined;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Reads posts from a JSON API response by dot paths; items without a title are skipped, not invented. */
export function readJsonListing(page: PageInput, paths: JsonPaths): ParsedPost[] {
  let document: unknown;
  try {
    document = JSON.parse(page.body);
  } catch (error) {
    throw new InputError(
      'parse.bad_json',
      `listing at ${page.url} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const items = at(document, paths.items);
  if (!Array.isArray(items)) {
    throw new InputError(
      'parse.json_shape',
      `listing at ${page.url}: "${paths.items || '(root)'}" is not an array`,
    );
  }
  const posts: ParsedPost[] = [];
  for (const item of items) {
    const title = text(at(item, paths.fields.title));
    if (!title) continue;
    const post: ParsedPost = { title };
    const date = paths.fields.date ? text(at(item, paths.fields.date)) : undefined;
    if (date) {
      post.date = date;
      const publishedAt = parseLooseDate(date, page.fetchedAt);
      if (publishedAt) post.publishedAt = publishedAt;
    }
    const link = paths.fields.link ? absoluteUrl(text(at(item, paths.fields.link)), page.url) : undefined;
    if (link) post.link = link;
    for (const key of ['description', 'website', 'size'] as const) {
      const path = paths.fields[key];
      const value = path ? text(at(item, path)) : undefined;
      if (value) post[key] = value;
    }
    const status = paths.fields.status ? classifyStatus(text(at(item, paths.fields.status))) : undefined;
    if (status) post.status = status;
    posts.push(post);
  }
  return posts;
}
