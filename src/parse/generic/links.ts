import type { Element } from 'domhandler';
import { absoluteUrl } from '../field-reader.ts';
import type { LinkJudge } from './title.ts';

/**
 * What a link on a leak site points at: the site's own pages (a post), a victim's website (clearnet), a posted
 * file (an archive, a file server on another onion), or nothing useful (fragment, javascript:, mailto:).
 */

const FILE_PATH =
  /\.(7z|rar|zip|tar|gz|tgz|bz2|xz|zst|csv|sql|pdf|txt|xlsx?|docx?|json|bak|db|mdb|pst|\d{3})$/i;

export interface LinkContext {
  pageUrl: string;
  /** Host names that are this site: the page's own, and onions the page links to as its home ("/"). */
  siteHosts: ReadonlySet<string>;
  /** The page's own host is not known (a saved file read without its URL). */
  unknownHost: boolean;
}

const UNKNOWN_HOSTS = new Set(['', 'page.invalid', 'localhost']);

/**
 * The hosts of this site. A site often links to itself by its full onion address while being read through another
 * mirror (or from a saved file): an onion the page links to with a bare "/" path is its home, so the same site.
 */
export function linkContext(pageUrl: string, anchors: readonly Element[] = []): LinkContext {
  let pageHost = '';
  try {
    pageHost = new URL(pageUrl).hostname.toLowerCase();
  } catch {
    pageHost = '';
  }
  const siteHosts = new Set([pageHost]);
  for (const anchor of anchors) {
    const url = absoluteUrl(anchor.attribs.href, pageUrl);
    if (!url) continue;
    const target = new URL(url);
    if (
      target.hostname.endsWith('.onion') &&
      (target.pathname === '/' || target.pathname === '') &&
      !target.search
    )
      siteHosts.add(target.hostname.toLowerCase());
  }
  return { pageUrl, siteHosts, unknownHost: UNKNOWN_HOSTS.has(pageHost) };
}

/** A link to a place on this same page (`#comp12`): a table of contents, not a post. */
export function isFragmentLink(anchor: Element, context: LinkContext): boolean {
  const href = anchor.attribs.href?.trim();
  if (!href) return false;
  if (href.startsWith('#')) return href.length > 1;
  const url = absoluteUrl(href, context.pageUrl);
  if (!url) return false;
  const target = new URL(url);
  const page = new URL(context.pageUrl, 'http://page.invalid/');
  return target.hash !== '' && target.origin === page.origin && target.pathname === page.pathname;
}

/** The absolute URL of a link, or undefined for fragments, javascript:, mailto: and garbage. */
export function hrefOf(anchor: Element, context: LinkContext): string | undefined {
  if (isFragmentLink(anchor, context)) return undefined;
  return absoluteUrl(anchor.attribs.href, context.pageUrl);
}

export function makeLinkJudge(context: LinkContext): LinkJudge {
  const judged = new WeakMap<Element, ReturnType<LinkJudge>>();
  return (anchor) => {
    let kind = judged.get(anchor);
    if (kind === undefined) {
      kind = judge(anchor, context);
      judged.set(anchor, kind);
    }
    return kind;
  };
}

function judge(anchor: Element, context: LinkContext): ReturnType<LinkJudge> {
  const url = hrefOf(anchor, context);
  if (!url) return 'none';
  if (anchor.attribs.download !== undefined) return 'file';
  const target = new URL(url);
  if (FILE_PATH.test(target.pathname)) return 'file';
  const host = target.hostname.toLowerCase();
  if (context.siteHosts.has(host)) return 'site';
  // Another onion: the group's file server holding the dump (or, for a page read without its URL, maybe itself).
  if (host.endsWith('.onion')) return context.unknownHost ? 'site' : 'file';
  return 'external';
}

/** A URL written in an onclick handler (`location.href='/post/7'`, `window.open("…")`, `viewtopic('…')`). */
export function onclickUrl(element: Element, context: LinkContext): string | undefined {
  const handler = element.attribs.onclick;
  if (!handler) return undefined;
  const match = /(?:location(?:\.href)?\s*=|window\.open\s*\(|location\.assign\s*\()\s*['"]([^'"]+)['"]/.exec(
    handler,
  );
  return match ? absoluteUrl(match[1], context.pageUrl) : undefined;
}
