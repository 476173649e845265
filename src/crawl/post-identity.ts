import type { ParsedPost } from '../parse/parsed-post.ts';

/** Titles compared as a reader would: Unicode-normalised, case-folded, whitespace folded. */
export function foldTitle(title: string): string {
  return title.normalize('NFKC').toLocaleLowerCase('en').replace(/\s+/g, ' ').trim();
}

/**
 * A post's identity on its site. The link's path and query identify it across mirrors (the host differs from mirror
 * to mirror); a post without a link is known by its folded title.
 */
export function stableKey(post: Pick<ParsedPost, 'title' | 'link'>): string {
  if (post.link) {
    try {
      const url = new URL(post.link);
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path !== '/' || url.search) return `link:${path}${url.search}`;
    } catch {
      // fall through to the title
    }
  }
  return `title:${foldTitle(post.title)}`;
}
