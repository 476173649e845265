/**
 * Discord through discord.js's webhook client: one embed per alert with severity colour, organisation, group and site,
 * post title and link, first seen, what matched, masked samples only when the channel enables them, and the GDPR
 * art. 33 clock. Kept within Discord's limits (title 256, field 1024, 25 fields, 6000 characters in all); long lists
 * are summarised. discord.js waits out short 429s itself; longer ones, 5xx and network errors go back to the outbox.
 */
import {
  DiscordAPIError,
  escapeMarkdown,
  HTTPError,
  type RateLimitData,
  RateLimitError,
  REST,
  Routes,
  WebhookClient,
} from 'discord.js';
import { z } from 'zod';
import { visibleText } from '../../shared/visible-text.ts';
import type { Notice } from '../notice.ts';
import { type AlertPayload, SEVERITY_COLOUR } from '../payload.ts';
import {
  type AlertChannel,
  type DeliveryContext,
  DeliveryError,
  type DeliveryResult,
  errorForStatus,
  routingSettings,
} from './channel.ts';

export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
  embeds: 10,
} as const;

const settingsSchema = z.strictObject({
  ...routingSettings,
  /** Include masked samples (j***.d***@orange.fr) in messages. Off by default. */
  samples: z.boolean().default(false),
  username: z.string().min(1).max(80).optional(),
});

const WEBHOOK_URL =
  /^https:\/\/(?:(?:canary|ptb)\.)?discord(?:app)?\.com\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([\w-]+)\/?$/;

/**
 * A webhook (URL, or id + token), or a bot: its token and the id of the channel it posts to (POST
 * /channels/:id/messages). Either way the secret is stored encrypted like every channel secret.
 */
const secretSchema = z
  .union([
    z.strictObject({ url: z.string().regex(WEBHOOK_URL, 'expected a Discord webhook URL') }),
    z.strictObject({
      id: z.string().regex(/^\d+$/, 'expected a numeric webhook id'),
      token: z.string().min(1),
    }),
    z.strictObject({
      botToken: z.string().min(20, 'expected a Discord bot token'),
      channelId: z.string().regex(/^\d+$/, 'expected a numeric Discord channel id'),
    }),
  ])
  // The output is stored (encrypted) and parsed again when sending: it must be one of the accepted shapes.
  .transform((s) => {
    if (!('url' in s)) return s;
    const m = WEBHOOK_URL.exec(s.url) as RegExpExecArray;
    return { id: m[1] as string, token: m[2] as string };
  });

export type DiscordSettings = z.output<typeof settingsSchema>;
export type DiscordSecret = z.output<typeof secretSchema>;

export interface DiscordEmbed {
  title: string;
  url?: string;
  description?: string;
  color: number;
  fields: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string };
  timestamp?: string;
}

/**
 * Captured text (titles, names, terms, file names) shown as written: Markdown that would turn it into a link,
 * emphasis, a heading, a list or a quote is escaped, bidi overrides and invisible characters shown as `⟨U+202E⟩`.
 * Mentions are blocked by allowed_mentions on every message.
 */
