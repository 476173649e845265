import { load } from 'cheerio';
import type { Element } from 'domhandler';
import type { ParseStrategy } from '../evaluate.ts';
import { detectWallIn, type WallKind } from '../page-kind.ts';
import type { PageInput } from '../parsed-post.ts';
import { visibleText } from './dom.ts';
import { readHtmlListing } from './html-extractor.ts';
import { htmlInside, readJsonDocument } from './json-extractor.ts';
import type { ExtractionResult } from './types.ts';

export type { ExtractedPost, ExtractionResult, PageKind, SuggestedJson, SuggestedSite } from './types.ts';

/**
 * The generic post-list extractor: reads a leak site's listing page (HTML after rendering, or a JSON API response)
 * without a site definition. Pure: no network, no clock beyond `page.fetchedAt`, no downloads.
 */

/** Posts a confident list needs to outweigh captcha or login signs on the same page. */
const CLEAR_LIST = 3;
const WALL_CONFIDENCE: Record<WallKind, number> = { seized: 0.9, captcha: 0.9, login: 0.85, js_shell: 0.8 };
const WALL_TEXT: Record<WallKind, string> = {
  seized: 'a seizure banner (law enforcement took the site)',
  captcha: 'a captcha / human-verification wall',
  login: 'a login wall (password form on a short page)',
  js_shell:
    'a JavaScript shell: almost no text or links, the posts are loaded by scripts (use the browser engine)',
};

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

function fromJson(value: unknown, page: PageInput, note = ''): ExtractionResult {
  const reading = readJsonDocument(value, page);
  if (!reading.found) {
    // Some APIs answer with rendered HTML inside the JSON: read that fragment as a page.
    const inside = htmlInside(value);
    if (inside) {
      const html = fromHtml({ ...page, body: inside.html, contentType: 'text/html' });
      if (html.kind === 'listing') {
        // Its selectors apply to the fragment, not to the JSON a crawler fetches: no suggestion.
        const { suggestedSite: _fragmentSelectors, ...found } = html;
        return {
          ...found,
          explanation: `${note}HTML inside the JSON at "${inside.path}". ${html.explanation}`,
        };
      }
    }
  }
  const result: ExtractionResult = {
    kind: reading.found ? 'listing' : 'empty',
    confidence: reading.confidence,
    posts: reading.posts,
    explanation: `${note}${reading.explanation}`,
    nextPages: [],
  };
  if (reading.suggestedJson) result.suggestedJson = reading.suggestedJson;
  return result;
}

export function extractListing(page: PageInput): ExtractionResult {
  const declaredJson = /json/i.test(page.contentType);
  if (declaredJson || looksLikeJson(page.body)) {
    const parsed = parseJson(page.body);
    if (parsed.ok) return fromJson(parsed.value, page);
    if (declaredJson) {
      return {
        kind: 'empty',
        confidence: 0.5,
        posts: [],
        explanation: `The page was served as JSON but does not parse: ${parsed.error}`,
        nextPages: [],
      };
    }
  }
  return fromHtml(page);
}

function fromHtml(page: PageInput): ExtractionResult {
  const $ = load(page.body);
  // A browser shows a JSON response as text in a <pre>: read it as the JSON it is.
  const shown = visibleText(($('body')[0] ?? $.root()[0]) as Element);
  if (looksLikeJson(shown) && shown.length > 1) {
    const parsed = parseJson(shown);
    if (parsed.ok) return fromJson(parsed.value, page, 'JSON shown as a page. ');
  }

  const wall = detectWallIn($);
  if (wall === 'seized') {
    return {
      kind: 'seized',
      confidence: WALL_CONFIDENCE.seized,
      posts: [],
      explanation: `The page is ${WALL_TEXT.seized}; no posts are read from it.`,
      nextPages: [],
    };
  }
  const reading = readHtmlListing($, page);
  // A short listing can carry a login or captcha form (to comment, to chat): a clear post list still wins.
  const clearList = reading.found && reading.posts.length >= CLEAR_LIST && reading.confidence >= 0.8;
  if (wall && !(clearList && wall !== 'js_shell')) {
    return {
      kind: wall,
      confidence: WALL_CONFIDENCE[wall],
      posts: [],
      explanation: `The page is ${WALL_TEXT[wall]}; no posts are read from it.`,
      nextPages: [],
    };
  }
  if (wall)
    reading.explanation += `\nThe page also shows signs of ${WALL_TEXT[wall]}, but the post list is clear.`;
  if (!reading.found) {
    return {
      kind: 'empty',
      confidence: reading.confidence,
      posts: [],
      explanation: reading.explanation,
      nextPages: reading.nextPages,
    };
  }
  const result: ExtractionResult = {
    kind: 'listing',
    confidence: reading.confidence,
    posts: reading.posts,
    explanation: reading.explanation,
    nextPages: reading.nextPages,
  };
  if (reading.suggestedSite) result.suggestedSite = reading.suggestedSite;
  return result;
}

/** The extractor as an evaluation strategy: reads every page, with or without a site definition. */
export const genericStrategy: ParseStrategy = (page) => {
  const result = extractListing(page);
  return { posts: result.posts, nextPages: result.nextPages };
};
