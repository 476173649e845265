/**
 * The watch terms an organisation gets when it is added: its name and aliases (a single word as a keyword, several as
 * a phrase), and each of its domains as a domain and as an e-mail domain. `leakwatch org add` creates them; they are
 * ordinary terms afterwards (list, remove, mute).
 */
import type { WatchTermInput } from '../store/organisations.repository.ts';
import { fold } from './fold.ts';

export function defaultWatchTerms(org: {
  name: string;
  aliases?: readonly string[];
  domains?: readonly string[];
}): WatchTermInput[] {
  const terms: WatchTermInput[] = [];
  for (const name of [org.name, ...(org.aliases ?? [])]) {
    const folded = fold(name);
    if (folded.length < 2) continue;
    terms.push({ kind: folded.includes(' ') ? 'phrase' : 'keyword', pattern: name });
  }
  for (const domain of org.domains ?? []) {
    terms.push({ kind: 'domain', pattern: domain }, { kind: 'email_domain', pattern: domain });
  }
  return terms;
}