export function discordText(text: string): string {
  return escapeMarkdown(visibleText(text), {
    escape: true,
    maskedLink: true,
    heading: true,
    bulletedList: true,
    numberedList: true,
  }).replace(/^(\s*)>/gm, '$1\\>');
}

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Joins items one per line until the limit, then says how many more there were. */
export function summariseList(items: readonly string[], max: number): string {
  if (items.length === 0) return '—';
  const out: string[] = [];
  let used = 0;
  for (const [i, item] of items.entries()) {
    const rest = items.length - i;
    const tail = rest > 1 ? `\n… and ${rest - 1} more (${items.length} in all)` : '';
    const line = cut(item, 200);
    if (used + line.length + 1 + tail.length > max) {
      const more = `… and ${rest} more (${items.length} in all)`;
      out.push(more);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return cut(out.join('\n'), max);
}

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function buildEmbed(
  alert: AlertPayload,
  options: { samples: boolean; alertId: number },
): DiscordEmbed {
  const sev = alert.severity.toUpperCase();
  const fields: DiscordEmbed['fields'] = [];
  const add = (name: string, value: string, inline = false) =>
    fields.push({
      name: cut(name, DISCORD_LIMITS.fieldName),
      value: cut(value || '—', DISCORD_LIMITS.fieldValue),
      inline,
    });
  const org = discordText(alert.organisation.name);
  add('Organisation', org, true);
  add('Group / site', `${discordText(alert.site.group)} / ${discordText(alert.site.name)}`, true);
  add('Severity', sev, true);
  add('First seen', `<t:${unix(alert.post.firstSeenAt)}:f>`, true);
  add('Post status', alert.post.status, true);
  if (alert.documentName) add('File', discordText(alert.documentName), true);
  const terms = [...alert.terms]
    .sort((a, b) => b.count - a.count)
    .map((t) => `${discordText(t.pattern)} ×${t.count}`);
  add(`Terms matched (${alert.terms.length})`, summariseList(terms, DISCORD_LIMITS.fieldValue));
  const ids = Object.entries(alert.identifierCounts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind}: ${n}`);
  if (ids.length) add('Registered identifiers found', summariseList(ids, DISCORD_LIMITS.fieldValue));
  if (alert.verdict)
    add(
      'Dump verdict',
      `${alert.verdict.recordsMatched} of ${alert.verdict.recordsTotal} records belong to registered people`,
    );
  if (alert.categories.length)
    add('Data categories', summariseList(alert.categories, DISCORD_LIMITS.fieldValue), true);
  add('Health data', alert.health ? 'yes' : 'no', true);
  if (options.samples && alert.maskedSamples.length)
    add('Masked samples', summariseList(alert.maskedSamples.map(discordText), DISCORD_LIMITS.fieldValue));
  add(
    'GDPR art. 33 (72 h)',
    `notify the authority by <t:${unix(alert.gdpr.deadline)}:f> (<t:${unix(alert.gdpr.deadline)}:R>)`,
  );
  const description = alert.followUp
    ? `Follow-up to alert #${alert.followUp.parentAlertId}: ${alert.followUp.reason}`
    : `A leak post names ${org}.`;
  const embed: DiscordEmbed = {
    title: cut(`[${sev}] ${org}: ${discordText(alert.post.title)}`, DISCORD_LIMITS.title),
    url: alert.post.link,
    description: cut(description, DISCORD_LIMITS.description),
    color: SEVERITY_COLOUR[alert.severity],
    fields: fields.slice(0, DISCORD_LIMITS.fields),
    footer: { text: `leakwatch alert #${options.alertId}` },
    timestamp: new Date().toISOString(),
  };
  return fitEmbed(embed);
}

/** The 6000-character budget over title, description, field names and values, and footer: longest fields shrink. */
function fitEmbed(embed: DiscordEmbed): DiscordEmbed {
  while (embedSize(embed) > DISCORD_LIMITS.total && embed.fields.length > 0) {
    const longest = embed.fields.reduce((a, b) => (b.value.length > a.value.length ? b : a));
    if (longest.value.length <= 16) break;
    longest.value = cut(longest.value, Math.max(16, Math.floor(longest.value.length / 2)));
  }
  if (embedSize(embed) > DISCORD_LIMITS.total && embed.description)
    embed.description = cut(
      embed.description,
      Math.max(64, DISCORD_LIMITS.total - embedSize({ ...embed, description: '' })),
    );
  return embed;
}

export function noticeEmbed(notice: Notice): DiscordEmbed {
  return fitEmbed({
    // Notices carry captured text (site names, new post titles, digest lines): all of it is escaped.
    title: cut(discordText(notice.title), DISCORD_LIMITS.title),
    description: cut(discordText(notice.description || '—'), DISCORD_LIMITS.description),
    color: notice.colour,
    fields: notice.fields.slice(0, DISCORD_LIMITS.fields).map((f) => ({
      name: cut(discordText(f.name), DISCORD_LIMITS.fieldName),
      value: cut(discordText(f.value || '—'), DISCORD_LIMITS.fieldValue),
    })),
    footer: { text: cut(notice.footer, DISCORD_LIMITS.footer) },
    timestamp: new Date().toISOString(),
  });
}

export function embedSize(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

export const discordChannel: AlertChannel<DiscordSettings, DiscordSecret> = {
  type: 'discord',
  settingsSchema,
  secretSchema,
  send: (alert, settings, secret, ctx) =>
    postEmbed(buildEmbed(alert, { samples: settings.samples, alertId: ctx.alertId }), settings, secret, ctx),
  sendNotice: (notice, settings, secret, ctx) => postEmbed(noticeEmbed(notice), settings, secret, ctx),
};

async function postEmbed(
  embed: DiscordEmbed,
  settings: DiscordSettings,
  secret: DiscordSecret,
  ctx: DeliveryContext,
): Promise<DeliveryResult> {
  const rest = {
    ...(ctx.apiBase ? { api: ctx.apiBase } : {}),
    timeout: ctx.timeoutMs,
    // The outbox owns retries; discord.js waits out short rate limits itself.
    retries: 0,
    rejectOnRateLimit: (data: RateLimitData) => waitOf(data) > 30_000,
  };
  if ('botToken' in secret) {
    const client = new REST(rest).setToken(secret.botToken);
    try {
      const message = (await client.post(Routes.channelMessages(secret.channelId), {
        body: { embeds: [embed], allowed_mentions: { parse: [] } },
      })) as { id: string };
      return { statusCode: 200, externalId: message.id };
    } catch (error) {
      throw hideToken(toDeliveryError(error), secret.botToken);
    } finally {
      client.clearHashSweeper();
      client.clearHandlerSweeper();
    }
  }
  const client = new WebhookClient({ id: secret.id, token: secret.token }, { rest });
  try {
    const message = await client.send({
      embeds: [embed],
      ...(settings.username ? { username: settings.username } : {}),
      allowedMentions: { parse: [] },
    });
    return { statusCode: 200, externalId: message.id };
  } catch (error) {
    throw hideToken(toDeliveryError(error), secret.token);
  } finally {
    client.destroy();
  }
}

/** A webhook or bot token must never reach a log or the attempts table. */
function hideToken(failure: DeliveryError, token: string): DeliveryError {
  if (!failure.message.includes(token)) return failure;
  return new DeliveryError(failure.message.split(token).join('***'), {
    permanent: failure.permanent,
    statusCode: failure.statusCode,
    retryAfterMs: failure.retryAfterMs,
  });
}

/** How long Discord asked us to wait, from whichever of its headers said so. */
function waitOf(data: { timeToReset: number; retryAfter: number; sublimitTimeout: number }): number {
  return Math.max(data.timeToReset, data.retryAfter, data.sublimitTimeout);
}

function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof RateLimitError)
    return new DeliveryError(`rate limited for ${waitOf(error)} ms`, {
      permanent: false,
      statusCode: 429,
      retryAfterMs: waitOf(error),
      cause: error,
    });
  if (error instanceof DiscordAPIError) return errorForStatus(error.status, error.message, error);
  if (error instanceof HTTPError) return errorForStatus(error.status, error.message, error);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DeliveryError(`network error: ${message}`, { permanent: false, cause: error });
}
