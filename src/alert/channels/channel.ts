/**
 * One interface for every kind of alert channel. Each channel declares the zod schemas of its non-secret settings
 * and of its secret (webhook URL, token), validated when a channel is saved; `send` delivers one alert or throws a
 * DeliveryError that tells the dispatcher whether to retry.
 */
import { z } from 'zod';
import type { Logger } from '../../shared/logger.ts';
import type { Notice } from '../notice.ts';
import type { AlertPayload } from '../payload.ts';

/** Routing settings every channel has, validated with its own settings. */
export const routingSettings = {
  /** Low-severity alerts are held and sent once a day as one digest message (alerts.digestHour). */
  digest: z.boolean().default(true),
  /** Analysts' channels: also announce every new post on the watched sites. */
  newPosts: z.boolean().default(false),
};

/** The routing settings as stored (jsonb written before these settings existed lacks them). */
export function routingOf(settings: unknown): { digest: boolean; newPosts: boolean } {
  const s = (settings ?? {}) as { digest?: unknown; newPosts?: unknown };
  return { digest: s.digest !== false, newPosts: s.newPosts === true };
}

export interface DeliveryContext {
  alertId: number;
  /** The first alert's external id (message id) when this is a follow-up. */
  parentExternalId: string | null;
  logger?: Logger;
  /** Overrides the channel's API base (tests: the mock Discord). */
  apiBase?: string;
  timeoutMs: number;
}

export interface DeliveryResult {
  statusCode?: number;
  externalId?: string | null;
}

export interface AlertChannel<Settings = unknown, Secret = unknown> {
  readonly type: string;
  readonly settingsSchema: z.ZodType<Settings>;
  readonly secretSchema: z.ZodType<Secret>;
  send(
    alert: AlertPayload,
    settings: Settings,
    secret: Secret,
    ctx: DeliveryContext,
  ): Promise<DeliveryResult>;
  /** Site-health events, new posts and the daily digest. */
  sendNotice(
    notice: Notice,
    settings: Settings,
    secret: Secret,
    ctx: DeliveryContext,
  ): Promise<DeliveryResult>;
}

/** retry: rate limits, 5xx, network errors; permanent: invalid webhook, 401/403/404, a payload refused. */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { permanent: boolean; statusCode?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.permanent = options.permanent;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Decides from an HTTP status whether a failed delivery is worth retrying. */
export function errorForStatus(status: number, message: string, cause?: unknown): DeliveryError {
  const retry = status === 429 || status === 408 || status >= 500;
  return new DeliveryError(`HTTP ${status}: ${message}`, { permanent: !retry, statusCode: status, cause });
}
