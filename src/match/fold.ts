/**
 * Text folding shared by watch terms, the term automaton and the classifiers: compatibility decomposition (NFKD, so
 * ligatures, full-width and super/subscript forms become their plain letters), combining marks stripped (accents),
 * lower case with full case folding (ß → ss), and every run of punctuation or whitespace folded to one space.
 *
 * Folding is table-driven and per UTF-16 code unit, so the automaton can fold while it scans (one pass, no folded
 * copy of a 100 MB dump) and `foldText` can keep a map from every folded character back to its original offset.
 */

/** FOLD[c]: 0 = separator (punctuation, space, symbols), 1 = dropped (combining mark, zero-width), 2 = see MULTI. */
export const FOLD_SEPARATOR = 0;
export const FOLD_DROP = 1;
export const FOLD_MULTI = 2;

const DROPPED = new Set([0x00ad, 0x034f, 0x061c, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]);
const EXTRA_CASE_FOLDS: Record<string, string> = { ß: 'ss', ẞ: 'ss', ς: 'σ', ſ: 's', ı: 'i', ĸ: 'q' };
const EXTRA_CASE_FOLD = new RegExp(`[${Object.keys(EXTRA_CASE_FOLDS).join('')}]`, 'gu');
const MARK = /\p{M}/u;
const WORD = /[\p{L}\p{N}]/u;

function foldCodePoint(char: string): string {
  if (MARK.test(char)) return '';
  let folded = '';
  for (const piece of char
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()) {
    const extra = EXTRA_CASE_FOLDS[piece] ?? piece;
    folded += WORD.test(extra) ? extra : ' ';
  }
  return folded;
}

/**
 * foldCodePoint of many BMP characters at once, each step one call over all of them (one call per character and step
 * took 70–100 ms at every start). Each character is followed by a NUL: a starter, so NFKD's canonical reordering never
 * moves a mark across it; neither cased nor case-ignorable, so lower-casing (final sigma) sees each character on its
 * own; kept by the last step. NUL itself is not passed here. The same results as foldCodePoint (tested for every code
 * unit).
 */
function foldMany(chars: readonly string[]): string[] {
  const joined = chars.join('\u0000');
  const mark = new Uint8Array(chars.length);
  for (const m of joined.matchAll(/\p{M}/gu)) mark[m.index / 2] = 1; // every character is one code unit
  const folds = joined
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(EXTRA_CASE_FOLD, (letter) => EXTRA_CASE_FOLDS[letter] as string)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL between characters is kept on purpose
    .replace(/[^\p{L}\p{N}\u0000]/gu, ' ')
    .split('\u0000');
  if (folds.length !== chars.length) throw new Error('fold tables: a decomposition held a NUL');
  for (let i = 0; i < folds.length; i++) if (mark[i] === 1) folds[i] = '';
  return folds;
}

function buildTables(): { fold: Uint16Array; multi: Map<number, string> } {
  const fold = new Uint16Array(65536);
  const multi = new Map<number, string>();
  const codes: number[] = [];
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdbff) {
      fold[c] = FOLD_MULTI; // a high surrogate: the pair is folded as one code point (foldAstral)
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) continue; // a lone low surrogate: separator
    if (DROPPED.has(c)) {
      fold[c] = FOLD_DROP;
      continue;
    }
    codes.push(c);
  }
  const batch = codes.filter((c) => c !== 0);
  const folds = foldMany(batch.map((c) => String.fromCharCode(c)));
  batch.push(0);
  folds.push(foldCodePoint('\u0000'));
  for (let i = 0; i < batch.length; i++) {
    const c = batch[i] as number;
    const folded = folds[i] as string;
    if (folded === '') fold[c] = FOLD_DROP;
    else if (folded === ' ') fold[c] = FOLD_SEPARATOR;
    else if (folded.length === 1 && folded.charCodeAt(0) > FOLD_MULTI) fold[c] = folded.charCodeAt(0);
    else {
      fold[c] = FOLD_MULTI;
      multi.set(c, folded);
    }
  }
  return { fold, multi };
}

let tables: { fold: Uint16Array; multi: Map<number, string> } | undefined;

/** The per-code-unit fold table and the expansions of FOLD_MULTI code units (built once, ~30 ms). */
export function foldTables(): { fold: Uint16Array; multi: Map<number, string> } {
  tables ??= buildTables();
  return tables;
}

const astralCache = new Map<number, string>();

/** Folding of an astral code point (mathematical letters, emoji…): letters fold, symbols become a separator. */
export function foldAstral(codePoint: number): string {
  let folded = astralCache.get(codePoint);
  if (folded === undefined) {
    folded = foldCodePoint(String.fromCodePoint(codePoint));
    if (astralCache.size < 10_000) astralCache.set(codePoint, folded);
  }
  return folded;
}

