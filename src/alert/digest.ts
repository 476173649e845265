/**
 * The daily digest: low-severity alerts of a channel that wants one (setting `digest`, on unless turned off) are held
 * by the outbox (alerts.digest, next_attempt_at null). The dispatcher gives them the next digest time (alerts.digestHour
 * in scheduler.timezone) and, once it has come, sends all of a channel's due digest alerts as one message. No scheduler
 * of its own: the outbox's next_attempt_at is the schedule, and retries work as for any alert.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { maskIdentifiersIn } from '../match/mask-text.ts';
import type { Db } from '../store/db.ts';
import { executeRows } from '../store/raw-sql.ts';
import { alerts } from '../store/schema/index.ts';
import { summariseList } from './channels/discord.channel.ts';
import { isSiteEvent, type Notice } from './notice.ts';
import { type AlertPayload, SEVERITY_COLOUR } from './payload.ts';

export interface DigestSchedule {
  /** Hour of the day, 0–23, in `timeZone`. */
  hour: number;
  timeZone: string;
}

/** Offset of `timeZone` from UTC at `at`, in milliseconds (positive east of Greenwich). */
function offsetMs(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const asUtc = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The first instant after `now` when the local clock of the zone shows `hour`:00. */
export function nextDigestAt(now: Date, schedule: DigestSchedule): Date {
  const local = new Date(now.getTime() + offsetMs(now, schedule.timeZone));
  for (let days = 0; days <= 2; days++) {
    const wall = Date.UTC(
      local.getUTCFullYear(),
      local.getUTCMonth(),
      local.getUTCDate() + days,
      schedule.hour,
    );
    // The wall-clock time read back in the zone (twice, for a change of offset between now and then).
    let at = wall - offsetMs(new Date(wall), schedule.timeZone);
    at = wall - offsetMs(new Date(at), schedule.timeZone);
    if (at > now.getTime()) return new Date(at);
  }
  throw new Error(`no digest time found after ${now.toISOString()} in ${schedule.timeZone}`);
}

/** Gives held digest alerts their digest time. */
export async function scheduleDigests(db: Db, now: Date, schedule: DigestSchedule): Promise<void> {
  await db
    .update(alerts)
    .set({ nextAttemptAt: nextDigestAt(now, schedule) })
    .where(and(eq(alerts.digest, true), eq(alerts.state, 'pending'), isNull(alerts.nextAttemptAt)));
}

/** Claims every due digest alert (with a lease, as single alerts are claimed), grouped by channel. */
export async function claimDigests(db: Db, now: Date, leaseMs: number): Promise<Map<number, number[]>> {
  const lease = new Date(now.getTime() + leaseMs);
  const rows = await executeRows<{ id: number | string; channel_id: number | string }>(
    db,
    sql`
    update ${alerts} set state = 'sending', next_attempt_at = ${lease.toISOString()}::timestamptz
    where id in (
      select id from ${alerts}
      where digest and state in ('pending', 'sending')
        and next_attempt_at <= ${now.toISOString()}::timestamptz
      order by id
      limit 1000
      for update skip locked
    )
    returning id, channel_id`,
  );
  const groups = new Map<number, number[]>();
  for (const row of rows) {
    const channel = Number(row.channel_id);
    groups.set(channel, [...(groups.get(channel) ?? []), Number(row.id)]);
  }
  for (const ids of groups.values()) ids.sort((a, b) => a - b);
  return groups;
}

/** Payloads are masked when written; lines are masked again for payloads written before titles were masked. */
function lineOf(id: number, payload: Record<string, unknown>): string {
  return maskIdentifiersIn(rawLineOf(id, payload));
}

function rawLineOf(id: number, payload: Record<string, unknown>): string {
  if (isSiteEvent(payload)) return `#${id} ${payload.summary}`;
  const alert = payload as unknown as AlertPayload;
  const terms = alert.terms?.map((t) => t.pattern).join(', ') || '—';
  return `#${id} ${alert.organisation.name}: "${alert.post.title}" on ${alert.site.group} / ${alert.site.name}${alert.followUp ? ` (follow-up: ${alert.followUp.reason})` : ''} — terms: ${terms} — ${alert.post.link}`;
}

/** One message for a channel's due digest alerts: a line per alert, long lists summarised. */
export function digestNotice(items: ReadonlyArray<{ id: number; payload: Record<string, unknown> }>): Notice {
  const ids = items.map((i) => i.id);
  const orgs = new Set(
    items.map((i) =>
      isSiteEvent(i.payload) ? 'analysts' : (i.payload as unknown as AlertPayload).organisation.name,
    ),
  );
  return {
    kind: 'digest',
    title: `Daily digest: ${items.length} low-severity alert${items.length === 1 ? '' : 's'}`,
    description: summariseList(
      items.map((i) => lineOf(i.id, i.payload)),
      3500,
    ),
    severity: 'low',
    colour: SEVERITY_COLOUR.low,
    fields: [
      { name: 'Alerts', value: String(items.length) },
      { name: 'Concerning', value: [...orgs].join(', ') },
    ],
    footer: `leakwatch digest of alerts #${Math.min(...ids)}–#${Math.max(...ids)}`,
    data: items.map((i) => ({ alertId: i.id, ...i.payload })),
  };
}
