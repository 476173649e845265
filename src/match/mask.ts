/**
 * Masked samples for match records and alerts: enough for a security team to recognise the kind of data
 * (`j***.d***@orange.fr`, `+33*******78`), never enough to rebuild it: first and last characters at most, the e-mail
 * domain kept (it is the organisation's or a provider's). Built from the normalised value, so the leak's formatting
 * does not leak either.
 */
import type { IdentifierKind } from './identifiers/normalise.ts';

const STARS = '***';

function ends(value: string): string {
  const chars = [...value];
  if (chars.length <= 2) return STARS;
  if (chars.length <= 4) return `${chars[0]}${STARS}`;
  return `${chars[0]}${STARS}${chars[chars.length - 1]}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const masked = local.replace(/[^._+-]+/g, (part) => `${[...part][0]}${STARS}`);
  return `${masked}@${email.slice(at + 1)}`;
}

/** Masks a namespaced or plain normalised value of a kind. */
export function maskIdentifier(kind: IdentifierKind, normalised: string): string {
  const value = normalised.replace(/^(acct|tel|nir|hn|pid|nbd):/, '');
  switch (kind) {
    case 'email':
    case 'login':
      return value.includes('@') ? maskEmail(value) : ends(value);
    case 'phone':
      return value.length > 6
        ? `${value.slice(0, 3)}${'*'.repeat(value.length - 5)}${value.slice(-2)}`
        : STARS;
    case 'nir':
      return `${value[0]}${'*'.repeat(12)}${value.slice(-1)}`;
    case 'health_number': {
      const [scheme, number = ''] = value.split(':');
      return `${scheme}:${ends(number)}`;
    }
    case 'patient_id':
      return ends(value);
    case 'name_birthdate': {
      const [name = ''] = value.split('|');
      const initials = name
        .split(' ')
        .map((word) => `${word[0]?.toUpperCase() ?? ''}.`)
        .join(' ');
      return `${initials} (born ****-**-**)`;
    }
  }
}
