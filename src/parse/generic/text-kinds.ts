import { parseLooseDate } from '../dates.ts';

/**
 * What a short piece of text is: a title, a date, a generic button label, a size or a count. Used to pick the title
 * of a record and to tell a victim list from a menu or a pager. Word lists cover the languages leak sites use most
 * (English, Russian, a little French, German, Spanish, Chinese).
 */

/** Link and button labels that name an action, never a victim. Compared lower-cased, punctuation stripped. */
const GENERIC_LABELS = new Set(
  [
    'read more',
    'more',
    'more info',
    'more details',
    'details',
    'detail',
    'view',
    'view more',
    'view details',
    'view post',
    'open',
    'show',
    'show more',
    'continue',
    'continue reading',
    'read',
    'read full',
    'go',
    'visit',
    'link',
    'links',
    'url',
    'website',
    'web site',
    'site',
    'homepage',
    'download',
    'downloads',
    'download all',
    'sample',
    'samples',
    'proof',
    'proofs',
    'files',
    'file',
    'file list',
    'listing',
    'contact',
    'contact us',
    'contacts',
    'chat',
    'next',
    'previous',
    'prev',
    'older',
    'newer',
    'older posts',
    'newer posts',
    'next page',
    'previous page',
    'first',
    'last',
    'back',
    'home',
    'search',
    'menu',
    'login',
    'log in',
    'sign in',
    'sign up',
    'register',
    'logout',
    'here',
    'click here',
    'leaks',
    'подробнее',
    'читать далее',
    'читать',
    'далее',
    'скачать',
    'ссылка',
    'сайт',
    'открыть',
    'главная',
    'новости',
    'en savoir plus',
    'lire la suite',
    'weiterlesen',
    'mehr',
    'leer más',
    'ver más',
    '查看',
    '详情',
    '更多',
  ].map((label) => label.normalize('NFKC')),
);

export function labelKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "Read more", "open", "Website", "Download", "»": an action label. */
/** A post's state written alone where a name would be: a badge, not a title. */
const STATUS_WORDS =
  /^(published|unpublished|in progress|progress|pending|leaked|full leak|data leak|new|hot|updated|paid|unpaid|sold|available|coming soon|soon|deadline|countdown|timer|expired|negotiating|negotiations|опубликовано|в процессе|publié|veröffentlicht)$/u;

export function isGenericLabel(text: string): boolean {
  const key = labelKey(text);
  return key === '' || GENERIC_LABELS.has(key) || STATUS_WORDS.test(key);
}

/** Labels that ask to see a post's own page: a link with this text is the post's link. */
export function isDetailLabel(text: string): boolean {
  return /^(read more|more|more info|more details|details?|view( more| details| post)?|open|show( more)?|continue( reading)?|read( full)?|подробнее|читать далее|читать|далее|открыть|en savoir plus|lire la suite|weiterlesen|leer más|ver más|查看|详情)$/u.test(
    labelKey(text),
  );
}

const DATE_PATTERNS = [
  /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?/u,
  /\d{4}[./]\d{1,2}[./]\d{1,2}(?: \d{1,2}:\d{2}(?::\d{2})?)?/u,
  /\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?/u,
  /\d{1,2}(?:st|nd|rd|th)? (?:of )?\p{L}{3,10}\.?,? \d{4}/u,
  /\p{L}{3,10}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}/u,
  /\d+ (?:second|minute|hour|day|week|month)s? ago/iu,
];

/** The first date written in `text` that parses, as written, with its instant. */
export function findDate(text: string, now: Date): { raw: string; at: Date } | undefined {
  let best: { raw: string; at: Date; index: number } | undefined;
  for (const pattern of DATE_PATTERNS) {
    const global = new RegExp(pattern.source, 'giu');
    for (const match of text.matchAll(global)) {
      const at = parseLooseDate(match[0], now);
      if (at && (!best || (match.index ?? 0) < best.index)) {
        best = { raw: match[0], at, index: match.index ?? 0 };
        break;
      }
    }
  }
  return best ? { raw: best.raw, at: best.at } : undefined;
}

/** Words that introduce a date or a figure, not a name: "Posted", "Updated:", "Опубликовано". */
const META_WORDS =
  /^(posted|published|updated|added|date|time|deadline|leaked|views?|size|data|status|uploaded|utc|gmt|опубликовано|просмотров|дата|размер|publié|veröffentlicht|on|at|by|in|of|ago)$/iu;

/** Text that is nothing but a date, a number, a size, a percentage or a countdown (with meta words around it). */
export function isMetaText(text: string): boolean {
  let rest = text;
  for (const pattern of DATE_PATTERNS) rest = rest.replace(new RegExp(pattern.source, 'giu'), ' ');
  rest = rest
    .replace(/\d+(?:[.,]\d+)?\s*(?:%|[kmgtp]i?b|bytes?|гб|мб|тб)(?![\p{L}])/giu, ' ')
    .replace(/\b\d+\s*(?:d|h|m|s|days?|hours?|min(?:ute)?s?|sec(?:ond)?s?)\b/giu, ' ')
    .replace(/[\d\s:.,/#№+\-–—()[\]|·•]+/gu, ' ');
  const words = rest.split(/\s+/).filter((word) => /\p{L}/u.test(word));
  return words.every((word) => META_WORDS.test(word));
}

/**
 * Could this be the title of a post: some letters, not too long, not an action label, not a bare date or figure,
 * not a "Label:" heading.
 */
export function isTitleLike(text: string): boolean {
  if (text.length < 2 || text.length > 200) return false;
  if (!/\p{L}/u.test(text)) return false;
  if (/[:：]$/.test(text)) return false;
  if (isGenericLabel(text)) return false;
  return !isMetaText(text);
}

/** A host name or URL written as text ("acme.com", "https://acme.com/"). */
export function looksLikeUrl(text: string): boolean {
  return /^(https?:\/\/)?([\p{L}\p{N}-]+\.)+[\p{L}]{2,}(\/\S*)?$/iu.test(text.trim());
}

const FILE_NAME = /\.(7z|rar|zip|tar|gz|tgz|csv|sql|pdf|txt|docx?|xlsx?|json|bak|\d{3})$/i;

/**
 * How much a title-like text reads as a name rather than a field value, 0..1: a URL with its scheme, a file name,
 * "Label: value", or mostly decoration ("==== FULL LEAK ====") are weak titles.
 */
export function titleQuality(text: string): number {
  let quality = 1;
  if (/^(https?:\/\/|www\.)/i.test(text)) quality *= 0.3;
  if (FILE_NAME.test(text)) quality *= 0.3;
  if (/^[^:]{1,25}\s?:\s?\S/u.test(text) && !/^https?:/i.test(text)) quality *= 0.5;
  const letters = (text.match(/[\p{L}\p{N}]/gu) ?? []).length;
  if (letters / text.length < 0.5) quality *= 0.3;
  return quality;
}
