/**
 * Generic webhook: POST of the alert as JSON, signed. Headers: `x-leakwatch-timestamp` (Unix seconds) and
 * `x-leakwatch-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the channel's signing secret; a
 * receiver checks the signature and refuses old timestamps, which stops replays.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AlertPayload } from '../payload.ts';
import { type AlertChannel, DeliveryError, errorForStatus, routingSettings } from './channel.ts';

const settingsSchema = z.strictObject({ ...routingSettings, samples: z.boolean().default(false) });
const secretSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }),
  signingSecret: z.string().min(16, 'expected a signing secret of at least 16 characters'),
});

export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new DeliveryError(`network error: ${message}`, { permanent: false, cause: error });
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('retry-after'));
    const failure = errorForStatus(res.status, res.statusText || 'refused');
    if (res.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0)
      throw new DeliveryError(failure.message, {
        permanent: false,
        statusCode: 429,
        retryAfterMs: retryAfter * 1000,
      });
    throw failure;
  }
  return res.status;
}

export const webhookChannel: AlertChannel<z.output<typeof settingsSchema>, z.output<typeof secretSchema>> = {
  type: 'webhook',
  settingsSchema,
  secretSchema,
  async send(alert: AlertPayload, settings, secret, ctx) {
    return signedPost(
      secret,
      JSON.stringify({
        alertId: ctx.alertId,
        ...alert,
        maskedSamples: settings.samples ? alert.maskedSamples : [],
      }),
      ctx.timeoutMs,
    );
  },
  async sendNotice(notice, settings, secret, ctx) {
    // kind says which notice (site_down, digest…); data holds the stored payload(s) behind it, samples only when the
    // channel shows them (a payload written before samples were turned off still holds them).
    const data = settings.samples ? notice.data : withoutSamples(notice.data);
    return signedPost(
      secret,
      JSON.stringify({ alertId: ctx.alertId, notice: { ...notice, data } }),
      ctx.timeoutMs,
    );
  },
};

function withoutSamples(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(withoutSamples);
  if (data && typeof data === 'object' && 'maskedSamples' in data) return { ...data, maskedSamples: [] };
  return data;
}

async function signedPost(
  secret: z.output<typeof secretSchema>,
  body: string,
  timeoutMs: number,
): Promise<{ statusCode: number; externalId: null }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const status = await postJson(
    secret.url,
    body,
    {
      'x-leakwatch-timestamp': String(timestamp),
      'x-leakwatch-signature': signBody(secret.signingSecret, timestamp, body),
    },
    timeoutMs,
  );
  return { statusCode: status, externalId: null };
}
