/**
 * Synthetic people and leak-like records for the identifier benchmarks: a registry's e-mails and phone numbers, and
 * dump rows and pages in which some of them appear (in other cases and formats), mixed with strangers.
 */
import type { TextRecord } from '../../src/extract/text-record.ts';
import { rng } from './corpus.ts';

const FIRST = [
  'jean',
  'marie',
  'helene',
  'paul',
  'lea',
  'nicolas',
  'sophie',
  'pierre',
  'camille',
  'louis',
  'chloe',
  'hugo',
];
const LAST = [
  'dupont',
  'martin',
  'bernard',
  'dubois',
  'thomas',
  'robert',
  'richard',
  'petit',
  'durand',
  'leroy',
  'moreau',
];
const DOMAINS = [
  'orange.fr',
  'free.fr',
  'gmail.com',
  'laposte.net',
  'sfr.fr',
  'hotmail.fr',
  'yahoo.fr',
  'wanadoo.fr',
];
const CITIES = [
  'Paris',
  'Lyon',
  'Marseille',
  'Toulouse',
  'Nice',
  'Nantes',
  'Lille',
  'Rennes',
  'Reims',
  'Brest',
];

export interface Person {
  email: string;
  phone: string;
  first: string;
  last: string;
}

/** Person `i` (the same for the same i): unique e-mail and phone number. */
export function person(i: number): Person {
  const first = FIRST[i % FIRST.length] as string;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
  const digits = String(10_000_000 + (i % 90_000_000)).padStart(8, '0');
  return {
    email: `${first}.${last}${i}@${DOMAINS[i % DOMAINS.length]}`,
    phone: `0${6 + (i % 2)}${digits}`,
    first,
    last,
  };
}

const HEADERS = ['id', 'email', 'telephone', 'nom', 'prenom', 'ville', 'montant'];
const PROSE =
  'Le présent rapport détaille les résultats du trimestre, les contrats signés avec nos partenaires et les ' +
  'factures en attente de règlement. The board reviewed the budget, the supplier agreements and the audit plan. ';

export type RecordKind = 'rows' | 'lists' | 'prose';

/**
 * About `megabytes` MB of records, by bytes: half dump rows (cells and headers: dense, one e-mail and one phone per
 * ~90 bytes), a quarter customer lists as text (as dense), a quarter prose pages (an address or a number per ~1 KB).
 * `registered` of the people are drawn from the registry (ids below `registrySize`), the others are strangers.
 */
export function* leakRecords(
  megabytes: number,
  registrySize: number,
  registered = 0.3,
  seed = 5,
): Generator<TextRecord & { kind: RecordKind }> {
  const next = rng(seed);
  const target = megabytes * 1024 * 1024;
  const bytes: Record<RecordKind, number> = { rows: 0, lists: 0, prose: 0 };
  let row = 1;
  const someone = () =>
    next() % 1000 < registered * 1000
      ? person(next() % registrySize)
      : person(registrySize + (next() % 50_000_000));
  while (bytes.rows + bytes.lists + bytes.prose < target) {
    const kind: RecordKind =
      bytes.rows <= bytes.lists + bytes.prose ? 'rows' : bytes.lists <= bytes.prose ? 'lists' : 'prose';
    if (kind === 'rows') {
      const p = someone();
      const email = next() % 4 === 0 ? ` ${p.email.toUpperCase()} ` : p.email;
      const phone = next() % 3 === 0 ? p.phone.replace(/(\d\d)(?=\d)/g, '$1 ') : p.phone;
      const cells = [
        String(row),
        email,
        phone,
        p.last.toUpperCase(),
        p.first,
        CITIES[next() % CITIES.length] as string,
        `${next() % 5000},${next() % 100}`,
      ];
      const text = cells.join('\t');
      bytes.rows += Buffer.byteLength(text);
      // The cells as the CSV extractor makes them: the line split at its delimiter (flat strings; the template
      // strings above are ropes, which the detectors would flatten first, a cost no extracted record has).
      yield {
        kind,
        text,
        cells: text.split('\t'),
        headers: HEADERS,
        location: { document: 'dump.csv', row: ++row },
      };
      continue;
    }
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) {
      const p = someone();
      if (kind === 'lists')
        lines.push(
          `Client ${p.first} ${p.last} (${p.email}), tél. ${p.phone}, commande ${next() % 100_000} livrée à ${CITIES[next() % CITIES.length]}.`,
        );
      else lines.push(i % 4 === 0 ? `${PROSE}Contact : ${next() % 2 ? p.email : p.phone}.` : PROSE);
    }
    const text = lines.join('\n');
    bytes[kind] += Buffer.byteLength(text);
    yield {
      kind,
      text,
      location: { document: kind === 'lists' ? 'clients.txt' : 'rapport.pdf', page: ++row },
    };
  }
}
