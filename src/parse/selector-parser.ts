import { type CheerioAPI, load } from 'cheerio';
import { InputError } from '../shared/errors.ts';
import { parseLooseDate } from './dates.ts';
import { absoluteUrl, readAll, readField } from './field-reader.ts';
import { readJsonListing } from './json-listing.ts';
import type { PageInput, ParsedListing, ParsedPost } from './parsed-post.ts';
import { classifyStatus, countdownEnd } from './post-status.ts';
import type { SiteDefinition } from './site-definition.ts';

/** Reads a listing page with the site's definition: its own parse(), JSON paths, or CSS selectors. */
export function parseListing(site: SiteDefinition, page: PageInput): ParsedListing {
  if (site.parse) return site.parse(page);
  const { listing } = site;
  if (listing.format === 'json' || listing.json) {
    if (!listing.json)
      throw new InputError('parse.no_json_fields', `site ${site.id}: JSON listing without json paths`);
    return { posts: readJsonListing(page, listing.json), nextPages: [] };
  }
  if (!listing.posts || !listing.fields) {
    throw new InputError(
      'parse.no_selectors',
      `site ${site.id} has no selectors; the generic extractor reads it`,
    );
  }
  const $ = load(page.body);
  const posts: ParsedPost[] = [];
  const fields = listing.fields;
  $(listing.posts).each((_, node) => {
    const container = $(node);
    const title = readField($, container, fields.title);
    if (!title) return;
    const date = readField($, container, fields.date);
    const statusText = readField($, container, fields.status);
    const countdownText = readField($, container, fields.countdown);
    const post: ParsedPost = { title };
    const link = absoluteUrl(
      readField($, container, fields.link ?? { selector: 'a[href]', attr: 'href' }),
      page.url,
    );
    if (link) post.link = link;
    if (date) {
      post.date = date;
      const publishedAt = parseLooseDate(date, page.fetchedAt);
      if (publishedAt) post.publishedAt = publishedAt;
    }
    assign(post, 'description', readField($, container, fields.description));
    assign(post, 'website', readField($, container, fields.website));
    assign(post, 'size', readField($, container, fields.size));
    const status = classifyStatus(statusText) ?? (countdownText ? 'countdown' : undefined);
    if (status) post.status = status;
    const endsAt = countdownEnd(countdownText, page.fetchedAt, (raw) => parseLooseDate(raw, page.fetchedAt));
    if (endsAt) post.countdownEndsAt = endsAt;
    const attachments = readAll($, container, fields.attachments)
      .map((href) => absoluteUrl(href, page.url))
      .filter((url): url is string => url !== undefined);
    if (attachments.length > 0) post.attachments = attachments;
    posts.push(post);
  });
  return { posts, nextPages: nextPages($, site, page.url) };
}

function assign(post: ParsedPost, key: 'description' | 'website' | 'size', value: string | undefined): void {
  if (value) post[key] = value;
}

function nextPages($: CheerioAPI, site: SiteDefinition, pageUrl: string): string[] {
  const pagination = site.listing.pagination;
  if (!pagination) return [];
  const urls = new Set<string>();
  for (const selector of [pagination.next, pagination.links]) {
    if (!selector) continue;
    $(selector).each((_, node) => {
      const url = absoluteUrl($(node).attr('href'), pageUrl);
      if (url && url !== pageUrl) urls.add(url);
    });
  }
  return [...urls];
}
