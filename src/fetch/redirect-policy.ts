import { isIP } from 'node:net';
import { PageRejectedError } from './fetch-errors.ts';

/**
 * A crawler request may only go to a host the site declared. A leak page that redirects elsewhere — loopback, a
 * private range, a clearnet tracker, another onion — is refused, so a hostile site cannot make us reach them.
 */
export function checkRedirect(from: string, to: string, allowedHosts: ReadonlySet<string>): void {
  let target: URL;
  try {
    target = new URL(to);
  } catch {
    throw new PageRejectedError('redirect_blocked', from, `redirect from ${from} to an invalid URL`);
  }
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new PageRejectedError('redirect_blocked', from, `refused ${to}: only http and https are followed`);
  }
  if (isIP(host) || host === 'localhost' || host.endsWith('.localhost')) {
    throw new PageRejectedError(
      'redirect_blocked',
      from,
      `refused ${to}: IP addresses and localhost are never fetched`,
    );
  }
  if (!allowedHosts.has(host)) {
    throw new PageRejectedError(
      'redirect_blocked',
      from,
      from === to
        ? `refused ${to}: not one of the site's declared mirrors`
        : `refused redirect from ${from} to ${to}: not one of the site's declared mirrors`,
    );
  }
}
