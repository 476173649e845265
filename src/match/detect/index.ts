/**
 * All detectors on one text record: what identifiers it holds (as hash inputs, for the registry) and what categories
 * of data it reveals (whoever they belong to). Identifier kinds nobody registered are not hashed.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { TextRecord } from '../../extract/text-record.ts';
import type { DateOrder } from '../identifiers/dates.ts';
import { type IdentifierKind, normalisePatientId } from '../identifiers/normalise.ts';
import { CategoryCounts, count, type RecordFindings } from './candidate.ts';
import { findCredentials } from './credentials.ts';
import { DistinctCandidates } from './distinct.ts';
import { findEmails } from './emails.ts';
import { headerRoles } from './headers.ts';
import { findNameBirthdates, hasNameBirthdate } from './names.ts';
import { type FoundNumbers, findNumbers, type NumberOptions, noNumbers } from './numbers.ts';
import { shapeOf, type TextShape } from './shape.ts';

export interface DetectOptions {
  /** Regions whose national phone format is read. */
  regions: readonly CountryCode[];
  dateOrder: DateOrder;
  /** Kinds present in the registry: others are detected for categories only. */
  wanted: ReadonlySet<IdentifierKind>;
  /** Organisations' own patient id patterns (bounded regexes, global flag). */
  patientPatterns: ReadonlyArray<{ orgId: number; regex: RegExp }>;
}

/** What to look for, read once per DetectOptions (a matcher builds its options once and never changes them). */
interface Plan {
  accounts: boolean;
  phone: boolean;
  nir: boolean;
  healthNumber: boolean;
  nameBirthdate: boolean;
  patientId: boolean;
  numbers: NumberOptions;
}
const plans = new WeakMap<DetectOptions, Plan>();
/** The plan of the options of the previous record (a matcher passes the same options for every record). */
let lastPlan: { options: DetectOptions; plan: Plan } | undefined;

function planOf(options: DetectOptions): Plan {
  if (lastPlan?.options === options) return lastPlan.plan;
  let plan = plans.get(options);
  if (!plan) {
    const { wanted } = options;
    plan = {
      accounts: wanted.has('email') || wanted.has('login'),
      phone: wanted.has('phone'),
      nir: wanted.has('nir'),
      healthNumber: wanted.has('health_number'),
      nameBirthdate: wanted.has('name_birthdate'),
      patientId: wanted.has('patient_id'),
      numbers: {
        regions: options.regions,
        phones: wanted.has('phone'),
        healthNumbers: wanted.has('health_number'),
      },
    };
    plans.set(options, plan);
  }
  lastPlan = { options, plan };
  return plan;
}
const shape: TextShape = { digits: 0, upper: 0, at: false, runStart: false };
/**
 * The shortest text in which a cell detector can find anything: an address of five characters (`a@.fr`, which the
 * import's normalisation takes too); every number detector needs at least seven digits. Tested: no shorter text yields
 * an address or a number.
 */
export const SHORTEST_FINDING = 5;
/** The candidates of the record being detected (one object, restarted per record). */
const distinct = new DistinctCandidates();
/** The numbers of the record being detected: one object, emptied per record (read before detect returns). */
const numbers: FoundNumbers = noNumbers();
const NO_PHONES: string[] = []; // never pushed to: classifyRun replaces `phones` when it finds some

export function detect(record: TextRecord, options: DetectOptions): RecordFindings {
  const findings: RecordFindings = { candidates: distinct.start(), categories: new CategoryCounts() };
  const plan = planOf(options);
  const { accounts } = plan;
  const text = record.text;
  const roles = headerRoles(record.headers);

  // A table row is scanned cell by cell (small, typed strings: most detectors are skipped by the cell's shape);
  // other records as one text.
  // New arrays rather than `length = 0` (V8 sets an array's length through a runtime call, ~50 ns each, per record),
  // and only when the previous record filled them: an array nothing was pushed to is still empty.
  numbers.phones = NO_PHONES;
  if (numbers.nirs.length > 0) numbers.nirs = [];
  if (numbers.health.length > 0) numbers.health = [];
  numbers.cards = 0;
  numbers.ibans = 0;
  let emailCount = 0;
  const units = record.cells;
  for (let u = 0; u < (units ? units.length : 1); u++) {
    const unit = units ? (units[u] as string) : text;
    // Many cells of a customer table (short ids, first names, cities) are too short to hold anything.
    if (unit.length < SHORTEST_FINDING) continue;
    shapeOf(unit, shape);
    if (shape.at) {
      for (const email of findEmails(unit)) {
        emailCount++;
        if (accounts) distinct.add('email', email.value);
      }
    }
    findNumbers(unit, plan.numbers, numbers, shape);
  }
  if (emailCount) count(findings, 'contact_details', emailCount);

  const credentials = findCredentials(record, roles);
  if (credentials.length) count(findings, 'credentials', credentials.length);
  if (accounts)
    for (const c of credentials) distinct.add(c.login.includes('@') ? 'email' : 'login', c.login, true);
  if (accounts && record.cells && roles.has('login')) {
    const login = record.cells[roles.get('login') as number]?.trim().toLowerCase();
    if (login && login.length >= 2 && !/\s/.test(login))
      distinct.add(login.includes('@') ? 'email' : 'login', login);
  }

  if (numbers.phones.length) count(findings, 'contact_details', numbers.phones.length);
  const ids = numbers.nirs.length + numbers.health.length;
  if (ids) count(findings, 'national_ids', ids);
  if (numbers.cards) count(findings, 'payment_cards', numbers.cards);
  if (numbers.ibans) count(findings, 'bank_accounts', numbers.ibans);
  if (plan.phone) for (const phone of numbers.phones) distinct.add('phone', phone);
  if (plan.nir) for (const nir of numbers.nirs) distinct.add('nir', nir);
  if (plan.healthNumber) for (const hn of numbers.health) distinct.add('health_number', hn);

  if (plan.nameBirthdate) {
    const people = findNameBirthdates(record, roles, options.dateOrder);
    if (people.length) count(findings, 'identity');
    for (const person of people) distinct.add('name_birthdate', person);
  } else if (hasNameBirthdate(record, roles, options.dateOrder)) count(findings, 'identity');

  if (plan.patientId) {
    if (record.cells && roles.has('patient_id')) {
      const id = normalisePatientId(record.cells[roles.get('patient_id') as number] ?? '');
      if (id.ok) distinct.add('patient_id', id.value);
    }
    for (const { orgId, regex } of options.patientPatterns) {
      regex.lastIndex = 0;
      for (const m of text.matchAll(regex)) {
        const id = normalisePatientId(m[0]);
        if (id.ok) distinct.add('patient_id', id.value, false, orgId);
      }
    }
  }
  return findings;
}