export interface FoldedText {
  /** The folded text: lower-case letters and digits, single spaces, no leading or trailing space. */
  folded: string;
  /** offsets[i]: index in the original text of the code unit that produced folded[i]. */
  offsets: Uint32Array;
}

/**
 * Folds a text and keeps the map back to original offsets. `foldText("L'Hôpital  Saint-Éloi").folded` is
 * `"l hopital saint eloi"`.
 */
export function foldText(text: string): FoldedText {
  const { fold, multi } = foldTables();
  let out = new Uint16Array(text.length + 16);
  let offsets = new Uint32Array(text.length + 16);
  let n = 0;
  let pendingSpace = false;
  const push = (code: number, at: number) => {
    if (code === 32) {
      pendingSpace = n > 0;
      return;
    }
    if (n + 2 > out.length) {
      const grownOut = new Uint16Array(out.length * 2);
      grownOut.set(out);
      out = grownOut;
      const grownOffsets = new Uint32Array(offsets.length * 2);
      grownOffsets.set(offsets);
      offsets = grownOffsets;
    }
    if (pendingSpace) {
      out[n] = 32;
      offsets[n++] = at;
      pendingSpace = false;
    }
    out[n] = code;
    offsets[n++] = at;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const f = fold[c] as number;
    if (f > FOLD_MULTI) push(f, i);
    else if (f === FOLD_SEPARATOR) push(32, i);
    else if (f === FOLD_MULTI) {
      const start = i;
      let expansion = multi.get(c);
      if (expansion === undefined) {
        const cp = text.codePointAt(i) as number;
        if (cp > 0xffff) i++;
        expansion = cp > 0xffff ? foldAstral(cp) : ' ';
      }
      for (let j = 0; j < expansion.length; j++) push(expansion.charCodeAt(j), start);
    }
  }
  let folded = '';
  for (let i = 0; i < n; i += 8192) folded += String.fromCharCode(...out.subarray(i, Math.min(n, i + 8192)));
  return { folded, offsets: offsets.slice(0, n) };
}

const SCRATCH_UNITS = 1 << 16;
let scratch: Uint16Array | undefined;

/**
 * The folded form alone (watch terms, names, lexicons, header cells): the same string as `foldText(text).folded`,
 * without the offsets map. Detectors fold a few short cells per record of a dump, so this reuses one buffer and
 * allocates only the result.
 */
export function fold(text: string): string {
  const { fold: table, multi } = foldTables();
  // Long texts (a post's body) get a buffer of their own, so that one of them does not stay allocated here.
  scratch ??= new Uint16Array(SCRATCH_UNITS);
  let out = text.length > SCRATCH_UNITS / 2 - 8 ? new Uint16Array(text.length * 2 + 16) : scratch;
  let n = 0;
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const f = table[c] as number;
    if (f > FOLD_MULTI) {
      if (pendingSpace) {
        out[n++] = 32;
        pendingSpace = false;
      }
      out[n++] = f;
    } else if (f === FOLD_SEPARATOR) pendingSpace = n > 0;
    else if (f === FOLD_MULTI) {
      let expansion = multi.get(c);
      if (expansion === undefined) {
        const cp = text.codePointAt(i) as number;
        if (cp > 0xffff) i++;
        expansion = cp > 0xffff ? foldAstral(cp) : ' ';
      }
      // An expansion can be long (U+FDFA is 18 letters): room for it, a space, and every remaining unit.
      if (n + 2 * expansion.length + 2 * (text.length - i) + 2 > out.length) {
        const grown = new Uint16Array((n + 2 * expansion.length + 2 * (text.length - i)) * 2 + 16);
        grown.set(out.subarray(0, n));
        out = grown;
      }
      for (let j = 0; j < expansion.length; j++) {
        const e = expansion.charCodeAt(j);
        if (e === 32) pendingSpace = n > 0;
        else {
          if (pendingSpace) {
            out[n++] = 32;
            pendingSpace = false;
          }
          out[n++] = e;
        }
      }
    }
  }
  if (n <= 4096) return String.fromCharCode.apply(null, out.subarray(0, n) as unknown as number[]);
  let folded = '';
  for (let i = 0; i < n; i += 4096) folded += String.fromCharCode(...out.subarray(i, Math.min(n, i + 4096)));
  return folded;
}

/** True when the code unit folds to a letter or digit (used for word boundaries). */
export function isWordUnit(code: number): boolean {
  const f = foldTables().fold[code] as number;
  return f > FOLD_MULTI || (f === FOLD_MULTI && code < 0xdc00);
}
