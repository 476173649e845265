/**
 * Captured text (titles, file names, site names) is hostile: a bidi override turns `\u202Egnp.exe` into what reads as
 * `exe.png`, zero-width and control characters hide or disguise words, ESC sequences drive a terminal. Wherever such
 * text is shown (web UI, CLI, alert messages) these characters are written out as `⟨U+202E⟩`, so an analyst sees that
 * they are there and what they are; the stored text is left as captured.
 */

/**
 * Controls (but tab and line breaks, which each display folds or keeps), format characters (bidi controls, zero-width
 * spaces and joiners, soft hyphen, BOM, tag characters), line and paragraph separators, and the Hangul fillers that
 * render as blank letters.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029\u115F\u1160\u3164\uFFA0]/gu;
const KEPT = new Set(['\t', '\n', '\r']);

function codePoint(character: string): string {
  return `⟨U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** The text with every invisible or direction-changing character shown as `⟨U+XXXX⟩`; tab and line breaks kept. */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (character) => (KEPT.has(character) ? character : codePoint(character)));
}

/**
 * One line of captured text for a terminal or a short message: whitespace folded, invisible characters shown, clipped
 * to `max` characters (never inside a `⟨U+…⟩`).
 */
export function visibleLine(text: string, max = Number.POSITIVE_INFINITY): string {
  const shown = visibleText(
    text.replace(/[\t\n\r\v\f \u0085\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g, ' '),
  );
  if (shown.length <= max) return shown;
  return `${shown.slice(0, max - 1).replace(/⟨[^⟩]*$/u, '')}…`;
}
