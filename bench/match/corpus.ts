/**
 * Deterministic corpora for the match.* benchmarks: watch terms shaped like organisation names and domains, and
 * leak-like text (French and English prose with accents, punctuation, numbers, URLs and e-mail addresses) in which
 * some of the terms occur in other cases and accents. Same seed, same bytes: runs are comparable.
 */

export function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const SYLLABLES = [
  'ba',
  'ré',
  'ti',
  'mo',
  'va',
  'lé',
  'nor',
  'sa',
  'qui',
  'tan',
  'pol',
  'ver',
  'dix',
  'zu',
  'ka',
];
const SYLLABLES_2 = ['ne', 'ro', 'lia', 'co', 'den', 'mar', 'gis', 'tor', 'vel', 'sen', 'pha', 'lun', 'bri'];
const PREFIXES = [
  'Laboratoire',
  'Clinique',
  'Groupe',
  'Cabinet',
  'Centre Médical',
  'Pharmacie',
  'Mutuelle',
  '',
];
const SUFFIXES = ['Analyses', 'Santé', 'Industries', 'Conseil', 'Logistique', 'SAS', 'Group', 'Holding', ''];
const TLDS = ['fr', 'com', 'eu', 'de', 'be', 'ch'];

export const PROSE = (
  'the data was exfiltrated from the internal network and will be published if the company does not contact us ' +
  'les données des patients ont été publiées après le refus de payer la rançon résultats comptes clients ' +
  'factures contrats ressources humaines sauvegarde archive employés négociation délai téléchargement ' +
  'customers passwords invoices backup finance payroll contracts scans reports hôpital médecin école ' +
  'société générale française européenne privé élevé à où déjà très après être'
).split(' ');

function word(next: () => number): string {
  const a = SYLLABLES[next() % SYLLABLES.length] as string;
  const b = SYLLABLES_2[next() % SYLLABLES_2.length] as string;
  const c = next() % 2 ? (SYLLABLES_2[next() % SYLLABLES_2.length] as string) : '';
  return `${a}${b}${c}`;
}

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** `count` distinct terms: organisation names (phrases), single-word brands and domains. */
export function makeTerms(count: number, seed = 7): string[] {
  const next = rng(seed);
  const terms = new Set<string>();
  while (terms.size < count) {
    const kind = next() % 10;
    if (kind < 6) {
      const prefix = PREFIXES[next() % PREFIXES.length] as string;
      const suffix = SUFFIXES[next() % SUFFIXES.length] as string;
      terms.add([prefix, capital(word(next)), suffix].filter(Boolean).join(' '));
    } else if (kind < 8) {
      terms.add(`${capital(word(next))}${capital(word(next))}`);
    } else {
      terms.add(
        `${word(next)}-${word(next)}.${TLDS[next() % TLDS.length]}`.normalize('NFD').replace(/\p{M}/gu, ''),
      );
    }
  }
  return [...terms];
}

/** Changes case and accents of a term the way leak posts do (LABORATOIRE HELENE, laboratoire-hélène). */
export function variant(term: string, next: () => number): string {
  switch (next() % 4) {
    case 0:
      return term.toUpperCase();
    case 1:
      return term.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    case 2:
      return term.replace(/ /g, next() % 2 ? '-' : '  ');
    default:
      return term;
  }
}

/**
 * About `megabytes` MB (UTF-8) of text in lines: prose, numbers, URLs, e-mails, and one term occurrence in about
 * one line out of `termEvery`. Yields chunks of about 64 KB so that a 100 MB corpus never sits in one string.
 */
export function* corpusChunks(megabytes: number, terms: readonly string[], termEvery = 40, seed = 11) {
  const next = rng(seed);
  const target = megabytes * 1024 * 1024;
  let produced = 0;
  while (produced < target) {
    const lines: string[] = [];
    let size = 0;
    while (size < 64 * 1024) {
      const words: string[] = [];
      const length = 8 + (next() % 16);
      for (let i = 0; i < length; i++) {
        const roll = next() % 100;
        if (roll < 80) words.push(PROSE[next() % PROSE.length] as string);
        else if (roll < 88) words.push(capital(word(next)));
        else if (roll < 94) words.push(String(next() % 100_000));
        else if (roll < 97) words.push(`https://${word(next)}.${TLDS[next() % TLDS.length]}/${word(next)}`);
        else words.push(`${word(next)}.${word(next)}@${word(next)}.${TLDS[next() % TLDS.length]}`);
      }
      if (next() % termEvery === 0)
        words.splice(next() % words.length, 0, variant(terms[next() % terms.length] as string, next));
      const line = `${words.join(next() % 5 ? ' ' : ', ')}.\n`;
      lines.push(line);
      size += Buffer.byteLength(line);
    }
    produced += size;
    yield lines.join('');
  }
}
