/**
 * Channels as stored: settings validated by the channel's schema and kept in clear, the secret (webhook URL, token)
 * validated and kept only as ciphertext. Nothing here logs or returns a secret except `loadChannel` for sending.
 */
import { asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { InputError } from '../shared/errors.ts';
import type { Db } from '../store/db.ts';
import { channels, type severities } from '../store/schema/index.ts';
import { channelOfType } from './channels/registry.ts';
import { decryptSecret, encryptSecret } from './secrets.ts';

export interface NewChannel {
  orgId: number | null;
  name: string;
  type: string;
  settings?: Record<string, unknown>;
  secret?: Record<string, unknown> | null;
  minSeverity?: (typeof severities)[number];
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new InputError(
      'alert.channel_invalid',
      `invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export async function addChannel(db: Db, material: string, input: NewChannel) {
  const kind = channelOfType(input.type);
  const settings = validate(kind.settingsSchema, input.settings ?? {}, `${input.type} settings`);
  const secret = validate(kind.secretSchema, input.secret ?? null, `${input.type} secret`);
  const [row] = await db
    .insert(channels)
    .values({
      orgId: input.orgId,
      name: input.name,
      type: input.type as (typeof channels.$inferInsert)['type'],
      settings: settings as Record<string, unknown>,
      secretCiphertext: secret === null ? null : encryptSecret(material, secret as Record<string, unknown>),
      minSeverity: input.minSeverity ?? 'low',
    })
    .returning({ id: channels.id });
  return row?.id as number;
}

/** Channels without their secrets. */
export async function listChannels(db: Db) {
  return db
    .select({
      id: channels.id,
      orgId: channels.orgId,
      name: channels.name,
      type: channels.type,
      settings: channels.settings,
      minSeverity: channels.minSeverity,
      enabled: channels.enabled,
      secret: channels.secretCiphertext,
      createdAt: channels.createdAt,
    })
    .from(channels)
    .orderBy(asc(channels.id))
    .then((rows) => rows.map(({ secret, ...r }) => ({ ...r, hasSecret: secret !== null })));
}

export interface LoadedChannel {
  id: number;
  type: string;
  name: string;
  settings: unknown;
  secret: unknown;
}

export async function loadChannel(db: Db, material: string, id: number): Promise<LoadedChannel | null> {
  const [row] = await db.select().from(channels).where(eq(channels.id, id));
  if (!row) return null;
  const kind = channelOfType(row.type);
  const settings = kind.settingsSchema.parse(row.settings);
  const secret = kind.secretSchema.parse(
    row.secretCiphertext ? decryptSecret(material, row.secretCiphertext) : null,
  );
  return { id: row.id, type: row.type, name: row.name, settings, secret };
}
