/** Slack incoming webhook: a short text and a Block Kit section with the counts (Slack caps a section at 3000). */
import { z } from 'zod';
import { visibleText } from '../../shared/visible-text.ts';
import type { AlertPayload } from '../payload.ts';
import { type AlertChannel, routingSettings } from './channel.ts';
import { summariseList } from './discord.channel.ts';
import { postJson } from './webhook.channel.ts';

const settingsSchema = z.strictObject({ ...routingSettings, samples: z.boolean().default(false) });
const secretSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an https://hooks.slack.com/… URL' }),
});

/**
 * Slack reads `<…>` as links and mentions (`<!channel>`, `<https://evil|Open in leakwatch>`) and `&` as the start of
 * an entity: every captured value is escaped the way Slack asks (& < >) before it goes into a message, bidi overrides
 * and invisible characters shown as `⟨U+202E⟩`.
 */
export function slackText(text: string): string {
  return visibleText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackBody(alert: AlertPayload, samples: boolean): Record<string, unknown> {
  const head =
    `${alert.followUp ? 'Follow-up: ' : ''}[${alert.severity.toUpperCase()}] ${slackText(alert.organisation.name)}: ${slackText(alert.post.title)}`.slice(
      0,
      300,
    );
  const lines = [
    `*Group / site:* ${slackText(alert.site.group)} / ${slackText(alert.site.name)}`,
    alert.documentName ? `*File:* ${slackText(alert.documentName)}` : '',
    `*First seen:* ${alert.post.firstSeenAt}`,
    `*Terms:* ${summariseList(
      alert.terms.map((t) => `${slackText(t.pattern)} ×${t.count}`),
      800,
    ).replace(/\n/g, ', ')}`,
    `*Identifiers:* ${
      Object.entries(alert.identifierCounts)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ') || '—'
    }`,
    alert.verdict
      ? `*Dump verdict:* ${alert.verdict.recordsMatched} of ${alert.verdict.recordsTotal} records`
      : '',
    `*Health data:* ${alert.health ? 'yes' : 'no'}`,
    samples && alert.maskedSamples.length
      ? `*Masked samples:* ${slackText(alert.maskedSamples.slice(0, 10).join(', '))}`
      : '',
    `*GDPR art. 33 deadline:* ${alert.gdpr.deadline}`,
    `<${alert.post.link}|Open in leakwatch>`,
  ].filter(Boolean);
  return {
    text: head,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: head.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
    ],
  };
}

export const slackChannel: AlertChannel<z.output<typeof settingsSchema>, z.output<typeof secretSchema>> = {
  type: 'slack',
  settingsSchema,
  secretSchema,
  async send(alert, settings, secret, ctx) {
    const status = await postJson(
      secret.url,
      JSON.stringify(slackBody(alert, settings.samples)),
      {},
      ctx.timeoutMs,
    );
    return { statusCode: status, externalId: null };
  },
  async sendNotice(notice, _settings, secret, ctx) {
    // Notices carry captured text (site names, new post titles, digest lines): all of it is escaped.
    const title = slackText(notice.title);
    const lines = [
      slackText(notice.description),
      ...notice.fields.map((f) => `*${slackText(f.name)}:* ${slackText(f.value)}`),
    ];
    const body = {
      text: title.slice(0, 300),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
      ],
    };
    const status = await postJson(secret.url, JSON.stringify(body), {}, ctx.timeoutMs);
    return { statusCode: status, externalId: null };
  },
};
