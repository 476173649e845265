/**
 * A local Discord API for tests: speaks the webhook execute route (`POST /api/v10/webhooks/:id/:token[?wait=true]`)
 * and the bot route (`POST /api/v10/channels/:id/messages`, token in `Authorization: Bot …`),
 * records every request with its parsed JSON body, and answers per a script: ok, 429 with retry-after, 5xx, 404, or
 * hang (never answers until closed). Bound to 127.0.0.1 on an ephemeral port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type MockResponse =
  | { kind: 'ok' }
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'error'; status: number }
  | { kind: 'not_found' }
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  webhookId: string | null;
  /** Bot route: the channel posted to. */
  channelId: string | null;
  /** The webhook's token, or the bot's (from the Authorization header). */
  token: string | null;
  headers: IncomingMessage['headers'];
  // biome-ignore lint/suspicious/noExplicitAny: the JSON discord.js sent, asserted on by tests.
  body: any;
  raw: string;
  /** What the mock answered. */
  answered: MockResponse['kind'];
}

export interface MockDiscord {
  /** For `rest.api`: http://127.0.0.1:PORT/api */
  api: string;
  requests: RecordedRequest[];
  /** Requests answered 200 (messages Discord would show). */
  delivered(): RecordedRequest[];
  /** Responses for the next requests, in order; then `fallback`. */
  script(...responses: MockResponse[]): void;
  /** What to answer once the script is used up (default ok). */
  setFallback(response: MockResponse): void;
  close(): Promise<void>;
}

const ROUTE = /^\/api\/v\d+\/webhooks\/(\d+)\/([^/?]+)\/?$/;
const BOT_ROUTE = /^\/api\/v\d+\/channels\/(\d+)\/messages\/?$/;

export async function startMockDiscord(): Promise<MockDiscord> {
  const requests: RecordedRequest[] = [];
  const queue: MockResponse[] = [];
  let fallback: MockResponse = { kind: 'ok' };
  let messageId = 1_000_000_000_000_000_000n;
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = ROUTE.exec(url.pathname);
      const bot = BOT_ROUTE.exec(url.pathname);
      const auth = /^Bot (.+)$/.exec(req.headers.authorization ?? '');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = null;
      }
      const response: MockResponse =
        (route || (bot && auth)) && req.method === 'POST'
          ? (queue.shift() ?? fallback)
          : { kind: 'not_found' };
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        webhookId: route?.[1] ?? null,
        channelId: bot?.[1] ?? null,
        token: route?.[2] ?? auth?.[1] ?? null,
        headers: req.headers,
        body,
        raw,
        answered: response.kind,
      });
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      switch (response.kind) {
        case 'ok': {
          messageId += 1n;
          json(200, {
            id: messageId.toString(),
            type: 0,
            channel_id: '1',
            webhook_id: route?.[1],
            content: (body as { content?: string } | null)?.content ?? '',
            embeds: (body as { embeds?: unknown[] } | null)?.embeds ?? [],
            timestamp: new Date().toISOString(),
            author: { id: route?.[1], username: 'leakwatch', discriminator: '0000', avatar: null },
            attachments: [],
            mentions: [],
            mention_roles: [],
            pinned: false,
            mention_everyone: false,
            tts: false,
            edited_timestamp: null,
            flags: 0,
            components: [],
          });
          return;
        }
        case 'rate_limit':
          json(
            429,
            {
              message: 'You are being rate limited.',
              retry_after: response.retryAfterSeconds,
              global: false,
            },
            {
              'retry-after': String(response.retryAfterSeconds),
              'x-ratelimit-limit': '5',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset-after': String(response.retryAfterSeconds),
              'x-ratelimit-scope': 'user',
            },
          );
          return;
        case 'error':
          json(response.status, { message: 'Server error', code: 0 });
          return;
        case 'not_found':
          json(404, { message: 'Unknown Webhook', code: 10015 });
          return;
        case 'hang':
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    api: `http://127.0.0.1:${port}/api`,
    requests,
    delivered: () => requests.filter((r) => r.answered === 'ok'),
    script: (...responses) => queue.push(...responses),
    setFallback: (response) => {
      fallback = response;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
