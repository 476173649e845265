/**
 * Deterministic leak-post-like text for benchmarks: mixed French/English/accented words drawn by a seeded linear
 * congruential generator, so every run (and every driver) writes the same posts.
 */
export const WORDS = [
  'laboratoire',
  'Hélène',
  'analyses',
  'médicales',
  'patients',
  'comptes',
  'résultats',
  'données',
  'clinique',
  'facturation',
  'ransomware',
  'leak',
  'published',
  'customers',
  'passports',
  'contracts',
  'finance',
  'Zürich',
  'São',
  'Paulo',
  'invoices',
  'HR',
  'backup',
  'archive',
  'employees',
  'GB',
  'deadline',
  'négociation',
];

export interface WordSource {
  /** The next pseudo-random non-negative integer. */
  next(): number;
  /** `n` words joined by spaces. */
  words(n: number): string;
}

export function wordSource(seed: number): WordSource {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state;
  };
  return {
    next,
    words: (n) => Array.from({ length: n }, () => WORDS[next() % WORDS.length]).join(' '),
  };
}
