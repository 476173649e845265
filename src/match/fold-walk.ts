/**
 * Folding one code unit at a time, for the slow paths of the automaton (characters that fold to several) and for
 * finding where a match starts in the original text without keeping per-character offsets during the scan.
 */
import { FOLD_DROP, FOLD_MULTI, FOLD_SEPARATOR, foldAstral, foldTables } from './fold.ts';

/** What a code unit folds to: a string of folded characters (' ' for a separator, '' when dropped). */
export function unitFolding(text: string, i: number): { folded: string; units: number } {
  const { fold, multi } = foldTables();
  const c = text.charCodeAt(i);
  const f = fold[c] as number;
  if (f > FOLD_MULTI) return { folded: String.fromCharCode(f), units: 1 };
  if (f === FOLD_SEPARATOR) return { folded: ' ', units: 1 };
  if (f === FOLD_DROP) return { folded: '', units: 1 };
  const expansion = multi.get(c);
  if (expansion !== undefined) return { folded: expansion, units: 1 };
  const cp = text.codePointAt(i) as number;
  return cp > 0xffff ? { folded: foldAstral(cp), units: 2 } : { folded: ' ', units: 1 };
}

/**
 * Where a match of `length` folded characters that ends at `end` starts in the original text: walks back folding
 * code units, a run of separators counting as one space.
 */
export function startOf(text: string, end: number, length: number): number {
  const { fold } = foldTables();
  let remaining = length;
  let afterSpace = false;
  for (let i = end - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    const f = fold[code] as number;
    if (f > FOLD_MULTI || (f === FOLD_SEPARATOR && (code < 0xdc00 || code > 0xdfff))) {
      // One folded character (the common case, without allocating).
      const space = f === FOLD_SEPARATOR;
      if (space && afterSpace) continue;
      afterSpace = space;
      if (--remaining === 0) return i;
      continue;
    }
    if (f === FOLD_DROP) continue;
    const at = code >= 0xdc00 && code <= 0xdfff && i > 0 ? i - 1 : i;
    const { folded } = unitFolding(text, at);
    for (let j = folded.length - 1; j >= 0; j--) {
      const space = folded.charCodeAt(j) === 32;
      if (space && afterSpace) continue;
      afterSpace = space;
      if (--remaining === 0) return at;
    }
    i = at;
  }
  return 0;
}
