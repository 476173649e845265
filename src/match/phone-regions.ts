/**
 * match.phoneRegions as every reader of phone numbers uses it — the matcher, the masking of captured names in match
 * records, alerts and logs: the configured regions libphonenumber knows, FR when none is left, so all of them read the
 * same national numbers.
 */
import { type CountryCode, isSupportedCountry } from 'libphonenumber-js/max';

export function supportedPhoneRegions(
  regions: readonly string[],
  onUnknown?: (unknown: string[]) => void,
): CountryCode[] {
  const known = regions.filter((region): region is CountryCode => isSupportedCountry(region));
  if (known.length < regions.length) onUnknown?.(regions.filter((r) => !known.includes(r as CountryCode)));
  return known.length > 0 ? known : ['FR'];
}
