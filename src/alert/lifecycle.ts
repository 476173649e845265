/**
 * What an analyst does with an alert once it exists: acknowledge it (someone is on it) or resolve it (handled). The
 * CLI and the web UI both call these, so the two cannot drift, and each change is audit-logged in the same
 * transaction as the change itself.
 */
import { eq } from 'drizzle-orm';
import { appendAudit } from '../store/audit-log.repository.ts';
import type { Db } from '../store/db.ts';
import { alerts } from '../store/schema/index.ts';

export type AlertLifecycle = 'open' | 'acknowledged' | 'resolved';

/**
 * Who acts, for the audit log. `actor` is what the log is searched by: `cli`, `loopback` (the open web UI on a
 * loopback host) or `token:<id>`; `name` is the token's name, kept in the entry's details so a reader knows whom
 * the id meant at the time (names of revoked tokens may be reused).
 */
export interface Actor {
  actor: string;
  name?: string;
}

export const CLI_ACTOR: Actor = { actor: 'cli' };

/** The audit fields that say who acted, for entries about alerts. */
export function actorDetails(by: Actor): Record<string, unknown> {
  return by.name === undefined ? {} : { by: by.name };
}

/** Sets an alert's lifecycle; null when there is no such alert (nothing is written then). */
export async function setAlertLifecycle(
  db: Db,
  alertId: number,
  lifecycle: Exclude<AlertLifecycle, 'open'>,
  by: Actor,
): Promise<{ id: number; lifecycle: AlertLifecycle; previous: AlertLifecycle } | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ lifecycle: alerts.lifecycle })
      .from(alerts)
      .where(eq(alerts.id, alertId))
      .for('update');
    if (!current) return null;
    // Nothing to record for the same state again (a double submit), and a resolved alert is not reopened by an
    // acknowledgement sent from a page that was stale.
    if (current.lifecycle === lifecycle || (lifecycle === 'acknowledged' && current.lifecycle === 'resolved'))
      return { id: alertId, lifecycle: current.lifecycle, previous: current.lifecycle };
    await tx.update(alerts).set({ lifecycle }).where(eq(alerts.id, alertId));
    await appendAudit(tx as unknown as Db, {
      actor: by.actor,
      action: lifecycle === 'acknowledged' ? 'alert.acknowledge' : 'alert.resolve',
      targetType: 'alert',
      targetId: alertId,
      details: { from: current.lifecycle, to: lifecycle, ...actorDetails(by) },
    });
    return { id: alertId, lifecycle, previous: current.lifecycle };
  });
}
