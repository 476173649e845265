/**
 * Delivers pending alerts from the outbox. A batch is claimed with a lease (state `sending`, next_attempt_at = lease
 * end) so a worker killed mid-send loses nothing: the lease runs out and another pass takes the alert again. Hence
 * at-least-once: a crash between sending and recording may send one alert twice.
 *
 * Retryable failures (429, 5xx, network, timeouts) back off exponentially until `horizonMs` after the alert was
 * written; permanent ones (invalid webhook, 401/403/404) mark it `failed` with the reason. Every attempt is recorded.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { describeError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Db } from '../store/db.ts';
import { executeRows } from '../store/raw-sql.ts';
import { alertAttempts, alerts } from '../store/schema/index.ts';
import { type LoadedChannel, loadChannel } from './channel-store.ts';
import { DeliveryError, type DeliveryResult } from './channels/channel.ts';
import { channelOfType } from './channels/registry.ts';
import { claimDigests, type DigestSchedule, digestNotice, scheduleDigests } from './digest.ts';
import { isSiteEvent, siteEventNotice } from './notice.ts';
import type { AlertPayload } from './payload.ts';

export interface DispatchOptions {
  /** Secret key material (channel secrets are encrypted under a key derived from it). */
  material: string;
  /** Keep retrying for this long after the alert was written. */
  horizonMs: number;
  /** First retry delay; doubled per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed alert stays taken before another pass may send it again. */
  leaseMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Alerts claimed per pass. */
  batch: number;
  /** When held low-severity alerts are sent as one digest per channel. */
  digest: DigestSchedule;
  /** API base per channel type (tests: the mock Discord). */
  apiBase?: Partial<Record<string, string>>;
  now?: () => Date;
  logger?: Logger;
}

export const DEFAULT_DISPATCH: Omit<DispatchOptions, 'material'> = {
  horizonMs: 24 * 3600 * 1000,
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60 * 1000,
  leaseMs: 2 * 60 * 1000,
  timeoutMs: 15_000,
  batch: 20,
  digest: { hour: 8, timeZone: 'UTC' },
};

export interface DispatchReport {
  delivered: number;
  retried: number;
  failed: number;
}

type AlertRow = typeof alerts.$inferSelect;

