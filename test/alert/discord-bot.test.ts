/** A Discord channel configured with a bot token and channel id instead of a webhook: the same mock Discord. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel, listChannels } from '../../src/alert/channel-store.ts';
import { sendTestMessage } from '../../src/alert/test-message.ts';
import { channels } from '../../src/store/schema/index.ts';
import { SECRET } from '../match/support.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';

const BOT_TOKEN = 'MTE5bot-token-for-tests.Gx7Yq2.abcdefghijklmnop';

describe('Discord bot channel', () => {
  let testDb: TestDatabase;
  let discord: MockDiscord;
  beforeAll(async () => {
    testDb = await openTestDatabase('pglite');
    discord = await startMockDiscord();
  });
  afterAll(async () => {
    await discord?.close();
    await testDb?.close();
  });

  it('posts to /channels/:id/messages with the bot token, keeps the token encrypted, and reports a 404 clearly', async () => {
    const db = testDb.database.db;
    const id = await addChannel(db, SECRET, {
      orgId: null,
      name: 'analysts-bot',
      type: 'discord',
      secret: { botToken: BOT_TOKEN, channelId: '1122334455' },
    });
    const [row] = await db.select().from(channels).where(eq(channels.id, id));
    expect(Buffer.from(row?.secretCiphertext as Uint8Array).toString('latin1')).not.toContain('bot-token');
    expect(JSON.stringify(await listChannels(db))).not.toContain(BOT_TOKEN);

    const options = { material: SECRET, timeoutMs: 30_000, apiBase: { discord: discord.api } };
    expect(await sendTestMessage(db, id, options)).toMatchObject({ ok: true, statusCode: 200 });
    const [sent] = discord.delivered();
    expect(sent).toMatchObject({
      method: 'POST',
      channelId: '1122334455',
      webhookId: null,
      token: BOT_TOKEN,
    });
    expect(sent?.path).toBe('/api/v10/channels/1122334455/messages');
    expect(sent?.body.embeds[0].title).toContain('leakwatch test message');
    expect(sent?.body.allowed_mentions).toEqual({ parse: [] });

    discord.setFallback({ kind: 'not_found' });
    const failed = await sendTestMessage(db, id, options);
    expect(failed).toMatchObject({ ok: false, permanent: true, statusCode: 404 });
    expect(JSON.stringify(failed)).not.toContain(BOT_TOKEN);

    await expect(
      addChannel(db, SECRET, {
        orgId: null,
        name: 'bad-bot',
        type: 'discord',
        secret: { botToken: BOT_TOKEN, channelId: 'general' },
      }),
    ).rejects.toThrow(/invalid discord secret/);
  });
});
