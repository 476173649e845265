import type { ParsedPost } from '../parsed-post.ts';
import type { FieldSpec, SiteDefinitionData } from '../site-definition.ts';

/** What a page is: a post list, one of the walls that hide it, or a page that lists nothing. */
export type PageKind = 'listing' | 'captcha' | 'login' | 'js_shell' | 'seized' | 'empty';

export interface ExtractedPost extends ParsedPost {
  /** How sure the extractor is that this is a post and that its title is right, 0..1. */
  confidence: number;
}

/** CSS selectors for a site definition (listing.posts and listing.fields), read off the chosen block. */
export interface SuggestedSite {
  posts: string;
  fields: {
    title: FieldSpec;
    link?: FieldSpec;
    date?: FieldSpec;
    description?: FieldSpec;
    status?: FieldSpec;
    website?: FieldSpec;
  };
  pagination?: { links: string };
}

/** For JSON listings: dot paths, as a site definition's listing.json takes them. */
export type SuggestedJson = NonNullable<SiteDefinitionData['listing']['json']>;

export interface ExtractionResult {
  kind: PageKind;
  /** How sure the extractor is of `kind` and of the post list as a whole, 0..1. */
  confidence: number;
  posts: ExtractedPost[];
  /** For an analyst: which block was chosen and why, what was filtered out, what the runner-up was. */
  explanation: string;
  suggestedSite?: SuggestedSite;
  suggestedJson?: SuggestedJson;
  /** Absolute URLs of further listing pages (pagination). */
  nextPages: string[];
}
