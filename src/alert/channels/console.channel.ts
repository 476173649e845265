/** Alerts as one line each on stderr (or a writer set by the caller): for the demo and for operators without chat. */
import { z } from 'zod';
import { visibleLine as safeText } from '../../shared/visible-text.ts';
import type { AlertPayload } from '../payload.ts';
import { type AlertChannel, routingSettings } from './channel.ts';

const settingsSchema = z.strictObject({
  ...routingSettings,
  format: z.enum(['text', 'json']).default('text'),
  samples: z.boolean().default(false),
});

let writer: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

/** Redirects console alerts (tests, the demo). Returns the previous writer. */
export function setConsoleWriter(next: (line: string) => void): (line: string) => void {
  const previous = writer;
  writer = next;
  return previous;
}

export function consoleLine(alert: AlertPayload, samples: boolean, format: 'text' | 'json'): string {
  const shown = { ...alert, maskedSamples: samples ? alert.maskedSamples : [] };
  if (format === 'json') return JSON.stringify(shown);
  const ids = Object.entries(alert.identifierCounts)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  return [
    `[${alert.severity.toUpperCase()}]${alert.followUp ? ` follow-up to #${alert.followUp.parentAlertId}` : ''}`,
    `${safeText(alert.organisation.name)}:`,
    `"${safeText(alert.post.title)}" on ${safeText(alert.site.group)}/${safeText(alert.site.name)}`,
    `terms=${alert.terms.length}`,
    ids,
    alert.verdict ? `verdict=${alert.verdict.recordsMatched}/${alert.verdict.recordsTotal}` : '',
    `gdpr-deadline=${alert.gdpr.deadline}`,
    alert.post.link,
  ]
    .filter(Boolean)
    .join(' ');
}

export const consoleChannel: AlertChannel<z.output<typeof settingsSchema>, null> = {
  type: 'console',
  settingsSchema,
  secretSchema: z.null(),
  async send(alert, settings) {
    writer(consoleLine(alert, settings.samples, settings.format));
    return { externalId: null };
  },
  async sendNotice(notice, settings) {
    writer(
      settings.format === 'json'
        ? JSON.stringify({
            kind: notice.kind,
            title: notice.title,
            description: notice.description,
            fields: notice.fields,
          })
        : // Notices carry captured titles (new posts, digest lines): one line, no terminal control characters.
          safeText(
            `[${notice.severity.toUpperCase()}] ${notice.title}: ${notice.description}${notice.fields.map((f) => ` | ${f.name}: ${f.value}`).join('')}`,
          ),
    );
    return { externalId: null };
  },
};
