import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { SocksAgentPool } from '../tor/socks-agent.ts';
import { decodeBody, sniffContentType } from './decode.ts';
import { FetchError, PageRejectedError } from './fetch-errors.ts';
import { type FetchLimits, USER_AGENT } from './fetch-limits.ts';
import { checkRedirect } from './redirect-policy.ts';

export interface FetchRequest {
  url: string;
  siteId: string;
  /** Host names the site declared (its mirrors); redirects anywhere else are refused. */
  allowedHosts: ReadonlySet<string>;
  limits: FetchLimits;
}

export interface FetchedPage {
  /** The URL finally answered, after redirects. */
  url: string;
  status: number;
  contentType: string;
  charset: string;
  body: string;
  bytes: number;
  redirects: string[];
  timings: { firstByteMs: number; totalMs: number };
}

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  firstByteMs: number;
}

/** Fetches a page through Tor with node's http client and the site's isolated SOCKS agent. */
export class HttpFetcher {
  constructor(private readonly agents: SocksAgentPool) {}

  async fetch(request: FetchRequest): Promise<FetchedPage> {
    const started = performance.now();
    const redirects: string[] = [];
    let url = request.url;
    checkRedirect(url, url, request.allowedHosts);
    for (;;) {
      const response = await this.once(url, request, started);
      const location = response.headers.location;
      if (response.status >= 300 && response.status < 400 && location) {
        if (redirects.length >= request.limits.maxRedirects) {
          throw new PageRejectedError(
            'too_many_redirects',
            url,
            `more than ${request.limits.maxRedirects} redirects from ${request.url}`,
          );
        }
        const next = new URL(location, url).toString();
        checkRedirect(url, next, request.allowedHosts);
        redirects.push(next);
        url = next;
        continue;
      }
      const contentType = sniffContentType(response.headers['content-type'], response.body);
      const { text, charset } = decodeBody(response.body, response.headers['content-type'] ?? '');
      return {
        url,
        status: response.status,
        contentType,
        charset,
        body: text,
        bytes: response.body.length,
        redirects,
        timings: {
          firstByteMs: Math.round(response.firstByteMs),
          totalMs: Math.round(performance.now() - started),
        },
      };
    }
  }

  private once(url: string, request: FetchRequest, started: number): Promise<RawResponse> {
    const { limits } = request;
    return new Promise<RawResponse>((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (error: Error | undefined, value?: RawResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(firstByteTimer);
        clearTimeout(totalTimer);
        if (error) {
          outgoing.destroy();
          reject(error);
        } else resolve(value as RawResponse);
      };
      const outgoing = send(target, {
        agent: this.agents.forSite(request.siteId),
        headers: {
          'user-agent': USER_AGENT,
          accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8',
          'accept-language': 'en-US,en;q=0.5',
          'accept-encoding': 'gzip, deflate, br',
        },
        rejectUnauthorized: false, // onion services prove identity by their address; their certificates are self-signed
      });
      const remaining = () => limits.totalTimeoutMs - (performance.now() - started);
      const firstByteTimer = setTimeout(
        () =>
          finish(
            new FetchError(
              { failure: 'first_byte_timeout', url },
              `no answer from ${url} within ${limits.firstByteTimeoutMs} ms`,
            ),
          ),
        Math.min(limits.firstByteTimeoutMs, Math.max(remaining(), 0)),
      );
      const totalTimer = setTimeout(
        () =>
          finish(
            new FetchError(
              { failure: 'total_timeout', url },
              `${url} took longer than ${limits.totalTimeoutMs} ms`,
            ),
          ),
        Math.max(remaining(), 0),
      );
      outgoing.on('error', (error) => finish(classifyNetworkError(error, url)));
      outgoing.on('response', (response) => {
        clearTimeout(firstByteTimer);
        const firstByteMs = performance.now() - started;
        readLimited(response, limits.maxBodyBytes, url).then(
          (body) =>
            finish(undefined, {
              status: response.statusCode ?? 0,
              headers: response.headers,
              body,
              firstByteMs,
            }),
          (error: Error) => finish(error),
        );
      });
      outgoing.end();
    });
  }
}

/** Reads a body, decompressing as declared, and rejects it as soon as the decoded size passes the limit. */
function readLimited(response: IncomingMessage, maxBytes: number, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const encoding = (response.headers['content-encoding'] ?? '').toLowerCase();
    let stream: Readable = response;
    if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(createGunzip());
    else if (encoding === 'deflate') stream = response.pipe(createInflate());
    else if (encoding === 'br') stream = response.pipe(createBrotliDecompress());
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      reject(error);
      response.destroy();
      stream.destroy();
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        fail(
          new PageRejectedError(
            'too_large',
            url,
            `${url} is larger than the ${maxBytes}-byte limit for a page`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    stream.on('error', (error) => fail(classifyNetworkError(error, url)));
    response.on('aborted', () =>
      fail(new FetchError({ failure: 'reset', url }, `${url}: connection closed mid-body`)),
    );
    response.on('error', (error) => fail(classifyNetworkError(error, url)));
  });
}

/** Maps socket and SOCKS errors to what happened, so "Tor is down" is never reported as "the site is down". */
export function classifyNetworkError(error: Error & { code?: string }, url: string): FetchError {
  const message = error.message;
  if (
    /rejected connection - (HostUnreachable|NetworkUnreachable|ConnectionRefused|TTLExpired|GeneralFailure)/i.test(
      message,
    )
  ) {
    return new FetchError(
      { failure: 'unreachable', url },
      `${url} is unreachable through Tor (${message})`,
      error,
    );
  }
  if (/Proxy connection timed out|timed out/i.test(message)) {
    return new FetchError(
      { failure: 'connect_timeout', url },
      `${url}: connecting through Tor timed out`,
      error,
    );
  }
  if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH/.test(message) || error.code === 'ECONNREFUSED') {
    return new FetchError(
      { failure: 'tor_unavailable', url },
      `the Tor SOCKS proxy is not reachable (${message})`,
      error,
    );
  }
  if (/Socket closed|socket hang up|ECONNRESET|EPIPE/i.test(message)) {
    return new FetchError({ failure: 'reset', url }, `${url}: connection reset (${message})`, error);
  }
  return new FetchError({ failure: 'reset', url }, `${url}: ${message}`, error);
}