/** Takes up to `batch` due alerts: pending ones whose time has come, and `sending` ones whose lease ran out. */
export async function claimDue(db: Db, now: Date, options: DispatchOptions): Promise<number[]> {
  const lease = new Date(now.getTime() + options.leaseMs);
  const rows = await executeRows<{ id: number | string }>(
    db,
    sql`
    update ${alerts} set state = 'sending', next_attempt_at = ${lease.toISOString()}::timestamptz
    where id in (
      select id from ${alerts}
      where state in ('pending', 'sending') and not digest
        and (next_attempt_at is null or next_attempt_at <= ${now.toISOString()}::timestamptz)
      order by id
      limit ${options.batch}
      for update skip locked
    )
    returning id`,
  );
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

export async function dispatchDue(db: Db, options: DispatchOptions): Promise<DispatchReport> {
  const clock = options.now ?? (() => new Date());
  const report: DispatchReport = { delivered: 0, retried: 0, failed: 0 };
  const channels = new Map<number, Promise<LoadedChannel | null>>();
  const channelOf = (id: number) => {
    let loaded = channels.get(id);
    if (!loaded) {
      loaded = loadChannel(db, options.material, id);
      channels.set(id, loaded);
    }
    return loaded;
  };
  for (const id of await claimDue(db, clock(), options)) {
    const [alert] = await db.select().from(alerts).where(eq(alerts.id, id));
    if (!alert) continue;
    await deliver(db, [alert], channelOf, options, report, async (channel, kind) => {
      const payload = alert.payload as Record<string, unknown>;
      if (isSiteEvent(payload))
        return kind.sendNotice(
          siteEventNotice(payload, alert.id),
          channel.settings,
          channel.secret,
          contextOf(alert.id, null, channel, options),
        );
      const parent = alert.parentAlertId
        ? (
            await db
              .select({ externalId: alerts.externalId })
              .from(alerts)
              .where(eq(alerts.id, alert.parentAlertId))
          )[0]
        : undefined;
      return kind.send(
        payload as unknown as AlertPayload,
        channel.settings,
        channel.secret,
        contextOf(alert.id, parent?.externalId ?? null, channel, options),
      );
    });
  }
  // Digests: held low-severity alerts get their digest time, and a channel's due ones go out as one message.
  await scheduleDigests(db, clock(), options.digest);
  for (const [, ids] of await claimDigests(db, clock(), options.leaseMs)) {
    const rows = await db.select().from(alerts).where(inArray(alerts.id, ids)).orderBy(alerts.id);
    if (rows.length === 0) continue;
    await deliver(db, rows, channelOf, options, report, (channel, kind) =>
      kind.sendNotice(
        digestNotice(rows.map((r) => ({ id: r.id, payload: r.payload }))),
        channel.settings,
        channel.secret,
        contextOf(rows[0]?.id as number, null, channel, options),
      ),
    );
  }
  return report;
}

function contextOf(
  alertId: number,
  parentExternalId: string | null,
  channel: LoadedChannel,
  options: DispatchOptions,
) {
  return {
    alertId,
    parentExternalId,
    timeoutMs: options.timeoutMs,
    apiBase: options.apiBase?.[channel.type],
    logger: options.logger,
  };
}

/** Sends one message for these alerts (one alert, or a channel's digest) and records the outcome for each. */
async function deliver(
  db: Db,
  rows: AlertRow[],
  channelOf: (id: number) => Promise<LoadedChannel | null>,
  options: DispatchOptions,
  report: DispatchReport,
  send: (channel: LoadedChannel, kind: ReturnType<typeof channelOfType>) => Promise<DeliveryResult>,
): Promise<void> {
  const clock = options.now ?? (() => new Date());
  const first = rows[0] as AlertRow;
  let channel: LoadedChannel | null;
  try {
    channel = await channelOf(first.channelId);
  } catch (error) {
    for (const row of rows)
      await record(
        db,
        row,
        clock(),
        0,
        new DeliveryError(describeError(error), { permanent: true }),
        options,
      );
    report.failed += rows.length;
    return;
  }
  if (!channel) return; // deleted: its alerts went with it (cascade)
  const started = Date.now();
  try {
    const result = await send(channel, channelOfType(channel.type));
    await db.transaction(async (tx) => {
      for (const row of rows) {
        await tx.insert(alertAttempts).values({
          alertId: row.id,
          outcome: 'delivered',
          statusCode: result.statusCode ?? null,
          durationMs: Date.now() - started,
        });
        await tx
          .update(alerts)
          .set({
            state: 'delivered',
            attempts: row.attempts + 1,
            deliveredAt: clock(),
            externalId: result.externalId ?? null,
            nextAttemptAt: null,
            lastError: null,
          })
          .where(eq(alerts.id, row.id));
      }
    });
    report.delivered += rows.length;
  } catch (error) {
    const failure =
      error instanceof DeliveryError ? error : new DeliveryError(describeError(error), { permanent: false });
    for (const row of rows) {
      const outcome = await record(db, row, clock(), Date.now() - started, failure, options);
      if (outcome === 'failed') report.failed++;
      else report.retried++;
    }
  }
}

async function record(
  db: Db,
  alert: AlertRow,
  now: Date,
  durationMs: number,
  failure: DeliveryError,
  options: DispatchOptions,
): Promise<'retry' | 'failed'> {
  const attempts = alert.attempts + 1;
  const delay = Math.max(
    Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempts - 1)),
    failure.retryAfterMs ?? 0,
  );
  const next = new Date(now.getTime() + delay);
  // A digest alert may have been held up to a day before its first attempt: its horizon starts a day later.
  const start = alert.createdAt.getTime() + (alert.digest ? 24 * 3600_000 : 0);
  const beyondHorizon = next.getTime() - start > options.horizonMs;
  const outcome = failure.permanent || beyondHorizon ? 'failed' : 'retry';
  const reason =
    outcome === 'failed' && !failure.permanent
      ? `gave up after ${attempts} attempts (retry horizon reached): ${failure.message}`
      : failure.message;
  await db.transaction(async (tx) => {
    await tx.insert(alertAttempts).values({
      alertId: alert.id,
      outcome,
      statusCode: failure.statusCode ?? null,
      error: failure.message.slice(0, 1000),
      durationMs,
    });
    await tx
      .update(alerts)
      .set({
        state: outcome === 'failed' ? 'failed' : 'pending',
        attempts,
        nextAttemptAt: outcome === 'failed' ? null : next,
        lastError: reason.slice(0, 1000),
      })
      .where(eq(alerts.id, alert.id));
  });
  options.logger?.warn(
    { alertId: alert.id, attempts, outcome, status: failure.statusCode, error: failure.message },
    outcome === 'failed' ? 'alert delivery failed' : 'alert delivery will be retried',
  );
  return outcome;
}
