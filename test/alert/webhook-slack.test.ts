import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/alert/channels/channel.ts';
import { slackChannel } from '../../src/alert/channels/slack.channel.ts';
import { signBody, webhookChannel } from '../../src/alert/channels/webhook.channel.ts';
import { digestNotice } from '../../src/alert/digest.ts';
import type { AlertPayload } from '../../src/alert/payload.ts';

const payload: AlertPayload = {
  version: 1,
  kind: 'match',
  severity: 'high',
  organisation: { id: 1, name: 'Azur' },
  site: { id: 's', name: 'Site', group: 'Group' },
  post: {
    id: 3,
    title: 'Azur leak',
    status: 'published',
    firstSeenAt: '2026-11-28T10:00:00.000Z',
    link: 'http://lw/posts/3',
  },
  documentId: null,
  documentName: null,
  terms: Array.from({ length: 500 }, (_, i) => ({ pattern: `term ${i}`, count: 1 })),
  identifierCounts: { email: 12 },
  verdict: { recordsMatched: 12, recordsTotal: 40 },
  categories: ['credentials'],
  health: false,
  maskedSamples: ['j***.d***@orange.fr'],
  gdpr: { clockStartedAt: '2026-11-28T10:00:00.000Z', deadline: '2026-12-01T10:00:00.000Z' },
  followUp: null,
};

describe('generic webhook and Slack channels', () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string; path: string }> = [];
  let status = 200;
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: req.url ?? '',
      });
      res.writeHead(status, status === 429 ? { 'retry-after': '30' } : {});
      res.end('ok');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const ctx = { alertId: 9, parentExternalId: null, timeoutMs: 30_000 };
  const secret = { url: `${base}/hook`, signingSecret: 's'.repeat(32) };

  it('posts signed JSON with a timestamp the receiver can verify', async () => {
    received.length = 0;
    status = 200;
    await webhookChannel.send(
      payload,
      { samples: false, digest: true, newPosts: false },
      { ...secret, url: `${base}/hook` },
      ctx,
    );
    const [req] = received;
    const timestamp = Number(req?.headers['x-leakwatch-timestamp']);
    expect(Number.isInteger(timestamp)).toBe(true);
    expect(req?.headers['x-leakwatch-signature']).toBe(
      signBody(secret.signingSecret, timestamp, req?.body as string),
    );
    expect(req?.headers['x-leakwatch-signature']).not.toBe(
      signBody('other'.repeat(8), timestamp, req?.body as string),
    );
    const body = JSON.parse(req?.body as string);
    expect(body).toMatchObject({
      alertId: 9,
      severity: 'high',
      identifierCounts: { email: 12 },
      maskedSamples: [],
    });
  });

  it('retries on 5xx and 429 (with retry-after), fails permanently on 401', async () => {
    const attempt = async (code: number) => {
      status = code;
      try {
        await webhookChannel.send(
          payload,
          { samples: false, digest: true, newPosts: false },
          { ...secret, url: `${base}/hook` },
          ctx,
        );
        return null;
      } catch (error) {
        return error as DeliveryError;
      }
    };
    expect(await attempt(503)).toMatchObject({ permanent: false, statusCode: 503 });
    expect(await attempt(429)).toMatchObject({ permanent: false, statusCode: 429, retryAfterMs: 30_000 });
    expect(await attempt(401)).toMatchObject({ permanent: true, statusCode: 401 });
    expect(await attempt(401)).toBeInstanceOf(DeliveryError);
    status = 200;
  });

  it('refuses a webhook secret without a signing secret', () => {
    expect(webhookChannel.secretSchema.safeParse({ url: `${base}/hook` }).success).toBe(false);
  });

  it('sends Slack a summarised Block Kit message', async () => {
    received.length = 0;
    status = 200;
    await slackChannel.send(
      payload,
      { samples: true, digest: true, newPosts: false },
      { url: `${base}/slack` },
      ctx,
    );
    const body = JSON.parse(received[0]?.body as string);
    expect(body.text).toBe('[HIGH] Azur: Azur leak');
    const section = body.blocks[1].text.text as string;
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section).toContain('(500 in all)');
    expect(section).toContain('j***.d***@orange.fr');
  });

  // A captured value that Slack would read as a mention or a link: `<!channel>`, `<https://…|label>`, `&lt;`.
  const HOSTILE = '<!channel> <https://evil.example/login|Open in leakwatch> & co';
  const hostile: AlertPayload = {
    ...payload,
    post: { ...payload.post, title: `${HOSTILE} title` },
    site: { id: 's', name: '<@U123>', group: `${HOSTILE} group` },
    terms: [{ pattern: `${HOSTILE} term`, count: 1 }],
    documentId: 4,
    documentName: `${HOSTILE} file.csv`,
  };
  /** Every `<…>` Slack would act on in a message text: only the alert's own link may be there. */
  const slackControls = (text: string) => text.match(/<[^>]*>/g) ?? [];

  it('escapes & < > in every captured value Slack receives, alerts and notices alike', async () => {
    received.length = 0;
    status = 200;
    await slackChannel.send(
      hostile,
      { samples: false, digest: true, newPosts: false },
      { url: `${base}/slack` },
      ctx,
    );
    await slackChannel.sendNotice(
      digestNotice([{ id: 3, payload: hostile as unknown as Record<string, unknown> }]),
      { samples: false, digest: true, newPosts: false },
      { url: `${base}/slack` },
      ctx,
    );
    const [alert, notice] = received.map((r) => JSON.parse(r.body));
    const section = alert.blocks[1].text.text as string;
    const escaped = '&lt;!channel&gt; &lt;https://evil.example/login|Open in leakwatch&gt; &amp; co';
    expect(alert.text).toContain(`${escaped} title`);
    expect(section).toContain(`${escaped} group / &lt;@U123&gt;`);
    expect(section).toContain(`${escaped} term ×1`);
    expect(section).toContain(`*File:* ${escaped} file.csv`);
    expect(slackControls(alert.text)).toEqual([]);
    expect(slackControls(section)).toEqual(['<http://lw/posts/3|Open in leakwatch>']);
    const noticeText = `${notice.text}\n${notice.blocks[1].text.text}`;
    expect(noticeText).toContain(`${escaped} title`);
    expect(slackControls(noticeText)).toEqual([]);
  });

  it('sends no masked sample in a notice to a webhook whose channel has samples off', async () => {
    received.length = 0;
    status = 200;
    const notice = digestNotice([{ id: 3, payload: payload as unknown as Record<string, unknown> }]);
    const hook = { ...secret, url: `${base}/hook` };
    await webhookChannel.sendNotice(notice, { samples: false, digest: true, newPosts: false }, hook, ctx);
    await webhookChannel.sendNotice(notice, { samples: true, digest: true, newPosts: false }, hook, ctx);
    const [off, on] = received.map((r) => r.body);
    expect(off).not.toContain('j***.d***@orange.fr');
    expect(JSON.parse(off as string).notice.data[0]).toMatchObject({ alertId: 3, maskedSamples: [] });
    expect(on).toContain('j***.d***@orange.fr');
  });
});
