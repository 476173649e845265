import { parseLooseDate } from '../dates.ts';
import { absoluteUrl, cleanText } from '../field-reader.ts';
import type { PageInput } from '../parsed-post.ts';
import { classifyStatus } from '../post-status.ts';
import { isTitleLike, looksLikeUrl } from './text-kinds.ts';
import type { ExtractedPost, SuggestedJson } from './types.ts';

/**
 * Reads a JSON API response with no definition: finds the array of objects that looks like the post list and, in
 * its items, the key that holds the title (and link, date, description, status, website when present).
 */

const MAX_NODES = 200_000;
const MAX_DEPTH = 8;

export interface JsonReading {
  found: boolean;
  posts: ExtractedPost[];
  confidence: number;
  explanation: string;
  suggestedJson?: SuggestedJson;
}

interface ArrayCandidate {
  path: string;
  items: Record<string, unknown>[];
  /** The items are the values of an object keyed by id, not an array: no dot path reaches them one by one. */
  keyed: boolean;
}

type Flat = Map<string, string>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findArrays(document: unknown): ArrayCandidate[] {
  const found: ArrayCandidate[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: document, path: '', depth: 0 },
  ];
  let visited = 0;
  while (stack.length > 0 && visited++ < MAX_NODES) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (depth > MAX_DEPTH) continue;
    const join = (key: string) => (path ? `${path}.${key}` : key);
    if (Array.isArray(value)) {
      const objects = value.filter(isObject);
      if (objects.length > 0 && objects.length >= value.length * 0.8)
        found.push({ path, items: objects, keyed: false });
      // Arrays nested in items (a post's files) are not post lists of the page; only the first item is explored.
      if (objects[0]) stack.push({ value: objects[0], path: join('0'), depth: depth + 1 });
    } else if (isObject(value)) {
      const values = Object.values(value);
      if (values.length >= 3 && values.every(isObject)) {
        // {"a1f3": {...}, "b7c2": {...}}: posts keyed by id.
        found.push({ path, items: values, keyed: true });
        stack.push({ value: values[0], path: join('*'), depth: depth + 1 });
        continue;
      }
      for (const [key, child] of Object.entries(value))
        stack.push({ value: child, path: join(key), depth: depth + 1 });
    }
  }
  return found.filter((candidate) => !/(^|\.)(0|\*)(\.|$)/.test(candidate.path));
}

/** Primitive values of an item by dot path, nested objects included, arrays by their first element. */
function flatten(item: unknown, prefix = '', out: Flat = new Map(), depth = 0): Flat {
  if (depth > 4) return out;
  if (typeof item === 'string') {
    const text = cleanText(item);
    if (text) out.set(prefix, text);
  } else if (typeof item === 'number' || typeof item === 'boolean') out.set(prefix, String(item));
  else if (Array.isArray(item)) {
    if (item.length > 0 && !isObject(item[0])) flatten(item[0], prefix ? `${prefix}.0` : '0', out, depth + 1);
  } else if (isObject(item)) {
    for (const [key, value] of Object.entries(item))
      flatten(value, prefix ? `${prefix}.${key}` : key, out, depth + 1);
  }
  return out;
}

function lastKey(path: string): string {
  return (
    path
      .split('.')
      .filter((part) => !/^\d+$/.test(part))
      .pop() ?? ''
  ).toLowerCase();
}

const TITLE_KEY =
  /^(title|name|company|company_?name|companyname|victim|victim_?name|organi[sz]ation|org|target|post_?title|heading|subject)$/;
const LINK_KEY = /^(url|link|href|permalink|post_?url|page|path|slug)$/;
const WEBSITE_KEY = /^(website|web_?site|site|domain|homepage|company_?url|web)$/;
const DATE_KEY = /(date|time|published|created|updated|posted|timestamp|^at$)/;
const DESCRIPTION_KEY = /(desc|description|text|content|body|summary|about|info)/;
const STATUS_KEY = /^(status|state|published|is_?published|leaked)$/;

