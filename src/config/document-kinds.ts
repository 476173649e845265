/** The kinds of posted files a user can allow or refuse (`documents.kinds`, validated here); ndjson counts as json. */
export const CONFIGURABLE_KINDS = [
  'text',
  'csv',
  'json',
  'sql',
  'html',
  'pdf',
  'docx',
  'xlsx',
  'image',
  'zip',
  'tar',
  'gzip',
] as const;

export type ConfigurableKind = (typeof CONFIGURABLE_KINDS)[number];

/** The configurable kind a sniffed kind belongs to. */
export function configurableKind(kind: string): string {
  return kind === 'ndjson' ? 'json' : kind;
}
