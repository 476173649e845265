/**
 * Which CSV columns hold which identifiers: from `--column kind=header` mappings (a header name, case- and
 * accent-insensitive, or a 1-based column number), else from the headers themselves (src/match/detect/headers.ts).
 * A password column is never imported.
 */
import { InputError } from '../../shared/errors.ts';
import { COLUMN_ROLES, type ColumnRole, roleOfHeader } from '../detect/headers.ts';
import { fold } from '../fold.ts';

/** Roles an import maps; name parts and birth date combine into name_birthdate. */
export const IMPORT_ROLES = COLUMN_ROLES.filter((role) => role !== 'password');
export type ImportRole = Exclude<ColumnRole, 'password'>;

export interface MappedColumn {
  role: ImportRole;
  index: number;
  /** The header as written in the file (or `column N`): safe to print, it is not an identifier. */
  header: string;
}

/** Parses `kind=header` arguments. */
export function parseColumnArguments(args: readonly string[]): Array<{ role: ImportRole; column: string }> {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    const role = arg.slice(0, eq).trim().toLowerCase().replace(/-/g, '_') as ImportRole;
    const column = arg.slice(eq + 1).trim();
    if (eq < 1 || !column)
      throw new InputError('import.bad_column', `--column expects kind=header, got "${arg}"`);
    if (!(IMPORT_ROLES as readonly string[]).includes(role)) {
      throw new InputError(
        'import.bad_column',
        `unknown identifier kind "${role}" in --column (one of ${IMPORT_ROLES.join(', ')})`,
      );
    }
    return { role, column };
  });
}

export function mapColumns(
  headers: readonly string[] | null,
  explicit: ReadonlyArray<{ role: ImportRole; column: string }>,
): MappedColumn[] {
  const label = (index: number) => headers?.[index]?.trim() || `column ${index + 1}`;
  if (explicit.length > 0) {
    return explicit.map(({ role, column }) => {
      let index = headers ? headers.findIndex((h) => fold(h) === fold(column)) : -1;
      if (index < 0 && /^\d+$/.test(column)) index = Number(column) - 1;
      if (index < 0 || (headers && index >= headers.length)) {
        throw new InputError('import.no_column', `no column "${column}" in the file`, {
          hint: headers
            ? `its columns are: ${headers.map((h) => `"${h}"`).join(', ')}`
            : 'give a 1-based column number',
        });
      }
      return { role, index, header: label(index) };
    });
  }
  if (!headers)
    throw new InputError(
      'import.no_header',
      'the file has no header row: map its columns with --column kind=N',
    );
  const mapped: MappedColumn[] = [];
  headers.forEach((header, index) => {
    const role = roleOfHeader(header);
    if (role && role !== 'password' && !mapped.some((m) => m.role === role))
      mapped.push({ role, index, header: label(index) });
  });
  return mapped;
}

/** A mapping that can import something: any identifier column, or a birth date with name parts. */
export function checkMapping(columns: readonly MappedColumn[]): void {
  const roles = new Set(columns.map((c) => c.role));
  const direct = ['email', 'login', 'phone', 'nir', 'health_number', 'patient_id'].some((r) =>
    roles.has(r as ImportRole),
  );
  const person = roles.has('birthdate') && (roles.has('name') || roles.has('last_name'));
  if (!direct && !person) {
    throw new InputError('import.nothing_to_import', 'no identifier column found', {
      hint: `name columns with --column kind=header (kinds: ${IMPORT_ROLES.join(', ')}); name + birth date needs a birthdate column and name or last_name (and first_name)`,
    });
  }
  if (roles.has('birthdate') && !(roles.has('name') || roles.has('last_name'))) {
    throw new InputError(
      'import.incomplete_person',
      'a birthdate column needs a name or last_name column (name + birth date are one identifier)',
    );
  }
}
