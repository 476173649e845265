/**
 * The dispatcher in a worker: the `alert.dispatch` job (send one to deliver now, e.g. right after matching) and a
 * periodic pass every `alerts.dispatchIntervalSeconds`. Passes never overlap within a process; across processes the
 * claim (FOR UPDATE SKIP LOCKED + lease) keeps one alert to one sender.
 */
import type { AppContext } from '../app/context.ts';
import type { JobHandler } from '../queue/queue.ts';
import { describeError } from '../shared/errors.ts';
import { moduleLogger } from '../shared/logger.ts';
import { type DispatchOptions, type DispatchReport, dispatchDue } from './dispatcher.ts';

export function dispatchOptionsFromConfig(
  ctx: Pick<AppContext, 'config' | 'secretKey' | 'logger'>,
): DispatchOptions {
  const a = ctx.config.alerts;
  return {
    material: ctx.secretKey.material,
    horizonMs: a.retryHorizonHours * 3600_000,
    baseDelayMs: a.retryBaseSeconds * 1000,
    maxDelayMs: a.retryMaxMinutes * 60_000,
    leaseMs: Math.max(60_000, a.requestTimeoutSeconds * 1000 * 4),
    timeoutMs: a.requestTimeoutSeconds * 1000,
    batch: a.batch,
    digest: { hour: a.digestHour, timeZone: ctx.config.scheduler.timezone },
    apiBase: a.discordApi ? { discord: a.discordApi } : {},
    logger: moduleLogger(ctx.logger, 'alert'),
  };
}

export interface AlertDispatcher {
  /** One pass, or the running one if a pass is under way. */
  pass(): Promise<DispatchReport>;
  stop(): Promise<void>;
}

export function startAlertDispatcher(
  ctx: AppContext,
  options = dispatchOptionsFromConfig(ctx),
): AlertDispatcher {
  const log = moduleLogger(ctx.logger, 'alert');
  let running: Promise<DispatchReport> | null = null;
  let stopped = false;
  const pass = () => {
    running ??= dispatchDue(ctx.database.db, options).finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (stopped) return;
    pass().catch((error) => log.error({ error: describeError(error) }, 'alert dispatch pass failed'));
  }, ctx.config.alerts.dispatchIntervalSeconds * 1000);
  timer.unref();
  return {
    pass,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

export function alertDispatchHandler(dispatcher: AlertDispatcher): JobHandler<object> {
  return async () => {
    await dispatcher.pass();
  };
}
