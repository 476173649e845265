import type { Command } from 'commander';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { InputError } from '../../shared/errors.ts';
import { alertStates, alerts, channels, organisations } from '../../store/schema/index.ts';
import { printJson, say } from '../output.ts';
import { registryContext, requireOrganisation } from './org.command.ts';

function alertId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0)
    throw new InputError('alerts.bad_id', `expected an alert id, got "${value}"`);
  return id;
}

function lifecycleCommand(parent: Command, name: 'ack' | 'resolve', lifecycle: 'acknowledged' | 'resolved') {
  parent
    .command(`${name} <id>`)
    .description(name === 'ack' ? 'acknowledge an alert' : 'resolve an alert')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (value: string, options: { json?: boolean }) => {
      const id = alertId(value);
      const ctx = await registryContext();
      try {
        const updated = await ctx.database.db
          .update(alerts)
          .set({ lifecycle })
          .where(eq(alerts.id, id))
          .returning({ id: alerts.id, lifecycle: alerts.lifecycle });
        if (updated.length === 0) throw new InputError('alerts.not_found', `no alert #${id}`);
        if (options.json) printJson({ ok: true, alert: updated[0] });
        else say(`alert #${id} ${lifecycle}`);
      } finally {
        await ctx.close();
      }
    });
}

export function registerAlertsCommand(program: Command): void {
  const command = program.command('alerts').description('alerts in the outbox: list, ack, resolve');

  command
    .command('list')
    .description('list alerts with delivery state, attempts and the last error')
    .option('--org <slug>', 'only this organisation')
    .option('--state <state>', `only this delivery state: ${alertStates.join(', ')}`)
    .option('--limit <n>', 'at most this many (newest first)', '100')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { org?: string; state?: string; limit: string; json?: boolean }) => {
      if (options.state && !(alertStates as readonly string[]).includes(options.state))
        throw new InputError('alerts.bad_state', `--state expects one of ${alertStates.join(', ')}`);
      const ctx = await registryContext();
      try {
        const db = ctx.database.db;
        const where: SQL[] = [];
        if (options.org) where.push(eq(alerts.orgId, (await requireOrganisation(db, options.org)).id));
        if (options.state) where.push(eq(alerts.state, options.state as (typeof alertStates)[number]));
        const rows = await db
          .select({
            id: alerts.id,
            org: organisations.slug,
            channel: channels.name,
            channelType: channels.type,
            postId: alerts.postId,
            kind: alerts.kind,
            severity: alerts.severity,
            parentAlertId: alerts.parentAlertId,
            state: alerts.state,
            lifecycle: alerts.lifecycle,
            attempts: alerts.attempts,
            nextAttemptAt: alerts.nextAttemptAt,
            lastError: alerts.lastError,
            createdAt: alerts.createdAt,
            deliveredAt: alerts.deliveredAt,
          })
          .from(alerts)
          .innerJoin(channels, eq(channels.id, alerts.channelId))
          .leftJoin(organisations, eq(organisations.id, alerts.orgId))
          .where(where.length ? and(...where) : undefined)
          .orderBy(desc(alerts.id))
          .limit(Number(options.limit) || 100);
        if (options.json) printJson({ alerts: rows });
        else {
          for (const a of rows)
            process.stdout.write(
              `#${a.id} ${a.severity.toUpperCase().padEnd(8)} ${a.state.padEnd(9)} ${a.lifecycle.padEnd(12)} ${a.org ?? '-'} post ${a.postId ?? '-'} → ${a.channel} (${a.channelType})${a.parentAlertId ? ` follow-up of #${a.parentAlertId}` : ''} attempts=${a.attempts}${a.lastError ? `\n    last error: ${a.lastError}` : ''}\n`,
            );
          if (rows.length === 0) say('no alerts');
        }
      } finally {
        await ctx.close();
      }
    });

  lifecycleCommand(command, 'ack', 'acknowledged');
  lifecycleCommand(command, 'resolve', 'resolved');
}
