import type { Command } from 'commander';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { CLI_ACTOR, setAlertLifecycle } from '../../alert/lifecycle.ts';
import { addMute, listMutes, type MuteTarget, removeMute } from '../../alert/mutes.ts';
import { sendTestMessage } from '../../alert/test-message.ts';
import { InputError } from '../../shared/errors.ts';
import type { Db } from '../../store/db.ts';
import { alertStates, alerts, channels, organisations } from '../../store/schema/index.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';
import { requireChannel } from './channels.command.ts';
import { registryContext, requireOrganisation } from './org.command.ts';

function positiveId(value: string, what: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0)
    throw new InputError(
      'alerts.bad_id',
      `expected ${what === 'alert' ? 'an' : 'a'} ${what} id, got "${value}"`,
    );
  return id;
}

const alertId = (value: string) => positiveId(value, 'alert');

function lifecycleCommand(parent: Command, name: 'ack' | 'resolve', lifecycle: 'acknowledged' | 'resolved') {
  parent
    .command(`${name} <id>`)
    .description(name === 'ack' ? 'acknowledge an alert' : 'resolve an alert')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (value: string, options: { json?: boolean }) => {
      const id = alertId(value);
      const ctx = await registryContext();
      try {
        const updated = await setAlertLifecycle(ctx.database.db, id, lifecycle, CLI_ACTOR);
        if (!updated) throw new InputError('alerts.not_found', `no alert #${id}`);
        if (options.json) printJson({ ok: true, alert: { id, lifecycle: updated.lifecycle } });
        else if (updated.lifecycle !== lifecycle) say(`alert #${id} stays ${updated.lifecycle}`);
        else say(`alert #${id} ${lifecycle}`);
      } finally {
        await ctx.close();
      }
    });
}

export function registerAlertsCommand(program: Command): void {
  const command = program
    .command('alerts')
    .description('alerts in the outbox: list, ack, resolve, mute, unmute, mutes, test');

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
            siteId: alerts.siteId,
            kind: alerts.kind,
            digest: alerts.digest,
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
              `#${a.id} ${a.severity.toUpperCase().padEnd(8)} ${a.state.padEnd(9)} ${a.lifecycle.padEnd(12)} ${a.kind} ${a.org ?? 'analysts'}${a.siteId ? ` site ${a.siteId}` : ''} post ${a.postId ?? '-'}${a.digest ? ' (digest)' : ''} → ${a.channel} (${a.channelType})${a.parentAlertId ? ` follow-up of #${a.parentAlertId}` : ''} attempts=${a.attempts}${a.lastError ? `\n    last error: ${a.lastError}` : ''}\n`,
            );
          if (rows.length === 0) say('no alerts');
        }
      } finally {
        await ctx.close();
      }
    });

  lifecycleCommand(command, 'ack', 'acknowledged');
  lifecycleCommand(command, 'resolve', 'resolved');
  registerMuteCommands(command);
  command
    .command('test <channel>')
    .description(
      'send a clearly labelled test message through a channel (by id or name) and report the outcome',
    )
    .option('--json', 'print the outcome as JSON on stdout')
    .action(runChannelTest);
}

function registerMuteCommands(command: Command): void {
  command
    .command('mute')
    .description(
      'mute a watch term that produces false positives, a site, or an organisation+post: alerts are still recorded (state muted) but never delivered',
    )
    .option(
      '--term <id>',
      'a watch term id (see `leakwatch terms list`): alerts whose only evidence is muted terms',
    )
    .option('--site <id>', 'a leak site id: every alert about it')
    .option('--org <slug>', 'with --post: this organisation')
    .option('--post <id>', "with --org: the organisation's alerts about this post")
    .option('--reason <text>', 'why (shown in `alerts mutes`)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (options: MuteOptions & { reason?: string; json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const target = await muteTarget(ctx.database.db, options);
        const result = await addMute(ctx.database.db, target, options.reason ?? null, CLI_ACTOR);
        if (options.json) printJson({ ok: true, mute: result.mute, alertsMuted: result.alertsMuted });
        else
          say(`mute #${result.mute.id}: ${result.label} muted; ${result.alertsMuted} pending alerts muted`);
      } finally {
        await ctx.close();
      }
    });

  command
    .command('unmute <muteId>')
    .description('remove a mute: later alerts are delivered again (alerts it muted stay recorded as muted)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (value: string, options: { json?: boolean }) => {
      const id = positiveId(value, 'mute');
      const ctx = await registryContext();
      try {
        const removed = await removeMute(ctx.database.db, id);
        if (options.json) printJson({ ok: true, mute: removed });
        else say(`mute #${id} removed`);
      } finally {
        await ctx.close();
      }
    });

  command
    .command('mutes')
    .description('list mutes')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const list = await listMutes(ctx.database.db);
        if (options.json) printJson({ mutes: list });
        else {
          for (const m of list)
            process.stdout.write(
              `#${m.id} ${m.kind.padEnd(5)} ${m.kind === 'term' ? `${m.org} term #${m.termId} ${JSON.stringify(m.term)}` : m.kind === 'site' ? `site ${m.siteId}` : `${m.org} post ${m.postId}`}${m.reason ? ` — ${m.reason}` : ''}\n`,
            );
          if (list.length === 0) say('no mutes');
        }
      } finally {
        await ctx.close();
      }
    });
}

interface MuteOptions {
  term?: string;
  site?: string;
  org?: string;
  post?: string;
}

async function muteTarget(db: Db, options: MuteOptions): Promise<MuteTarget> {
  const given = [options.term, options.site, options.post].filter((v) => v !== undefined).length;
  if (given !== 1)
    throw new InputError(
      'alerts.mute_target',
      'give exactly one of --term <id>, --site <id>, --org <slug> --post <id>',
    );
  if (options.term !== undefined) return { kind: 'term', termId: positiveId(options.term, 'term') };
  if (options.site !== undefined) return { kind: 'site', siteId: options.site };
  if (!options.org) throw new InputError('alerts.mute_target', '--post needs --org <slug>');
  const org = await requireOrganisation(db, options.org);
  return { kind: 'post', orgId: org.id, postId: positiveId(options.post as string, 'post') };
}

async function runChannelTest(ref: string, options: { json?: boolean }): Promise<void> {
  const ctx = await registryContext();
  try {
    const row = await requireChannel(ctx.database.db, ref);
    const outcome = await sendTestMessage(ctx.database.db, row.id, {
      material: ctx.secretKey.material,
      timeoutMs: ctx.config.alerts.requestTimeoutSeconds * 1000,
      apiBase: ctx.config.alerts.discordApi ? { discord: ctx.config.alerts.discordApi } : {},
    });
    if (options.json) printJson({ channel: { id: row.id, name: row.name, type: row.type }, ...outcome });
    if (outcome.ok)
      say(
        `test message delivered through channel #${row.id} "${row.name}" (status ${outcome.statusCode ?? 'n/a'})`,
      );
    else {
      say(
        `leakwatch: test message through channel #${row.id} "${row.name}" failed (${outcome.permanent ? 'permanent' : 'temporary'}${outcome.statusCode ? `, status ${outcome.statusCode}` : ''}): ${outcome.reason}`,
      );
      process.exitCode = EXIT.problems;
    }
  } finally {
    await ctx.close();
  }
}
