/**
 * A test send through a channel's real code (the same `send` the dispatcher uses): a clearly labelled message that
 * names no organisation and no post, and the outcome as a responder needs it — delivered (status), or failed with the
 * reason and whether retrying could help.
 */
import { describeError } from '../shared/errors.ts';
import type { Db } from '../store/db.ts';
import { loadChannel } from './channel-store.ts';
import { DeliveryError } from './channels/channel.ts';
import { channelOfType } from './channels/registry.ts';
import type { AlertPayload } from './payload.ts';

export interface TestSendOptions {
  material: string;
  timeoutMs: number;
  apiBase?: Partial<Record<string, string>>;
  now?: Date;
}

export type TestOutcome =
  | { ok: true; statusCode: number | null; externalId: string | null }
  | { ok: false; statusCode: number | null; permanent: boolean; reason: string };

export const TEST_TITLE = 'leakwatch test message — not an alert';

export function testPayload(channelName: string, now = new Date()): AlertPayload {
  return {
    version: 1,
    kind: 'test',
    severity: 'low',
    organisation: { id: 0, name: 'leakwatch test' },
    site: { id: 'test', name: 'test', group: 'test' },
    post: {
      id: 0,
      title: `${TEST_TITLE} (channel "${channelName}")`,
      status: 'unknown',
      firstSeenAt: now.toISOString(),
      link: 'http://127.0.0.1/',
    },
    documentId: null,
    documentName: null,
    terms: [],
    identifierCounts: {},
    verdict: null,
    categories: [],
    health: false,
    maskedSamples: [],
    gdpr: {
      clockStartedAt: now.toISOString(),
      deadline: new Date(now.getTime() + 72 * 3600_000).toISOString(),
    },
    followUp: null,
  };
}

export async function sendTestMessage(
  db: Db,
  channelId: number,
  options: TestSendOptions,
): Promise<TestOutcome> {
  let loaded: Awaited<ReturnType<typeof loadChannel>>;
  try {
    loaded = await loadChannel(db, options.material, channelId);
  } catch (error) {
    return { ok: false, statusCode: null, permanent: true, reason: describeError(error) };
  }
  if (!loaded) return { ok: false, statusCode: null, permanent: true, reason: `no channel #${channelId}` };
  try {
    const result = await channelOfType(loaded.type).send(
      testPayload(loaded.name, options.now),
      loaded.settings,
      loaded.secret,
      {
        alertId: 0,
        parentExternalId: null,
        timeoutMs: options.timeoutMs,
        apiBase: options.apiBase?.[loaded.type],
      },
    );
    return { ok: true, statusCode: result.statusCode ?? null, externalId: result.externalId ?? null };
  } catch (error) {
    if (error instanceof DeliveryError)
      return {
        ok: false,
        statusCode: error.statusCode ?? null,
        permanent: error.permanent,
        reason: error.message,
      };
    return { ok: false, statusCode: null, permanent: false, reason: describeError(error) };
  }
}
