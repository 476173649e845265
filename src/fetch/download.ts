import type { EvidenceUpload } from '../store/evidence-upload.ts';
import type { SocksAgentPool } from '../tor/socks-agent.ts';
import { type DeadlineLimits, DownloadDeadline } from './download-deadline.ts';
import { decoded, open, receive, statusError, stoppedError, tooLarge } from './download-exchange.ts';
import { FetchError, PageRejectedError } from './fetch-errors.ts';
import { checkRedirect } from './redirect-policy.ts';

/**
 * Downloads of posted files through Tor: streamed into a resumable evidence upload (encrypted as it arrives), never
 * buffered; size-capped as the bytes come; resumed with HTTP Range after a cut (If-Range keeps a changed file from
 * being stitched to the old one); a stalled transfer is cut after an idle timeout and resumed. A transfer under the
 * throughput floor, or past the cap, ends the call (FetchError total_timeout): the caller retries it later, resumed.
 */
export interface DownloadLimits extends DeadlineLimits {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  /** No byte for this long and the connection is cut (then resumed). */
  idleTimeoutMs: number;
  maxRedirects: number;
  /** Reconnections after a cut within one download call. */
  maxResumes: number;
  /** Pause before reconnecting (multiplied by the attempt number). */
  resumeDelayMs: number;
}

export interface DownloadRequest {
  url: string;
  siteId: string;
  allowedHosts: ReadonlySet<string>;
  /** The file is refused (too_large) past this many bytes, announced or received. */
  maxBytes: number;
  limits: DownloadLimits;
  /** Sees the first bytes (up to 64 KiB, or the whole file if smaller) once; throws to refuse the file. */
  inspect?: (head: Buffer, contentType: string) => void;
  onProgress?: (received: number, expected: number | undefined) => void;
  /** Aborted: the transfer stops at once (FetchError reset), keeping what was stored for a later resume. */
  signal?: AbortSignal;
}

export interface DownloadResult {
  url: string;
  bytes: number;
  expected: number | undefined;
  contentType: string;
  /** Reconnections with Range, and restarts from zero (server without ranges, or the file changed). */
  resumes: number;
  restarts: number;
  timings: { firstByteMs: number; totalMs: number };
}

interface Meta {
  url?: string;
  validator?: string;
  total?: number;
}

/**
 * Downloads `request.url` into `upload`, continuing from what the upload already holds. Throws FetchError
 * (retryable: network, 5xx, cuts beyond maxResumes) or PageRejectedError (give up: too large, 404, bad redirect).
 */
export async function download(
  agents: SocksAgentPool,
  request: DownloadRequest,
  upload: EvidenceUpload,
): Promise<DownloadResult> {
  const started = performance.now();
  let firstByteMs: number | undefined;
  const meta = upload.meta as Meta;
  if (meta.url !== undefined && meta.url !== request.url) await upload.restart();
  const state = { inspected: false, contentType: '', expected: meta.total };
  let resumes = 0;
  let restarts = 0;
  let url = request.url;
  checkRedirect(url, url, request.allowedHosts);
  const deadline = new DownloadDeadline(request.limits, request.url);
  for (let attempt = 0; ; attempt++) {
    const overdue = deadline.overCap(upload.offset);
    if (overdue) throw overdue;
    if (request.signal?.aborted) throw stoppedError(url, upload.offset);
    const offset = upload.offset;
    const headers: Record<string, string> = {};
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      if (meta.validator) headers['if-range'] = meta.validator;
    }
    let response = await open(agents, url, request, headers);
    for (
      let redirects = 0;
      response.statusCode &&
      response.statusCode >= 300 &&
      response.statusCode < 400 &&
      response.headers.location;
      redirects++
    ) {
      response.resume();
      if (redirects >= request.limits.maxRedirects)
        throw new PageRejectedError(
          'too_many_redirects',
          url,
          `more than ${request.limits.maxRedirects} redirects from ${request.url}`,
        );
      const next = new URL(response.headers.location, url).toString();
      checkRedirect(url, next, request.allowedHosts);
      url = next;
      response = await open(agents, url, request, headers);
    }
    firstByteMs ??= performance.now() - started;
    const status = response.statusCode ?? 0;
    state.contentType = response.headers['content-type'] ?? '';
    const length = Number(response.headers['content-length'] ?? Number.NaN);
    if (status === 416 && offset > 0) {
      response.resume();
      if (meta.total === offset) break; // everything was already received
      await upload.restart();
      restarts++;
      if (attempt >= request.limits.maxResumes) throw statusError(url, status);
      continue;
    }
    if (status === 200 && offset > 0) {
      await upload.restart(); // ranges not supported, or the file changed (If-Range): start over
      restarts++;
    } else if (status === 206) {
      const range = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(response.headers['content-range'] ?? '');
      if (!range || Number(range[1]) !== offset) {
        response.resume();
        await upload.restart();
        restarts++;
        if (attempt >= request.limits.maxResumes)
          throw new FetchError(
            { failure: 'reset', url },
            `${url}: the server answers ranges it was not asked for`,
          );
        continue;
      }
      if (range[3] !== '*') state.expected = Number(range[3]);
    } else if (status !== 200) {
      response.resume();
      throw statusError(url, status);
    }
    if (status === 200) state.expected = Number.isFinite(length) ? length : undefined;
    if (state.expected !== undefined && state.expected > request.maxBytes) {
      response.resume();
      throw tooLarge(url, state.expected, request.maxBytes);
    }
    const validator = response.headers.etag ?? response.headers['last-modified'];
    await upload.setMeta({
      url: request.url,
      ...(validator ? { validator } : {}),
      ...(state.expected !== undefined ? { total: state.expected } : {}),
    } satisfies Meta);
    Object.assign(meta, upload.meta);
    const { body, resumable } = decoded(response);
    deadline.restart(upload.offset);
    const outcome = await receive(body, upload, request, url, state, deadline);
    const short = state.expected !== undefined && upload.offset < state.expected;
    if (outcome.complete && !short) break;
    if (!resumable) await upload.restart();
    // Too slow or too long: reconnecting now would hold the slot again; the caller retries later, resumed.
    if (outcome.error instanceof FetchError && outcome.error.failure === 'total_timeout') throw outcome.error;
    if (request.signal?.aborted) throw stoppedError(url, upload.offset);
    if (attempt >= request.limits.maxResumes) {
      throw new FetchError(
        { failure: 'reset', url },
        `${url}: transfer cut at ${upload.offset} of ${state.expected ?? '?'} bytes, ${attempt + 1} attempts (${outcome.error?.message ?? 'connection closed early'})`,
      );
    }
    resumes++;
    await new Promise((resolve) => setTimeout(resolve, request.limits.resumeDelayMs * (attempt + 1)));
  }
  if (state.expected !== undefined && upload.offset !== state.expected)
    throw new FetchError(
      { failure: 'reset', url },
      `${url}: received ${upload.offset} bytes, ${state.expected} announced`,
    );
  return {
    url,
    bytes: upload.offset,
    expected: state.expected,
    contentType: state.contentType,
    resumes,
    restarts,
    timings: { firstByteMs: Math.round(firstByteMs ?? 0), totalMs: Math.round(performance.now() - started) },
  };
}
