/** channels add|list|test and alerts list|ack|resolve as real processes on PostgreSQL, against the mock Discord. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit-log.repository.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { alerts, watchTerms } from '../../src/store/schema/index.ts';
import { createPost } from '../match/support.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';

const TOKEN = 'cli-webhook-token-Xy81Lm';

describe('alert commands', () => {
  let scratch: ScratchPostgres;
  let database: Database | undefined;
  let discord: MockDiscord;
  let env: Record<string, string>;
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env });
    outputs.push(`${result.stdout}\n${result.stderr}`);
    return result;
  };

  beforeAll(async () => {
    scratch = await createScratchPostgres();
    discord = await startMockDiscord();
    env = {
      DATABASE_URL: scratch.url,
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-alert-cli-')),
      LEAKWATCH_SECRET_KEY: 'a'.repeat(48),
      LEAKWATCH_LOG_LEVEL: 'trace',
      LEAKWATCH_DISCORD_API: discord.api,
    };
  });
  afterAll(async () => {
    await database?.close();
    await discord?.close();
    await scratch?.drop();
  });

  it('adds, lists and tests a Discord channel without ever printing its token', async () => {
    expect((await run(['org', 'add', 'azur', '--name', 'Azur', '--json'])).code).toBe(0);
    const secretFile = join(env.LEAKWATCH_DATA_DIR as string, 'hook.json');
    writeFileSync(secretFile, JSON.stringify({ url: `https://discord.com/api/webhooks/555/${TOKEN}` }));
    const added = await run([
      'channels',
      'add',
      'soc',
      '--type',
      'discord',
      '--org',
      'azur',
      '--min-severity',
      'high',
      '--secret-file',
      secretFile,
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ ok: true, channel: { name: 'soc', type: 'discord' } });

    const bad = await run([
      'channels',
      'add',
      'bad',
      '--type',
      'discord',
      '--webhook-url',
      'https://example.com/x',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected a Discord webhook URL');

    const list = await run(['channels', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).channels).toEqual([
      expect.objectContaining({ name: 'soc', type: 'discord', minSeverity: 'high', hasSecret: true }),
    ]);

    const tested = await run(['channels', 'test', 'soc', '--json']);
    expect(tested.code).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ ok: true });
    expect(discord.delivered()).toHaveLength(1);
    expect(discord.delivered()[0]?.token).toBe(TOKEN);
    expect(discord.delivered()[0]?.body.embeds[0].title).toContain(
      'leakwatch test message — not an alert (channel "soc")',
    );

    discord.setFallback({ kind: 'not_found' });
    const failing = await run(['channels', 'test', 'soc', '--json']);
    expect(failing.code).not.toBe(0);
    expect(JSON.parse(failing.stdout)).toMatchObject({ ok: false, error: expect.stringContaining('404') });
    discord.setFallback({ kind: 'ok' });

    expect(outputs.join('\n')).not.toContain(TOKEN);
  });

  it('lists alerts with their state and acknowledges and resolves them', async () => {
    database = await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 1 });
    const db = database.db;
    const post = await createPost(db, { title: 'Azur leak' });
    const [row] = await db
      .insert(alerts)
      .values({
        channelId: 1,
        orgId: 1,
        postId: post.id,
        kind: 'match',
        dedupeKey: 'match:org:1:post:1',
        severity: 'high',
        state: 'failed',
        lastError: 'HTTP 404: Unknown Webhook',
        payload: {},
      })
      .returning({ id: alerts.id });
    const id = String(row?.id);
    const listed = await run(['alerts', 'list', '--org', 'azur', '--state', 'failed', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).alerts).toEqual([
      expect.objectContaining({
        id: row?.id,
        state: 'failed',
        lifecycle: 'open',
        lastError: 'HTTP 404: Unknown Webhook',
        channel: 'soc',
      }),
    ]);
    expect((await run(['alerts', 'ack', id, '--json'])).code).toBe(0);
    expect(JSON.parse((await run(['alerts', 'list', '--json'])).stdout).alerts[0].lifecycle).toBe(
      'acknowledged',
    );
    expect((await run(['alerts', 'resolve', id])).code).toBe(0);
    expect(JSON.parse((await run(['alerts', 'list', '--json'])).stdout).alerts[0].lifecycle).toBe('resolved');
    expect((await run(['alerts', 'ack', '999999'])).code).not.toBe(0);
    // A resolved alert is not reopened by a late acknowledgement, and the same state again records nothing.
    const late = await run(['alerts', 'ack', id]);
    expect(late.code).toBe(0);
    expect(late.stderr).toContain(`alert #${id} stays resolved`);
    expect((await run(['alerts', 'resolve', id])).code).toBe(0);
    expect(JSON.parse((await run(['alerts', 'list', '--json'])).stdout).alerts[0].lifecycle).toBe('resolved');
    // Each change is in the audit log, as the CLI's; the unknown id and the no-ops wrote nothing.
    const audit = await listAudit(db, { targetType: 'alert' });
    expect(audit.map((entry) => [entry.actor, entry.action, entry.targetId, entry.details])).toEqual([
      ['cli', 'alert.resolve', id, { from: 'acknowledged', to: 'resolved' }],
      ['cli', 'alert.acknowledge', id, { from: 'open', to: 'acknowledged' }],
    ]);
  });

  it('tests channels through their real code: alerts test reports delivery, a 404 and a webhook', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    let status = 204;
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const secretFile = join(env.LEAKWATCH_DATA_DIR as string, 'webhook.json');
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/in`;
      writeFileSync(secretFile, JSON.stringify({ url, signingSecret: 'hook-signing-secret-0123456789' }));
      const added = await run(['channels', 'add', 'siem', '--type', 'webhook', '--secret-file', secretFile]);
      expect(added.code).toBe(0);

      discord.requests.length = 0;
      const ok = await run(['alerts', 'test', 'soc', '--json']);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, statusCode: 200, channel: { name: 'soc' } });
      expect(discord.delivered()[0]?.body.embeds[0].title).toContain('leakwatch test message — not an alert');

      discord.setFallback({ kind: 'not_found' });
      const missing = await run(['alerts', 'test', 'soc']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/failed \(permanent, status 404\): HTTP 404: Unknown Webhook/);
      discord.setFallback({ kind: 'ok' });

      const viaHook = await run(['alerts', 'test', 'siem', '--json']);
      expect(viaHook.code).toBe(0);
      expect(JSON.parse(viaHook.stdout)).toMatchObject({ ok: true, statusCode: 204 });
      expect(received).toHaveLength(1);
      expect(received[0]?.headers['x-leakwatch-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(JSON.parse(received[0]?.body ?? '{}').kind).toBe('test');

      status = 503;
      const down = await run(['alerts', 'test', 'siem', '--json']);
      expect(down.code).not.toBe(0);
      expect(JSON.parse(down.stdout)).toMatchObject({ ok: false, statusCode: 503, permanent: false });
      expect(outputs.join('\n')).not.toContain('hook-signing-secret-0123456789');
    } finally {
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });

  it('mutes and unmutes from the command line; muted alerts stay listed', async () => {
    const db = (database as Database).db;
    const [term] = await db.select({ id: watchTerms.id }).from(watchTerms).limit(1);
    const termId = String(term?.id);
    const muted = await run(['alerts', 'mute', '--term', termId, '--reason', 'a town name', '--json']);
    expect(muted.code).toBe(0);
    const muteId = JSON.parse(muted.stdout).mute.id;
    const post = await createPost(db, { title: 'Azur muted' });
    await run(['alerts', 'mute', '--org', 'azur', '--post', String(post.id)]);
    const listed = JSON.parse((await run(['alerts', 'mutes', '--json'])).stdout).mutes;
    expect(listed).toEqual([
      expect.objectContaining({ id: muteId, kind: 'term', org: 'azur', reason: 'a town name' }),
      expect.objectContaining({ kind: 'post', postId: post.id }),
    ]);
    expect((await run(['alerts', 'mute', '--site', 'x', '--term', termId])).code).not.toBe(0);
    expect((await run(['alerts', 'mute', '--post', '1'])).stderr).toContain('--post needs --org');
    expect((await run(['alerts', 'unmute', String(muteId)])).code).toBe(0);
    expect(JSON.parse((await run(['alerts', 'mutes', '--json'])).stdout).mutes).toHaveLength(1);
    expect((await run(['alerts', 'unmute', String(muteId)])).stderr).toContain(`no mute #${muteId}`);

    const analysts = await run([
      'channels',
      'add',
      'analysts',
      '--type',
      'console',
      '--no-digest',
      '--new-posts',
    ]);
    expect(analysts.code, analysts.stderr).toBe(0);
    const channelsListed = JSON.parse((await run(['channels', 'list', '--json'])).stdout).channels;
    expect(channelsListed.find((c: { name: string }) => c.name === 'analysts')).toMatchObject({
      orgId: null,
      settings: { digest: false, newPosts: true },
    });
  });
});