function titleScore(path: string, values: string[], count: number): number {
  if (values.length === 0) return 0;
  const presence = values.length / count;
  const distinct = new Set(values.map((value) => value.toLowerCase())).size / values.length;
  const titleLike = values.filter(isTitleLike).length / values.length;
  const average = values.reduce((total, value) => total + value.length, 0) / values.length;
  const key = lastKey(path);
  let bonus = 1;
  if (TITLE_KEY.test(key)) bonus = 3;
  else if (/(name|title)/.test(key)) bonus = 2;
  else if (WEBSITE_KEY.test(key)) bonus = 1.2;
  else if (DESCRIPTION_KEY.test(key) || DATE_KEY.test(key)) bonus = 0.3;
  else if (/^(id|_id|uuid|hash|key|slug|image|img|logo|icon|file)$/.test(key)) bonus = 0.1;
  const urls =
    values.filter((value) => /^https?:\/\//.test(value) || value.startsWith('/')).length / values.length;
  const length = average > 200 ? 0.1 : average > 120 ? 0.5 : 1;
  return presence * distinct * titleLike * bonus * length * (1 - 0.8 * urls);
}

export function readJsonDocument(document: unknown, page: PageInput): JsonReading {
  let best: { candidate: ArrayCandidate; title: string; score: number; flats: Flat[] } | undefined;
  for (const candidate of findArrays(document)) {
    const flats = candidate.items.map((item) => flatten(item));
    const paths = [...new Set(flats.flatMap((flat) => [...flat.keys()]))];
    for (const path of paths) {
      const values = flats
        .map((flat) => flat.get(path))
        .filter((value): value is string => value !== undefined);
      const score = titleScore(path, values, flats.length) * flats.length;
      if (!best || score > best.score) best = { candidate, title: path, score, flats };
    }
  }
  if (!best || best.score < 0.5) {
    return {
      found: false,
      posts: [],
      confidence: 0.6,
      explanation: 'JSON document without an array of records that have a title-like field.',
    };
  }
  const { candidate, title, flats } = best;
  const paths = [...new Set(flats.flatMap((flat) => [...flat.keys()]))].sort((a, b) => a.length - b.length);
  const used = new Set([title]);
  const fields: SuggestedJson['fields'] = { title };
  const choose = (
    name: keyof SuggestedJson['fields'],
    test: RegExp,
    accept: (values: string[]) => boolean,
  ) => {
    const path = paths.find((candidatePath) => {
      if (used.has(candidatePath) || !test.test(lastKey(candidatePath))) return false;
      const values = flats.map((flat) => flat.get(candidatePath)).filter((value): value is string => !!value);
      return values.length > 0 && accept(values);
    });
    if (path) {
      fields[name] = path;
      used.add(path);
    }
  };
  const dated = (values: string[]) =>
    values.filter((value) => parseLooseDate(value, page.fetchedAt)).length >= values.length / 2;
  choose('date', DATE_KEY, dated);
  choose('link', LINK_KEY, (values) => values.every((value) => !/\s/.test(value)));
  choose('website', WEBSITE_KEY, (values) => values.some(looksLikeUrl));
  choose('description', DESCRIPTION_KEY, (values) => values.some((value) => value.length >= 20));
  choose('status', STATUS_KEY, () => true);

  const posts: ExtractedPost[] = [];
  let untitled = 0;
  const titlePresence = flats.filter((flat) => flat.get(title)).length / flats.length;
  const confidence =
    Math.round(
      Math.min(1, 0.55 + 0.25 * (TITLE_KEY.test(lastKey(title)) ? 1 : 0) + 0.2 * titlePresence) * 100,
    ) / 100;
  for (const flat of flats) {
    const text = flat.get(title);
    if (!text) {
      untitled++;
      continue;
    }
    const post: ExtractedPost = { title: text, confidence };
    const date = fields.date ? flat.get(fields.date) : undefined;
    if (date) {
      post.date = date;
      const at = parseLooseDate(date, page.fetchedAt);
      if (at) post.publishedAt = at;
    }
    const link = fields.link ? absoluteUrl(flat.get(fields.link), page.url) : undefined;
    if (link) post.link = link;
    const website = fields.website ? flat.get(fields.website) : undefined;
    if (website) post.website = website;
    const description = fields.description ? flat.get(fields.description) : undefined;
    if (description)
      post.description = description.length > 500 ? `${description.slice(0, 499)}…` : description;
    const rawStatus = fields.status ? flat.get(fields.status) : undefined;
    const status = rawStatus === 'true' ? 'published' : classifyStatus(rawStatus);
    if (status) post.status = status;
    posts.push(post);
  }
  const where = `${candidate.path || '(top level)'}${candidate.keyed ? ' (an object keyed by id)' : ''}`;
  const others = Object.entries(fields)
    .filter(([name]) => name !== 'title')
    .map(([name, path]) => `${name} "${path}"`)
    .join(', ');
  const explanation =
    `JSON: ${candidate.items.length} items at ${where}; title from "${title}"` +
    `${others ? `, ${others}` : ''}.${untitled > 0 ? ` Skipped ${untitled} item(s) without a title.` : ''}`;
  const reading: JsonReading = { found: posts.length > 0, posts, confidence, explanation };
  if (!candidate.keyed) reading.suggestedJson = { items: candidate.path, fields };
  return reading;
}

/** The longest string of a JSON document that is an HTML fragment (an API that returns rendered cards). */
export function htmlInside(document: unknown): { path: string; html: string } | undefined {
  let best: { path: string; html: string } | undefined;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: document, path: '', depth: 0 },
  ];
  let visited = 0;
  while (stack.length > 0 && visited++ < MAX_NODES) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      const tags = value.match(/<[a-z][a-z0-9]*[\s>]/gi)?.length ?? 0;
      if (tags >= 5 && value.length > (best?.html.length ?? 100)) best = { path, html: value };
    } else if (value && typeof value === 'object' && depth < MAX_DEPTH) {
      for (const [key, child] of Object.entries(value))
        stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return best;
}
