import { InputError, RetryableError } from '../shared/errors.ts';

/**
 * Why a fetch failed, in the terms site health needs: Tor itself unavailable is not the site being down, and a
 * too-large or redirected-away page is the page's fault, not the network's.
 */
export type FetchFailure =
  | 'tor_unavailable'
  | 'unreachable'
  | 'connect_timeout'
  | 'first_byte_timeout'
  | 'total_timeout'
  | 'reset'
  | 'http_status'
  | 'too_large'
  | 'redirect_blocked'
  | 'too_many_redirects';

const GIVE_UP: ReadonlySet<FetchFailure> = new Set(['too_large', 'redirect_blocked', 'too_many_redirects']);

export interface FetchErrorDetails {
  failure: FetchFailure;
  url: string;
  status?: number;
}

export class FetchError extends RetryableError {
  readonly failure: FetchFailure;
  readonly url: string;
  readonly status: number | undefined;

  constructor(details: FetchErrorDetails, message: string, cause?: unknown) {
    super(`fetch.${details.failure}`, message, cause === undefined ? {} : { cause });
    this.failure = details.failure;
    this.url = details.url;
    this.status = details.status;
  }
}

/** A page that will not get better by retrying (too large, redirect to a forbidden host). */
export class PageRejectedError extends InputError {
  readonly failure: FetchFailure;
  readonly url: string;

  constructor(failure: FetchFailure, url: string, message: string) {
    super(`fetch.${failure}`, message);
    this.failure = failure;
    this.url = url;
  }
}

export function isGiveUp(failure: FetchFailure): boolean {
  return GIVE_UP.has(failure);
}
