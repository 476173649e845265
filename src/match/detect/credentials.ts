/**
 * Credential lines: a login or e-mail with a password, as combo lists (`login:password`, `url:login:password`),
 * tables with a password column, and stealer logs (`Username: … Password: …`). Only the login leaves this module; the
 * password is looked at for its shape (plaintext or hash) and dropped.
 */
import type { TextRecord } from '../../extract/text-record.ts';
import { normaliseEmail, normaliseLogin } from '../identifiers/normalise.ts';
import type { ColumnRole } from './headers.ts';

export interface FoundCredential {
  /** Normalised login (an e-mail address or a user name). */
  login: string;
  hashed: boolean;
}

const HASHED =
  /^(\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}|[a-f0-9]{32}|[a-f0-9]{40}|[a-f0-9]{64}|[a-f0-9]{128}|\$[1-6]\$\S+|\{s?sha\d*\}\S+|\$argon2\S+)$/i;
/** "Label: value" lines of ordinary documents are not credentials. */
const LABELS = new Set(
  'contact email e-mail mail courriel tel phone telephone nom name prenom adresse address url date subject objet from to cc de ref id note notes total site web'.split(
    ' ',
  ),
);
const LOGIN = /^[\p{L}\p{N}._-]{3,64}$/u;
const LABELLED =
  /(?:user(?:name)?|login|e-?mail|identifiant)\s*[:=]\s*(\S{3,128})\s*(?:\r?\n\s*)?(?:pass(?:word)?|pwd|mot de passe|mdp)\s*[:=]\s*(\S{1,128})/gi;

const URL_LINE = /^(?:https?|android):\/\//;

/** `login<sep>password`: split at the first separator; a password may hold colons, not more columns. */
function splitCombo(line: string): string[] {
  const m = /[:;|\t,]/.exec(line);
  if (!m) return [];
  const after = line.slice(m.index + 1);
  if (m[0] !== ':' && after.includes(m[0])) return [];
  return [line.slice(0, m.index), after];
}

function credential(loginRaw: string, password: string): FoundCredential | null {
  const login = loginRaw.trim();
  const pass = password.trim();
  if (!login || !pass || pass.length > 128 || /\s/.test(pass)) return null;
  const hashed = HASHED.test(pass);
  if (login.includes('@')) {
    const email = normaliseEmail(login);
    return email.ok ? { login: email.value, hashed } : null;
  }
  // A bare user name counts only with a password-like second field: "Jean,Dupont" is a name, not a credential.
  if (!LOGIN.test(login) || !/\p{L}/u.test(login) || LABELS.has(login.toLowerCase())) return null;
  if (!hashed && !/[\d\W_]/u.test(pass)) return null;
  const normalised = normaliseLogin(login);
  return normalised.ok ? { login: normalised.value, hashed } : null;
}

/** What most records hold: shared, never pushed to (no array made per record). */
const NONE: readonly FoundCredential[] = Object.freeze([]);

export function findCredentials(
  record: TextRecord,
  roles: Map<ColumnRole, number>,
): readonly FoundCredential[] {
  const { cells } = record;
  const password = roles.get('password');
  if (cells && password !== undefined) {
    const loginColumn = roles.get('email') ?? roles.get('login');
    if (loginColumn === undefined) return NONE;
    const found = credential(cells[loginColumn] ?? '', cells[password] ?? '');
    return found ? [found] : NONE;
  }
  if (
    cells &&
    roles.size === 0 &&
    (cells.length === 2 || (cells.length === 3 && /^(https?|android):\/\//.test(cells[0] ?? '')))
  ) {
    const found = credential(cells[cells.length - 2] ?? '', cells[cells.length - 1] ?? '');
    return found ? [found] : NONE;
  }
  if (cells) return NONE;
  const found: FoundCredential[] = [];
  const text = record.text;
  if (/pass|pwd|mot de passe|mdp/i.test(text)) {
    for (const m of text.matchAll(LABELLED)) {
      const c = credential(m[1] as string, m[2] as string);
      if (c) found.push(c);
    }
    if (found.length > 0) return found;
  }
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).trim();
    lineStart = lineEnd + 1;
    if (line.length < 5 || line.length > 400) continue;
    let fields = splitCombo(line);
    // Most lines start with neither "h" nor "a": no regex for them (every line of every text record passes here).
    const first = line.charCodeAt(0);
    if ((first === 104 || first === 97) && URL_LINE.test(line)) {
      // Stealer combo lists: "url login password" or "url:login:password" (the URL has colons of its own).
      const spaced = line.split(/\s*[|;,\t ]\s*/);
      const colons = line.split(':');
      fields = spaced.length === 3 ? spaced.slice(1) : colons.length >= 4 ? colons.slice(-2) : [];
    }
    if (fields.length !== 2) continue;
    const c = credential(fields[0] as string, fields[1] as string);
    if (c) found.push(c);
  }
  return found;
}
