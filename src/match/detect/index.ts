/**
 * All detectors on one text record: what identifiers it holds (as hash inputs, for the registry) and what categories
 * of data it reveals (whoever they belong to). Identifier kinds nobody registered are not hashed.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { TextRecord } from '../../extract/text-record.ts';
import type { DateOrder } from '../identifiers/dates.ts';
import { type IdentifierKind, NAMESPACE, normalisePatientId } from '../identifiers/normalise.ts';
import { type Candidate, count, type RecordFindings } from './candidate.ts';
import { findCredentials } from './credentials.ts';
import { findEmails } from './emails.ts';
import { headerRoles } from './headers.ts';
import { findNameBirthdates } from './names.ts';
import { findNumbers } from './numbers.ts';

export interface DetectOptions {
  /** Regions whose national phone format is read. */
  regions: readonly CountryCode[];
  dateOrder: DateOrder;
  /** Kinds present in the registry: others are detected for categories only. */
  wanted: ReadonlySet<IdentifierKind>;
  /** Organisations' own patient id patterns (bounded regexes, global flag). */
  patientPatterns: ReadonlyArray<{ orgId: number; regex: RegExp }>;
}

export function detect(record: TextRecord, options: DetectOptions): RecordFindings {
  const findings: RecordFindings = { candidates: [], categories: new Map() };
  const wanted = options.wanted;
  const accounts = wanted.has('email') || wanted.has('login');
  const seen = new Map<string, Candidate>();
  const add = (kind: IdentifierKind, value: string, extra: Partial<Candidate> = {}) => {
    const key = NAMESPACE[kind] + value;
    const mapKey = extra.orgId === undefined ? key : `${extra.orgId}|${key}`;
    const existing = seen.get(mapKey);
    if (existing) {
      if (extra.credential) existing.credential = true;
      return;
    }
    const candidate: Candidate = { kind, key, ...extra };
    seen.set(mapKey, candidate);
    findings.candidates.push(candidate);
  };
  const text = record.text;
  const roles = headerRoles(record.headers);

  const emails = text.includes('@') ? findEmails(text) : [];
  if (emails.length) count(findings, 'contact_details', emails.length);
  if (accounts) for (const email of emails) add('email', email.value);

  const credentials = findCredentials(record, roles);
  if (credentials.length) count(findings, 'credentials', credentials.length);
  if (accounts)
    for (const c of credentials)
      add(c.login.includes('@') ? 'email' : 'login', c.login, { credential: true });
  if (accounts && record.cells && roles.has('login')) {
    const login = record.cells[roles.get('login') as number]?.trim().toLowerCase();
    if (login && login.length >= 2 && !/\s/.test(login)) add(login.includes('@') ? 'email' : 'login', login);
  }

  const numbers = /\d{3}/.test(text)
    ? findNumbers(text, { regions: options.regions, phones: wanted.has('phone'), healthNumbers: true })
    : { phones: [], nirs: [], health: [], cards: 0, ibans: 0 };
  if (numbers.phones.length) count(findings, 'contact_details', numbers.phones.length);
  if (numbers.nirs.length + numbers.health.length)
    count(findings, 'national_ids', numbers.nirs.length + numbers.health.length);
  if (numbers.cards) count(findings, 'payment_cards', numbers.cards);
  if (numbers.ibans) count(findings, 'bank_accounts', numbers.ibans);
  if (wanted.has('phone')) for (const phone of numbers.phones) add('phone', phone);
  if (wanted.has('nir')) for (const nir of numbers.nirs) add('nir', nir);
  if (wanted.has('health_number')) for (const hn of numbers.health) add('health_number', hn);

  const people = findNameBirthdates(record, roles, options.dateOrder);
  if (people.length) count(findings, 'identity');
  if (wanted.has('name_birthdate')) for (const person of people) add('name_birthdate', person);

  if (wanted.has('patient_id')) {
    if (record.cells && roles.has('patient_id')) {
      const id = normalisePatientId(record.cells[roles.get('patient_id') as number] ?? '');
      if (id.ok) add('patient_id', id.value);
    }
    for (const { orgId, regex } of options.patientPatterns) {
      regex.lastIndex = 0;
      for (const m of text.matchAll(regex)) {
        const id = normalisePatientId(m[0]);
        if (id.ok) add('patient_id', id.value, { orgId });
      }
    }
  }
  return findings;
}
