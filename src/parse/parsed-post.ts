/** What a parser (site definition or generic extractor) reads from one listing page. */
export interface ParsedPost {
  title: string;
  /** Absolute URL of the post's own page, when it has one. */
  link?: string;
  /** The date as the site wrote it. */
  date?: string;
  /** The date as an instant, when `date` could be parsed. */
  publishedAt?: Date;
  description?: string;
  status?: PostStatus;
  countdownEndsAt?: Date;
  website?: string;
  size?: string;
  /** Absolute URLs of posted files. */
  attachments?: string[];
}

export type PostStatus = 'countdown' | 'published' | 'unknown';

export interface ParsedListing {
  posts: ParsedPost[];
  /** Absolute URLs of further listing pages found on this page (pagination). */
  nextPages: string[];
}

/** A fetched page, as parsers see it. Parsers are pure: no network, no clock beyond `fetchedAt`. */
export interface PageInput {
  url: string;
  body: string;
  contentType: string;
  fetchedAt: Date;
}
