import * as cheerio from 'cheerio';

/**
 * Directory listings of leak file servers: Apache, nginx and lighttpd autoindex pages, and plain pages of links.
 * Only links below the listing's own directory on the same host are taken — never the parent, another host, or
 * the sort links (`?C=N;O=D`) — so following a listing can neither climb out of the dump nor leave the onion.
 */
export interface ListingEntry {
  url: string;
  /** The decoded last path segment. */
  name: string;
  directory: boolean;
}

export interface Listing {
  /** Why the page counts as a listing ("Index of" title, autoindex table, list of links). */
  style: 'apache' | 'nginx' | 'lighttpd' | 'links';
  entries: ListingEntry[];
}

function directoryOf(url: URL): string {
  return url.pathname.endsWith('/') ? url.pathname : url.pathname.replace(/[^/]*$/, '');
}

function nameOf(pathname: string): string {
  const last = pathname.replace(/\/$/, '').split('/').pop() ?? '';
  try {
    return decodeURIComponent(last) || 'index';
  } catch {
    return last || 'index';
  }
}

/** Reads a page as a directory listing, or returns undefined when it is not one (an HTML document of its own). */
export function parseListing(html: string, pageUrl: string): Listing | undefined {
  const base = new URL(pageUrl);
  const $ = cheerio.load(html);
  const title = `${$('title').first().text()} ${$('h1').first().text()}`.trim();
  const indexOf = /^index of\s/i.test(title) || /\bindex of \//i.test(title);
  const style: Listing['style'] | undefined =
    $('div.list table').length > 0 && /lighttpd/i.test($('div.foot').text())
      ? 'lighttpd'
      : indexOf && $('pre a').length > 0 && $('table').length === 0
        ? 'nginx'
        : indexOf
          ? 'apache'
          : undefined;
  const directory = directoryOf(base);
  const entries = new Map<string, ListingEntry>();
  let links = 0;
  for (const anchor of $('a[href]').toArray()) {
    const href = $(anchor).attr('href') ?? '';
    if (!href || href.startsWith('#') || /^(mailto|javascript|data):/i.test(href)) continue;
    links++;
    let target: URL;
    try {
      target = new URL(href, base);
    } catch {
      continue;
    }
    if (target.protocol !== base.protocol || target.host !== base.host || target.search !== '') continue;
    if (!target.pathname.startsWith(directory) || target.pathname.length <= directory.length) continue;
    // Only direct children: a listing names its own entries (subdirectories are listings of their own).
    const rest = target.pathname.slice(directory.length);
    if (/\/./.test(rest) || rest === '/' || /(^|\/)\.\.?(\/|$)/.test(decodeURIComponent(rest))) continue;
    target.hash = '';
    const url = target.toString();
    if (!entries.has(url))
      entries.set(url, { url, name: nameOf(target.pathname), directory: target.pathname.endsWith('/') });
  }
  if (entries.size === 0) return undefined;
  if (style) return { style, entries: [...entries.values()] };
  // A plain page of links counts when it is mostly links to the files beside it, and little else.
  const text = $('body').text().replace(/\s+/g, ' ').trim();
  const linkText = $('a[href]').text().replace(/\s+/g, ' ').trim();
  const directoryUrl = base.pathname.endsWith('/');
  const mostlyLinks = (directoryUrl || entries.size >= links * 0.6) && linkText.length >= text.length * 0.5;
  return mostlyLinks ? { style: 'links', entries: [...entries.values()] } : undefined;
}
