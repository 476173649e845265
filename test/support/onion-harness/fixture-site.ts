import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** One route of a fixture site: a fixed answer, or a function for behaviour (slow bodies, redirects, counters). */
export type Route =
  | { body: string | Buffer; contentType?: string; status?: number; headers?: Record<string, string> }
  | ((request: IncomingMessage, response: ServerResponse) => void);

export interface FixtureSite {
  handler: RequestListener;
  routes: Map<string, Route>;
  /** Paths requested so far, in order (path with query string). */
  hits: string[];
  /** Host headers seen: the crawler must send the onion name. */
  hostHeaders: string[];
  userAgents: string[];
}

/** A leak site served by the harness. Routes are matched on path + query, then on path alone. */
export function fixtureSite(routes: Record<string, Route> = {}): FixtureSite {
  const site: FixtureSite = {
    routes: new Map(Object.entries(routes)),
    hits: [],
    hostHeaders: [],
    userAgents: [],
    handler: (request, response) => {
      const url = new URL(request.url ?? '/', 'http://fixture');
      const key = `${url.pathname}${url.search}`;
      site.hits.push(key);
      site.hostHeaders.push(request.headers.host ?? '');
      site.userAgents.push(request.headers['user-agent'] ?? '');
      const route = site.routes.get(key) ?? site.routes.get(url.pathname);
      if (!route) {
        response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
        return;
      }
      if (typeof route === 'function') {
        route(request, response);
        return;
      }
      response.writeHead(route.status ?? 200, {
        'content-type': route.contentType ?? 'text/html; charset=utf-8',
        ...route.headers,
      });
      response.end(route.body);
    },
  };
  return site;
}

/** A body of `bytes` bytes, streamed. */
export function hugeBody(bytes: number, contentType = 'text/html'): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': contentType });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const write = () => {
      while (sent < bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        if (!response.write(piece)) {
          response.once('drain', write);
          return;
        }
      }
      response.end();
    };
    response.on('error', () => undefined);
    write();
  };
}

/** Sends the body in small pieces, `delayMs` apart. */
export function slowBody(body: string, pieces: number, delayMs: number): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const size = Math.ceil(body.length / pieces);
    let index = 0;
    const timer = setInterval(() => {
      if (response.destroyed) return clearInterval(timer);
      response.write(body.slice(index, index + size));
      index += size;
      if (index >= body.length) {
        clearInterval(timer);
        response.end();
      }
    }, delayMs);
    response.on('close', () => clearInterval(timer));
  };
}

export function redirect(location: string, status = 302): Route {
  return { body: '', status, headers: { location } };
}
