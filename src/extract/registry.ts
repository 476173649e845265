import type { ExtractContext } from './context.ts';

export { CONFIGURABLE_KINDS, configurableKind } from '../config/document-kinds.ts';

import { extractCsv } from './extractors/csv.ts';
import { extractGzip } from './extractors/gzip.ts';
import { extractHtml } from './extractors/html.ts';
import { extractImage } from './extractors/image.ts';
import { extractJson, extractNdjson } from './extractors/json.ts';
import { extractPdf } from './extractors/pdf.ts';
import { extractSql } from './extractors/sql.ts';
import { extractTar } from './extractors/tar.ts';
import { extractText } from './extractors/text.ts';
import { extractZip } from './extractors/zip.ts';
import type { SupportedKind, UnsupportedKind } from './sniff.ts';
import type { ExtractInput } from './source.ts';
import type { TextRecord } from './text-record.ts';

/** Extractors yield records in batches (a chunk's rows, a page): one await per batch, not per record. */
export type Extractor = (input: ExtractInput, ctx: ExtractContext) => AsyncGenerator<TextRecord[]>;

/** One extractor per sniffed kind, explicitly: a new kind is a file under extractors/ and a line here. */
export const EXTRACTORS: Readonly<Record<SupportedKind, Extractor>> = {
  text: extractText,
  csv: extractCsv,
  json: extractJson,
  ndjson: extractNdjson,
  sql: extractSql,
  html: extractHtml,
  pdf: extractPdf,
  zip: extractZip,
  tar: extractTar,
  gzip: extractGzip,
  image: extractImage,
};

export const ARCHIVE_KINDS: ReadonlySet<string> = new Set(['zip', 'tar', 'gzip']);

/** Kinds recognised but not read, each with the reason an analyst is shown. */
export const UNSUPPORTED: Readonly<Record<UnsupportedKind, string>> = {
  bzip2: 'bzip2-compressed data: not supported yet, decompress it by hand',
  xz: 'xz-compressed data: not supported yet, decompress it by hand',
  '7z': '7-Zip archive: not supported yet, extract it by hand',
  rar: 'RAR archive: not supported yet, extract it by hand',
  zstd: 'zstd-compressed data: not supported yet, decompress it by hand',
  ole: 'legacy Office binary file (.doc/.xls/.msg): not supported',
  executable: 'executable program (PE/ELF/Mach-O): not extracted',
  sqlite: 'SQLite database: not supported yet',
  binary: 'unknown binary format: nothing to extract',
  empty: 'empty file',
};
