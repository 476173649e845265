/**
 * The shape of a text: counts and flags, in one pass without a regex, that tell which detectors can possibly find
 * something in it (digits for numbers, "@" for addresses, capitals for KVNR and IBAN). Every character of every record
 * passes here once.
 */

/** Counts that tell which number detectors can possibly find something in a text (one pass, no regex). */
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
  if (text.length >= LONG_TEXT && text.length <= MAX_UNITS) return shapeOfUnits(text, into);
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
 * Long texts (a page, a document's paragraph) are copied into a buffer of UTF-16 code units in one native call and
 * classified from there: the same code units charCodeAt gives, read about twice as fast as through charCodeAt. A
 * table cell is too short for the copy to pay.
 */
const LONG_TEXT = 256;
const MAX_UNITS = 1 << 20;
let unitBuffer = Buffer.alloc(0);
let units = new Uint16Array(0);
/** Classes of every UTF-16 code unit (0 beyond ASCII), so that the loop reads the table without a range test. */
const UNIT_CLASS = new Uint8Array(65536);
UNIT_CLASS.set(SHAPE_CLASS);

function shapeOfUnits(text: string, into?: TextShape): TextShape {
  const n = text.length;
  if (units.length < n) {
    unitBuffer = Buffer.alloc(Math.max(n, 4096) * 2);
    units = new Uint16Array(unitBuffer.buffer, unitBuffer.byteOffset, unitBuffer.length >> 1);
  }
  unitBuffer.write(text, 0, 'utf16le');
  let digits = 0;
  let upper = 0;
  let seen = 0;
  let runStart = 0;
  let afterAlnum = 0;
  for (let i = 0; i < n; i++) {
    const k = UNIT_CLASS[units[i] as number] as number;
    digits += k & 1;
    upper += (k >> 1) & 1;
    seen |= k;
    runStart |= k & ~afterAlnum;
    afterAlnum = k >> 3;
  }
  return toShape(digits, upper, seen, runStart, into);
}
