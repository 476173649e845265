import { load } from 'cheerio';
import { parseLooseDate } from './dates.ts';
import { absoluteUrl, blockText, readAll, readField } from './field-reader.ts';
import type { PageInput, ParsedPost } from './parsed-post.ts';
import { classifyStatus } from './post-status.ts';
import type { SiteDefinition } from './site-definition.ts';

/** What a post's own page adds to the listing entry. */
export type PostDetail = Pick<
  ParsedPost,
  'description' | 'attachments' | 'date' | 'publishedAt' | 'website' | 'size' | 'status'
>;

const MAX_BODY_CHARS = 100_000;

/**
 * Reads a post page with the definition's detail selectors. Without a description selector the page's main text is
 * kept (bounded), so the post can still be searched and matched.
 */
export function parseDetail(site: SiteDefinition, page: PageInput): PostDetail {
  const $ = load(page.body);
  const root = $.root();
  const fields = site.detail ?? {};
  const detail: PostDetail = {};
  const description = fields.description
    ? readField($, root, fields.description)
    : blockText($, $('main').length ? $('main') : $('body'));
  if (description) detail.description = description.slice(0, MAX_BODY_CHARS);
  const attachments = readAll(
    $,
    root,
    fields.attachments ?? {
      selector: 'a[href]',
      attr: 'href',
      pattern: '(.*\\.(?:zip|rar|7z|tar|gz|tgz|csv|sql|txt|pdf|xlsx?|docx?|json))(?:[?#].*)?$',
    },
  )
    .map((href) => absoluteUrl(href, page.url))
    .filter((url): url is string => url !== undefined);
  if (attachments.length > 0) detail.attachments = [...new Set(attachments)];
  const date = readField($, root, fields.date);
  if (date) {
    detail.date = date;
    const publishedAt = parseLooseDate(date, page.fetchedAt);
    if (publishedAt) detail.publishedAt = publishedAt;
  }
  const website = readField($, root, fields.website);
  if (website) detail.website = website;
  const size = readField($, root, fields.size);
  if (size) detail.size = size;
  const status = classifyStatus(readField($, root, fields.status));
  if (status) detail.status = status;
  return detail;
}

/** The listing entry completed by its page: the page wins for text, attachments are the union. */
export function mergeDetail(post: ParsedPost, detail: PostDetail): ParsedPost {
  const attachments = [...new Set([...(post.attachments ?? []), ...(detail.attachments ?? [])])];
  return {
    ...post,
    ...(detail.description ? { description: detail.description } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(post.date || !detail.date ? {} : { date: detail.date }),
    ...(post.publishedAt || !detail.publishedAt ? {} : { publishedAt: detail.publishedAt }),
    ...(post.website || !detail.website ? {} : { website: detail.website }),
    ...(post.size || !detail.size ? {} : { size: detail.size }),
    ...(detail.status && detail.status !== 'unknown' ? { status: detail.status } : {}),
  };
}
