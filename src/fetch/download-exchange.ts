import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isAppError } from '../shared/errors.ts';
import type { EvidenceUpload } from '../store/evidence-upload.ts';
import type { SocksAgentPool } from '../tor/socks-agent.ts';
import type { DownloadRequest } from './download.ts';
import type { DownloadDeadline } from './download-deadline.ts';
import { FetchError, PageRejectedError } from './fetch-errors.ts';
import { USER_AGENT } from './fetch-limits.ts';
import { classifyNetworkError } from './http-fetcher.ts';

/** One HTTP exchange of a download: the request through the site's SOCKS agent, and the body into the upload. */

const HEAD_BYTES = 64 * 1024;

export function open(
  agents: SocksAgentPool,
  url: string,
  request: DownloadRequest,
  headers: Record<string, string>,
) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(target, {
      agent: agents.forSite(request.siteId),
      headers: { 'user-agent': USER_AGENT, accept: '*/*', 'accept-encoding': 'identity', ...headers },
      rejectUnauthorized: false, // onion services prove identity by their address
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(
        new FetchError(
          { failure: 'first_byte_timeout', url },
          `no answer from ${url} within ${request.limits.firstByteTimeoutMs} ms`,
        ),
      );
    }, request.limits.firstByteTimeoutMs);
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(classifyNetworkError(error, url));
    });
    const stop = () => {
      clearTimeout(timer);
      outgoing.destroy();
      reject(stoppedError(url, 0));
    };
    request.signal?.addEventListener('abort', stop, { once: true });
    outgoing.on('close', () => request.signal?.removeEventListener('abort', stop));
    outgoing.on('response', (response) => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', stop);
      resolve(response);
    });
    if (request.signal?.aborted) stop();
    outgoing.end();
  });
}

export function decoded(response: IncomingMessage): { body: Readable; resumable: boolean } {
  const encoding = (response.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip')
    return { body: response.pipe(createGunzip()), resumable: false };
  if (encoding === 'deflate') return { body: response.pipe(createInflate()), resumable: false };
  if (encoding === 'br') return { body: response.pipe(createBrotliDecompress()), resumable: false };
  return { body: response, resumable: true };
}

export function statusError(url: string, status: number): Error {
  const message = `${url} answered HTTP ${status}`;
  if (status === 429 || status >= 500)
    return new FetchError({ failure: 'http_status', url, status }, message);
  return new PageRejectedError('http_status', url, message);
}

export function stoppedError(url: string, received: number): FetchError {
  return new FetchError(
    { failure: 'reset', url },
    `${url}: stopped at ${received} bytes (this worker is stopping)`,
  );
}

export function tooLarge(url: string, size: number, max: number): PageRejectedError {
  return new PageRejectedError(
    'too_large',
    url,
    `${url} is ${size} bytes or more, past the ${max}-byte limit for a file`,
  );
}

/** Streams one response body into the upload; returns false when the transfer was cut (and may be resumed). */
export async function receive(
  body: Readable,
  upload: EvidenceUpload,
  request: DownloadRequest,
  url: string,
  state: { inspected: boolean; contentType: string; expected: number | undefined },
  deadline: DownloadDeadline,
): Promise<{ complete: boolean; error?: Error }> {
  let idle: NodeJS.Timeout | undefined;
  const judge = (overdue: Error | undefined) => {
    if (overdue) body.destroy(overdue);
  };
  // The cap holds while no byte comes, too (the floor is judged on each chunk, below).
  const ticker = setInterval(() => judge(deadline.tick(upload.offset)), deadline.tickMs);
  const stop = () => judge(stoppedError(url, upload.offset));
  request.signal?.addEventListener('abort', stop, { once: true });
  if (request.signal?.aborted) stop();
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () =>
        body.destroy(
          new FetchError(
            { failure: 'reset', url },
            `${url}: no data for ${request.limits.idleTimeoutMs} ms (stalled)`,
          ),
        ),
      request.limits.idleTimeoutMs,
    );
  };
  const inspect = () => {
    if (state.inspected || !request.inspect) return;
    state.inspected = true;
    request.inspect(upload.head, state.contentType);
  };
  try {
    arm();
    for await (const chunk of body) {
      arm();
      if (upload.offset + chunk.length > request.maxBytes)
        throw tooLarge(url, upload.offset + chunk.length, request.maxBytes);
      await upload.write(chunk as Buffer);
      if (upload.offset >= HEAD_BYTES) inspect();
      request.onProgress?.(upload.offset, state.expected);
      judge(deadline.check(upload.offset));
    }
    inspect();
    return { complete: true };
  } catch (error) {
    // A cut (reset, stall) may be resumed; a refusal (too large, kind not allowed) may not.
    if (error instanceof FetchError) return { complete: false, error };
    if (isAppError(error) || !(error instanceof Error)) throw error;
    return { complete: false, error: classifyNetworkError(error, url) };
  } finally {
    clearTimeout(idle);
    clearInterval(ticker);
    request.signal?.removeEventListener('abort', stop);
    body.destroy();
  }
}
