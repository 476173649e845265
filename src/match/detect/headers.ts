/**
 * What the columns of a table hold, from their headers (French and English, folded): e-mail, login, password, phone,
 * NIR, health number, patient id, name parts, birth date. Used by the detectors (login + password on one row, name +
 * birth date on one row) and by `leakwatch identifiers import` to map columns without --column.
 */
import { fold } from '../fold.ts';

export const COLUMN_ROLES = [
  'email',
  'login',
  'password',
  'phone',
  'nir',
  'health_number',
  'patient_id',
  'name',
  'first_name',
  'last_name',
  'birthdate',
] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

const RULES: Array<[ColumnRole, RegExp]> = [
  ['password', /^(password|passwd|pass|pwd|mot de passe|mdp|password hash|hash|pass hash|motdepasse)$/],
  ['email', /^(e ?mail|courriel|mail|adresse (e )?mail|email address|adresse electronique|e ?mail address)$/],
  ['login', /^(login|username|user name|user|identifiant|pseudo|account|compte|user id|userid)$/],
  ['phone', /(^| )(phone|telephone|tel|mobile|portable|gsm|cell|fixe|numero de telephone)( |$)/],
  ['nir', /(^| )(nir|securite sociale|secu|nss|insee|num secu|numero ss|no ss|n ss)( |$)/],
  ['health_number', /(^| )(nhs|niss|insz|avs|ahv|kvnr|health number|insurance number|health id)( |$)/],
  [
    'patient_id',
    /(^| )(patient id|id patient|ipp|numero patient|n patient|no patient|num patient|dossier|customer id|client id|numero client|n client|member id|adherent|id client|id)( |$)/,
  ],
  ['birthdate', /(date de naissance|naissance|birth|dob|ddn|date naiss|birthday|ne le|nee le)/],
  ['first_name', /^(prenom|prenoms|first name|firstname|given name|forename)$/],
  ['last_name', /^(nom|last name|lastname|surname|family name|nom de famille|nom de naissance|nom d usage)$/],
  [
    'name',
    /^(name|nom complet|full name|fullname|nom prenom|nom et prenom|prenom nom|patient|client|customer|titulaire)$/,
  ],
];

export function roleOfHeader(header: string): ColumnRole | undefined {
  const folded = fold(header);
  for (const [role, rule] of RULES) if (rule.test(folded)) return role;
  return undefined;
}

const cache = new Map<string, Map<ColumnRole, number>>();

/** The first column index of each role found in the headers. */
const byArray = new WeakMap<readonly string[], Map<ColumnRole, number>>();
const NONE = new Map<ColumnRole, number>();

/** The roles of the previous record's headers: the records of one table share their headers array. */
let last: { headers: readonly string[]; roles: Map<ColumnRole, number> } | undefined;

export function headerRoles(headers: readonly string[] | undefined): Map<ColumnRole, number> {
  if (!headers || headers.length === 0) return NONE;
  if (last?.headers === headers) return last.roles;
  const known = byArray.get(headers);
  if (known) {
    last = { headers, roles: known };
    return known;
  }
  const key = headers.join('\u0000');
  let roles = cache.get(key);
  if (!roles) {
    roles = new Map();
    headers.forEach((header, i) => {
      const role = roleOfHeader(header);
      if (role && !roles?.has(role)) roles?.set(role, i);
    });
    if (cache.size > 1000) cache.clear();
    cache.set(key, roles);
  }
  byArray.set(headers, roles);
  last = { headers, roles };
  return roles;
}
