import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEmbed,
  DISCORD_LIMITS,
  discordChannel,
  embedSize,
} from '../../src/alert/channels/discord.channel.ts';
import type { AlertPayload } from '../../src/alert/payload.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';

function payload(terms: number): AlertPayload {
  return {
    version: 1,
    kind: 'match',
    severity: 'critical',
    organisation: { id: 1, name: 'Laboratoire Azur Analytics' },
    site: { id: 'site-a', name: 'Site A', group: 'LockGroup' },
    post: {
      id: 7,
      title: 'x'.repeat(400),
      status: 'published',
      firstSeenAt: '2026-11-28T10:00:00.000Z',
      link: 'http://127.0.0.1:8080/posts/7',
    },
    documentId: 3,
    documentName: 'dump.csv',
    terms: Array.from({ length: terms }, (_, i) => ({
      pattern: `watch term number ${i} ${'y'.repeat(20)}`,
      count: i + 1,
    })),
    identifierCounts: { email: 40000, phone: 1200, nir: 300 },
    verdict: { recordsMatched: 40000, recordsTotal: 52000 },
    categories: ['credentials', 'health'],
    health: true,
    maskedSamples: Array.from({ length: 200 }, (_, i) => `j***${i}@orange.fr`),
    gdpr: { clockStartedAt: '2026-11-28T10:00:00.000Z', deadline: '2026-12-01T10:00:00.000Z' },
    followUp: null,
  };
}

function withinLimits(embed: ReturnType<typeof buildEmbed>): void {
  expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
  expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
  for (const f of embed.fields) {
    expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
    expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(f.value.length).toBeGreaterThan(0);
  }
  expect(embedSize(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
}

describe('Discord embed', () => {
  let discord: MockDiscord;
  beforeAll(async () => {
    discord = await startMockDiscord();
  });
  afterAll(async () => {
    await discord?.close();
  });

  it('stays within Discord limits with 500 matched terms, summarising the list', async () => {
    const embed = buildEmbed(payload(500), { samples: true, alertId: 1 });
    withinLimits(embed);
    const terms = embed.fields.find((f) => f.name === 'Terms matched (500)');
    expect(terms?.value).toMatch(/… and \d+ more \(500 in all\)$/);
    expect(terms?.value.startsWith('watch term number 499')).toBe(true); // most frequent first
    expect(embed.color).toBe(0xe74c3c);

    // What discord.js actually sent.
    await discordChannel.send(
      payload(500),
      { samples: true, digest: true, newPosts: false },
      { id: '42', token: 'tok' },
      { alertId: 1, parentExternalId: null, timeoutMs: 30_000, apiBase: discord.api },
    );
    const sent = discord.delivered()[0]?.body;
    expect(sent.embeds).toHaveLength(1);
    expect(sent.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
    withinLimits(sent.embeds[0]);
    expect(sent.allowed_mentions).toEqual({ parse: [] });
  });

  it('writes bidi overrides of captured titles and file names out as code points', () => {
    const spoof = payload(1);
    const embed = buildEmbed(
      {
        ...spoof,
        post: { ...spoof.post, title: 'Invoices \u202Egnp.exe' },
        documentName: 'scan\u200B.pdf',
      },
      { samples: false, alertId: 3 },
    );
    const sent = JSON.stringify(embed);
    expect(sent).toContain('Invoices ⟨U+202E⟩gnp.exe');
    expect(sent).toContain('scan⟨U+200B⟩.pdf');
    expect(sent).not.toMatch(/[\u200B\u202E]/u);
  });

  it('shows masked samples only when the channel enables them', () => {
    const off = buildEmbed(payload(3), { samples: false, alertId: 2 });
    expect(off.fields.some((f) => f.name === 'Masked samples')).toBe(false);
    const on = buildEmbed(payload(3), { samples: true, alertId: 2 });
    // Markdown stars escaped: Discord shows the mask as written, not as bold or italics.
    expect(on.fields.find((f) => f.name === 'Masked samples')?.value).toContain(
      String.raw`j\*\*\*0@orange.fr`,
    );
  });

  it('escapes Markdown in captured text: what discord.js sent shows it as text, never as a link or formatting', async () => {
    const hostile: AlertPayload = {
      ...payload(1),
      organisation: { id: 1, name: 'Azur' },
      site: { id: 'site-a', name: '**Site** A', group: '[Open in leakwatch](https://evil.example/login)' },
      post: {
        ...payload(1).post,
        title: '[Open in leakwatch](https://evil.example/login) __urgent__ <@&123> @everyone',
      },
      documentName: '[invoice](https://evil.example/x).pdf',
      terms: [{ pattern: '*Azur*', count: 2 }],
    };
    const before = discord.delivered().length;
    await discordChannel.send(
      hostile,
      { samples: false, digest: true, newPosts: false },
      { id: '42', token: 'tok' },
      { alertId: 5, parentExternalId: null, timeoutMs: 30_000, apiBase: discord.api },
    );
    const sent = discord.delivered()[before]?.body;
    const embed = sent.embeds[0];
    const fields = Object.fromEntries(
      embed.fields.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(embed.title).toContain(
      String.raw`\[Open in leakwatch](https://evil.example/login) \_\_urgent\_\_`,
    );
    expect(fields.File).toBe(String.raw`\[invoice](https://evil.example/x).pdf`);
    expect(fields['Group / site']).toBe(
      String.raw`\[Open in leakwatch](https://evil.example/login) / \*\*Site\*\* A`,
    );
    expect(fields['Terms matched (1)']).toBe(String.raw`\*Azur\* ×2`);
    // No unescaped masked link anywhere in what was sent; mentions stay blocked.
    const texts = [embed.title, embed.description, ...Object.values(fields)] as string[];
    for (const text of texts) expect(text).not.toMatch(/(?<!\\)\[[^\]]*\]\(/);
    expect(sent.allowed_mentions).toEqual({ parse: [] });
  });
});
