/**
 * Delivers pending alerts from the outbox. A batch is claimed with a lease (state `sending`, next_attempt_at = lease
 * end) so a worker killed mid-send loses nothing: the lease runs out and another pass takes the alert again. Hence
 * at-least-once: a crash between sending and recording may send one alert twice.
 *
 * Retryable failures (429, 5xx, network, timeouts) back off exponentially until `horizonMs` after the alert was
 * written; permanent ones (invalid webhook, 401/403/404) mark it `failed` with the reason. Every attempt is recorded.
 */
import { eq, sql } from 'drizzle-orm';
import { describeError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Db } from '../store/db.ts';
import { alertAttempts, alerts } from '../store/schema/index.ts';
import { type LoadedChannel, loadChannel } from './channel-store.ts';
import { DeliveryError } from './channels/channel.ts';
import { channelOfType } from './channels/registry.ts';
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
  const rows = await db.execute<{ id: number | string }>(sql`
    update ${alerts} set state = 'sending', next_attempt_at = ${lease.toISOString()}::timestamptz
    where id in (
      select id from ${alerts}
      where state in ('pending', 'sending')
        and (next_attempt_at is null or next_attempt_at <= ${now.toISOString()}::timestamptz)
      order by id
      limit ${options.batch}
      for update skip locked
    )
    returning id`);
  const list = Array.isArray(rows)
    ? rows
    : (rows as unknown as { rows: Array<{ id: number | string }> }).rows;
  return list.map((r) => Number(r.id)).sort((a, b) => a - b);
}

export async function dispatchDue(db: Db, options: DispatchOptions): Promise<DispatchReport> {
  const clock = options.now ?? (() => new Date());
  const report: DispatchReport = { delivered: 0, retried: 0, failed: 0 };
  const ids = await claimDue(db, clock(), options);
  const channelCache = new Map<number, LoadedChannel | null>();
  for (const id of ids) {
    const [alert] = await db.select().from(alerts).where(eq(alerts.id, id));
    if (!alert) continue;
    let channel = channelCache.get(alert.channelId);
    if (channel === undefined) {
      try {
        channel = await loadChannel(db, options.material, alert.channelId);
      } catch (error) {
        await record(
          db,
          alert,
          clock(),
          0,
          new DeliveryError(describeError(error), { permanent: true }),
          options,
        );
        report.failed++;
        continue;
      }
      channelCache.set(alert.channelId, channel);
    }
    if (!channel) continue; // deleted: the alert went with it (cascade)
    const started = Date.now();
    try {
      const parent = alert.parentAlertId
        ? (
            await db
              .select({ externalId: alerts.externalId })
              .from(alerts)
              .where(eq(alerts.id, alert.parentAlertId))
          )[0]
        : undefined;
      const result = await channelOfType(channel.type).send(
        alert.payload as unknown as AlertPayload,
        channel.settings,
        channel.secret,
        {
          alertId: alert.id,
          parentExternalId: parent?.externalId ?? null,
          timeoutMs: options.timeoutMs,
          apiBase: options.apiBase?.[channel.type],
          logger: options.logger,
        },
      );
      await db.transaction(async (tx) => {
        await tx.insert(alertAttempts).values({
          alertId: alert.id,
          outcome: 'delivered',
          statusCode: result.statusCode ?? null,
          durationMs: Date.now() - started,
        });
        await tx
          .update(alerts)
          .set({
            state: 'delivered',
            attempts: alert.attempts + 1,
            deliveredAt: clock(),
            externalId: result.externalId ?? null,
            nextAttemptAt: null,
            lastError: null,
          })
          .where(eq(alerts.id, alert.id));
      });
      report.delivered++;
    } catch (error) {
      const failure =
        error instanceof DeliveryError
          ? error
          : new DeliveryError(describeError(error), { permanent: false });
      const outcome = await record(db, alert, clock(), Date.now() - started, failure, options);
      if (outcome === 'failed') report.failed++;
      else report.retried++;
    }
  }
  return report;
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
  const beyondHorizon = next.getTime() - alert.createdAt.getTime() > options.horizonMs;
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
