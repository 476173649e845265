import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../onion-harness/index.ts';

export interface FileRouteOptions {
  contentType?: string;
  /** The first `cuts` responses send this many bytes of what they should, then drop the connection. */
  cutAfter?: number;
  cuts?: number;
  /** The first `stalls` responses send this many bytes, then go silent with the connection open. */
  stallAfter?: number;
  stalls?: number;
  /** Bytes up to this offset of the file are sent at once, the rest one byte every `trickleEveryMs` (too slow). */
  trickleAfter?: number;
  trickleEveryMs?: number;
  /** Answers every request with the whole file (a server without Range support). */
  ignoreRange?: boolean;
  /** Leaves out Content-Length (chunked transfer). */
  noLength?: boolean;
}

export interface FileRoute {
  route: Route;
  /** The Range header of each request ('' when none), in order. */
  ranges: string[];
  /** The If-Range header of each request. */
  ifRanges: string[];
  /** Replaces the served bytes (the file changed on the server). */
  replace(bytes: Buffer): void;
}

/** A file served the way leak file servers do: ETag, Accept-Ranges, 206 answers — and the faults tests need. */
export function fileRoute(initial: Buffer, options: FileRouteOptions = {}): FileRoute {
  let bytes = initial;
  let etag = `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`;
  let cuts = options.cuts ?? (options.cutAfter === undefined ? 0 : 1);
  let stalls = options.stalls ?? (options.stallAfter === undefined ? 0 : 1);
  const state: FileRoute = {
    ranges: [],
    ifRanges: [],
    replace: (next) => {
      bytes = next;
      etag = `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`;
    },
    route: (request: IncomingMessage, response: ServerResponse) => {
      const range = request.headers.range ?? '';
      const ifRange = String(request.headers['if-range'] ?? '');
      state.ranges.push(range);
      state.ifRanges.push(ifRange);
      let start = 0;
      let status = 200;
      const match = /^bytes=(\d+)-$/.exec(range);
      if (match && !options.ignoreRange && (ifRange === '' || ifRange === etag)) {
        start = Number(match[1]);
        if (start >= bytes.length) {
          response.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
          return;
        }
        status = 206;
      }
      const body = bytes.subarray(start);
      response.writeHead(status, {
        'content-type': options.contentType ?? 'application/octet-stream',
        etag,
        'accept-ranges': options.ignoreRange ? 'none' : 'bytes',
        ...(options.noLength ? {} : { 'content-length': String(body.length) }),
        ...(status === 206 ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
      });
      response.on('error', () => undefined);
      if (cuts > 0 && options.cutAfter !== undefined) {
        cuts--;
        response.write(body.subarray(0, options.cutAfter), () =>
          setTimeout(() => response.socket?.destroy(), 20),
        );
        return;
      }
      if (stalls > 0 && options.stallAfter !== undefined) {
        stalls--;
        response.write(body.subarray(0, options.stallAfter));
        return; // never ends: the client's idle timeout must cut it
      }
      if (options.trickleAfter !== undefined) {
        let sent = Math.max(0, options.trickleAfter - start);
        response.write(body.subarray(0, sent));
        const timer = setInterval(() => {
          if (sent >= body.length || response.destroyed) {
            clearInterval(timer);
            response.end();
            return;
          }
          response.write(body.subarray(sent, sent + 1));
          sent++;
        }, options.trickleEveryMs ?? 100);
        response.on('close', () => clearInterval(timer));
        return;
      }
      response.end(body);
    },
  };
  return state;
}

/** Autoindex pages as Apache, nginx and lighttpd write them. */
export function apacheIndex(path: string, names: readonly string[]): string {
  const rows = names
    .map(
      (name) =>
        `<tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="${encodeURI(name)}">${name}</a></td><td align="right">2024-05-01 10:00  </td><td align="right">1.2M</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN"><html><head><title>Index of ${path}</title></head><body><h1>Index of ${path}</h1><table><tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th></tr><tr><td></td><td><a href="/">Parent Directory</a></td></tr>${rows}</table><address>Apache/2.4.57 Server</address></body></html>`;
}

export function nginxIndex(path: string, names: readonly string[]): string {
  const lines = names
    .map(
      (name) =>
        `<a href="${encodeURI(name)}">${name}</a>                                01-May-2024 10:00     1234`,
    )
    .join('\n');
  return `<html><head><title>Index of ${path}</title></head><body><h1>Index of ${path}</h1><hr><pre><a href="../">../</a>\n${lines}\n</pre><hr></body></html>`;
}

export function lighttpdIndex(path: string, names: readonly string[]): string {
  const rows = names
    .map(
      (name) =>
        `<tr><td class="n"><a href="${encodeURI(name)}">${name}</a></td><td class="m">2024-May-01 10:00:00</td><td class="s">1.2K</td></tr>`,
    )
    .join('');
  return `<!DOCTYPE html><html><head><title>Index of ${path}</title></head><body><h2>Index of ${path}</h2><div class="list"><table summary="Directory Listing"><thead><tr><th class="n">Name</th></tr></thead><tbody><tr class="d"><td class="n"><a href="../">Parent Directory</a>/</td></tr>${rows}</tbody></table></div><div class="foot">lighttpd/1.4.69</div></body></html>`;
}
