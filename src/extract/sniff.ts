import { sniffDialect } from './delimited.ts';
import { decodeHead, detectEncoding } from './encoding.ts';

/**
 * What a file is, from its first bytes — never from its name or the server's Content-Type: leaked files lie about
 * their type (a "report.pdf" that is a ZIP, a ".txt" that is an executable).
 */
export type SupportedKind =
  | 'text'
  | 'csv'
  | 'json'
  | 'ndjson'
  | 'sql'
  | 'html'
  | 'pdf'
  | 'zip'
  | 'tar'
  | 'gzip'
  | 'image';
export type UnsupportedKind =
  | 'bzip2'
  | 'xz'
  | '7z'
  | 'rar'
  | 'zstd'
  | 'ole'
  | 'executable'
  | 'sqlite'
  | 'binary'
  | 'empty';
export type SniffedKind = SupportedKind | UnsupportedKind;

/** docx and xlsx are ZIPs; the ZIP extractor tells them apart by their parts. */
export type DocumentKind = SniffedKind | 'docx' | 'xlsx' | 'directory_listing';

const starts = (head: Buffer, bytes: readonly number[], at = 0) =>
  head.length >= at + bytes.length && bytes.every((byte, i) => head[at + i] === byte);
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

const MAGIC: ReadonlyArray<[SniffedKind, number[], number?]> = [
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['zip', [0x50, 0x4b, 0x05, 0x06]],
  ['zip', [0x50, 0x4b, 0x07, 0x08]],
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', ascii('BZh')],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['rar', ascii('Rar!\x1a\x07')],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['ole', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]],
  ['sqlite', ascii('SQLite format 3\0')],
  ['image', [0x89, 0x50, 0x4e, 0x47]],
  ['image', [0xff, 0xd8, 0xff]],
  ['image', ascii('GIF8')],
  ['image', [0x49, 0x49, 0x2a, 0x00]],
  ['image', [0x4d, 0x4d, 0x00, 0x2a]],
  ['executable', ascii('MZ')],
  ['executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['executable', [0xcf, 0xfa, 0xed, 0xfe]],
  ['executable', [0xfe, 0xed, 0xfa, 0xcf]],
  ['executable', [0xca, 0xfe, 0xba, 0xbe]],
];

/** A "PK" archive that is an Office Open XML file names its content types first; the ZIP extractor confirms. */
export function sniffKind(head: Buffer): SniffedKind {
  if (head.length === 0) return 'empty';
  for (const [kind, bytes, at] of MAGIC) if (starts(head, bytes, at)) return kind;
  // %PDF may follow a few bytes of junk; readers accept it within the first kilobyte.
  if (head.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (starts(head, ascii('RIFF')) && starts(head, ascii('WEBP'), 8)) return 'image';
  if (starts(head, ascii('BM')) && head.length > 26 && head.readUInt32LE(2) > 26 && head[14] === 40)
    return 'image';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return sniffText(head);
}

function sniffText(head: Buffer): SniffedKind {
  const encoding = detectEncoding(head);
  if (!encoding.text) return 'binary';
  const text = decodeHead(head, encoding.encoding).replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (/^(<!doctype html|<html|<head|<body|<!--[\s\S]{0,500}?-->\s*<html)/i.test(start)) return 'html';
  if (/^<\?xml/i.test(start) && /<html/i.test(start.slice(0, 2000))) return 'html';
  if (start.startsWith('{') || start.startsWith('[')) return looksLikeNdjson(start) ? 'ndjson' : 'json';
  if (looksLikeSql(text)) return 'sql';
  if (detectDelimiterQuick(text)) return 'csv';
  if (/^\s*<table[\s>]/i.test(start) || /<\/(p|div|td|li)>/i.test(text.slice(0, 4000))) return 'html';
  return 'text';
}

function looksLikeNdjson(text: string): boolean {
  const lines = text.split(/\r?\n/, 6).filter((line) => line.trim() !== '');
  if (lines.length < 2 || !lines[0]?.trimStart().startsWith('{')) return false;
  try {
    JSON.parse(lines[0] as string);
    return lines[1]?.trimStart().startsWith('{') === true;
  } catch {
    return false;
  }
}

function looksLikeSql(text: string): boolean {
  const sample = text.slice(0, 16_384);
  const statements = sample.match(
    /^\s*(insert\s+into|create\s+table|copy\s+\S+.*from\s+stdin|lock\s+tables)\b/gim,
  );
  if (!statements) return false;
  const comments = /^(--|\/\*!?|SET |DROP TABLE|USE )/im.test(sample);
  return statements.length >= 2 || comments || /^\s*insert\s+into\s+\S+.*values\s*\(/im.test(sample);
}

/** A tabular text: most records (quotes understood) split into the same number (≥ 2) of cells by one delimiter. */
function detectDelimiterQuick(text: string): boolean {
  const dialect = sniffDialect(text.slice(0, 32 * 1024));
  return dialect.records >= 2 && dialect.width >= 2 && dialect.consistency >= 0.8;
}
