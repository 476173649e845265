/**
 * The shape of a text: counts and flags, in one pass without a regex, that tell which detectors can possibly find
 * something in it (digits for numbers, "@" for addresses, capitals for KVNR and IBAN). Every character of every table
 * cell passes here once; a long text is read only as far as its gates need.
 */

/**
 * Counts that tell which number detectors can possibly find something in a text (one pass, no regex). Exact for a
 * text shorter than LONG_TEXT; for a longer one, `digits` is exact below DIGITS_ENOUGH (at least that otherwise),
 * `upper` is 2 and `runStart` true whatever the text holds (the gates are then open) and `at` is exact.
 */
export interface TextShape {
  digits: number;
  upper: number;
  at: boolean;
  /**
   * Whether RUN can match at all: a digit follows the start of the text or a character that is not an ASCII letter or
   * digit ("+", "(0)" and spaces included). When every digit follows an ASCII letter or digit (the digits of
   * `jean.dupont1987@…`, a reference like `AB12345678`) it cannot, and the regex (Unicode look-behind at every
   * position) is skipped.
   */
  runStart: boolean;
}

/** Texts from this length on are shaped by shapeOfLong. */
export const LONG_TEXT = 256;
/** The most digits a detector's gate asks for (a Corsican NIR: 11; a plain number cell: 7 to 23, never long). */
export const DIGITS_ENOUGH = 11;

/** ASCII character classes for shapeOf: 1 digit, 2 upper-case letter, 4 "@", 8 letter or digit. */
const SHAPE_CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) SHAPE_CLASS[c] = 1 | 8;
for (let c = 65; c <= 90; c++) SHAPE_CLASS[c] = 2 | 8;
for (let c = 97; c <= 122; c++) SHAPE_CLASS[c] = 8;
SHAPE_CLASS[64] = 4;

/**
 * The shape of `text`, written into `into` when given (the detectors reuse one object for a record's cells). Every
 * character of every cell passes here: a class table and bit arithmetic instead of branches on mixed text.
 */
export function shapeOf(text: string, into?: TextShape): TextShape {
  if (text.length >= LONG_TEXT) return shapeOfLong(text, into);
  let digits = 0;
  let upper = 0;
  let seen = 0; // classes seen
  let runStart = 0; // bit 1: a digit came after a character that is not an ASCII letter or digit
  let afterAlnum = 0; // bit 1: the previous character is an ASCII letter or digit
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? (SHAPE_CLASS[c] as number) : 0;
    digits += k & 1;
    upper += (k >> 1) & 1;
    seen |= k;
    runStart |= k & ~afterAlnum;
    afterAlnum = k >> 3;
  }
  return toShape(digits, upper, seen, runStart, into);
}

function toShape(digits: number, upper: number, seen: number, runStart: number, into?: TextShape): TextShape {
  const shape = into ?? { digits: 0, upper: 0, at: false, runStart: false };
  shape.digits = digits;
  shape.upper = upper;
  shape.at = (seen & 4) !== 0;
  shape.runStart = (runStart & 1) !== 0;
  return shape;
}

/**
 * A long text (a page, a document's paragraph) nearly always holds an upper-case letter and a digit that starts a run:
 * those are not looked for (the gates they would close stay open, and the detectors find what there is), and digits
 * are counted only until there are enough for every gate (on a customer list's page, within its first phone number).
 * Counting every class of every character of a page was a fifth of the detectors' time on customer lists.
 */
function shapeOfLong(text: string, into?: TextShape): TextShape {
  let digits = 0;
  for (let i = 0; i < text.length && digits < DIGITS_ENOUGH; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return toShape(digits, 2, text.includes('@') ? 4 : 0, 1, into);
}
