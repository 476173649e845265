import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { eq } from 'drizzle-orm';
import { addChannel, listChannels } from '../../alert/channel-store.ts';
import { routingOf } from '../../alert/channels/channel.ts';
import type { Severity } from '../../alert/payload.ts';
import { sendTestMessage } from '../../alert/test-message.ts';
import { InputError } from '../../shared/errors.ts';
import type { Db } from '../../store/db.ts';
import { channels, severities } from '../../store/schema/index.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';
import { registryContext, requireOrganisation } from './org.command.ts';

export async function requireChannel(db: Db, ref: string) {
  const rows = /^\d+$/.test(ref)
    ? await db
        .select()
        .from(channels)
        .where(eq(channels.id, Number(ref)))
    : await db.select().from(channels).where(eq(channels.name, ref));
  if (rows.length === 0)
    throw new InputError('channel.not_found', `no channel "${ref}"`, {
      hint: 'see `leakwatch channels list`',
    });
  if (rows.length > 1)
    throw new InputError('channel.ambiguous', `${rows.length} channels are named "${ref}": give its id`);
  return rows[0] as (typeof rows)[number];
}

export function registerChannelsCommand(program: Command): void {
  const command = program.command('channels').description('alert channels: add, list, test');

  command
    .command('add <name>')
    .description('add a channel (settings and secret validated; the secret is stored encrypted)')
    .requiredOption('--type <type>', 'discord | webhook | slack | console')
    .option('--org <slug>', 'the organisation whose alerts it receives')
    .option('--min-severity <severity>', `lowest severity sent: ${severities.join(', ')}`, 'low')
    .option(
      '--webhook-url <url>',
      'Discord webhook URL (prefer --secret-file: command lines are visible to ps)',
    )
    .option(
      '--secret-file <path>',
      'a JSON file with the channel secret: discord {"url": "https://discord.com/api/webhooks/…"} or {"botToken": "…", "channelId": "123…"}; slack {"url": "https://hooks.slack.com/…"}; webhook {"url": "https://…", "signingSecret": "16+ characters"}',
    )
    .option('--samples', 'include masked samples in messages')
    .option('--no-digest', 'send low-severity alerts at once instead of in the daily digest')
    .option('--new-posts', "analysts' channel (no --org): also announce every new post on the watched sites")
    .option('--json', 'print the result as JSON on stdout')
    .action(
      async (
        name: string,
        options: {
          type: string;
          org?: string;
          minSeverity: string;
          webhookUrl?: string;
          secretFile?: string;
          samples?: boolean;
          digest: boolean;
          newPosts?: boolean;
          json?: boolean;
        },
      ) => {
        if (!(severities as readonly string[]).includes(options.minSeverity))
          throw new InputError(
            'channel.bad_severity',
            `--min-severity expects one of ${severities.join(', ')}`,
          );
        let secret: Record<string, unknown> | null = null;
        if (options.secretFile) {
          try {
            secret = JSON.parse(readFileSync(options.secretFile, 'utf8')) as Record<string, unknown>;
          } catch (cause) {
            throw new InputError(
              'channel.bad_secret_file',
              `cannot read a JSON secret from ${options.secretFile}`,
              {
                cause,
              },
            );
          }
        } else if (options.webhookUrl) secret = { url: options.webhookUrl };
        const ctx = await registryContext();
        try {
          const orgId = options.org ? (await requireOrganisation(ctx.database.db, options.org)).id : null;
          const settings: Record<string, unknown> = {
            ...(options.samples ? { samples: true } : {}),
            ...(options.digest ? {} : { digest: false }),
            ...(options.newPosts ? { newPosts: true } : {}),
          };
          const id = await addChannel(ctx.database.db, ctx.secretKey.material, {
            orgId,
            name,
            type: options.type,
            settings,
            secret,
            minSeverity: options.minSeverity as Severity,
          });
          if (options.json) printJson({ ok: true, channel: { id, name, type: options.type, orgId } });
          else say(`channel #${id} "${name}" (${options.type}) added`);
        } finally {
          await ctx.close();
        }
      },
    );

  command
    .command('list')
    .description('list channels (never their secrets)')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const list = await listChannels(ctx.database.db);
        if (options.json) printJson({ channels: list });
        else {
          for (const c of list)
            process.stdout.write(
              `#${c.id} ${c.name} ${c.type} org=${c.orgId ?? 'analysts'} min=${c.minSeverity}${routingOf(c.settings).digest ? ' digest' : ''}${routingOf(c.settings).newPosts ? ' new-posts' : ''}${c.enabled ? '' : ' (disabled)'}${c.hasSecret ? ' secret=stored' : ''}\n`,
            );
          if (list.length === 0) say('no channels');
        }
      } finally {
        await ctx.close();
      }
    });

  command
    .command('test <channel>')
    .description('send a test message through a channel (by id or name)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (ref: string, options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const row = await requireChannel(ctx.database.db, ref);
        const api = ctx.config.alerts.discordApi;
        const outcome = await sendTestMessage(ctx.database.db, row.id, {
          material: ctx.secretKey.material,
          timeoutMs: ctx.config.alerts.requestTimeoutSeconds * 1000,
          apiBase: api ? { discord: api } : {},
        });
        if (outcome.ok) {
          if (options.json) printJson({ ok: true, channel: row.id, statusCode: outcome.statusCode });
          else say(`test message sent through channel #${row.id} "${row.name}"`);
        } else {
          if (options.json) printJson({ ok: false, channel: row.id, error: outcome.reason });
          say(`leakwatch: test message through channel #${row.id} failed: ${outcome.reason}`);
          process.exitCode = EXIT.problems;
        }
      } finally {
        await ctx.close();
      }
    });
}
