import type { Command } from 'commander';
import { InputError } from '../../shared/errors.ts';
import { deriveKey } from '../../shared/keys.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../store/api-tokens.repository.ts';
import { generateApiToken, hashApiToken } from '../../web/access.ts';
import { printJson, say } from '../output.ts';
import { registryContext } from './org.command.ts';

const DEFAULT_USER = 'operator@leakwatch.local';

function tokenName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(value))
    throw new InputError(
      'tokens.bad_name',
      `token name "${value}" must be 1–64 letters, digits, spaces, . _ -`,
    );
  return value;
}

function expiry(days: string | undefined): Date | null {
  if (days === undefined) return null;
  const n = Number(days);
  if (!Number.isInteger(n) || n <= 0 || n > 3650)
    throw new InputError('tokens.bad_expiry', `--expires-in-days expects 1 to 3650, got "${days}"`);
  return new Date(Date.now() + n * 86_400_000);
}

export function registerTokensCommand(program: Command): void {
  const command = program
    .command('tokens')
    .description('API tokens for the web UI and API when it listens on a non-loopback address');

  command
    .command('create <name>')
    .description('create a token and print it once (only its keyed hash is stored)')
    .option('--user <email>', 'the operator account it belongs to', DEFAULT_USER)
    .option('--expires-in-days <n>', 'expire after this many days (default: never)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (name: string, options: { user: string; expiresInDays?: string; json?: boolean }) => {
      const expiresAt = expiry(options.expiresInDays);
      const ctx = await registryContext();
      try {
        const token = generateApiToken();
        const created = await createApiToken(ctx.database.db, {
          name: tokenName(name),
          userEmail: options.user,
          tokenHash: hashApiToken(deriveKey(ctx.secretKey.material, 'api-tokens'), token),
          scopes: ['read'],
          expiresAt,
        });
        if (options.json) printJson({ ok: true, token, id: created.id, name: created.name, expiresAt });
        else {
          process.stdout.write(`${token}\n`);
          say(`created token "${created.name}" (id ${created.id}); it is shown only now — store it safely`);
          say('use it as `Authorization: Bearer <token>`, or paste it into the web UI login form');
        }
      } finally {
        await ctx.close();
      }
    });

  command
    .command('list')
    .description('list tokens (names and dates, never the tokens)')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const tokens = await listApiTokens(ctx.database.db);
        if (options.json) printJson({ ok: true, tokens });
        else if (tokens.length === 0) say('no tokens; create one with `leakwatch tokens create <name>`');
        else {
          for (const token of tokens) {
            const state = token.revokedAt
              ? `revoked ${token.revokedAt.toISOString()}`
              : token.expiresAt && token.expiresAt <= new Date()
                ? `expired ${token.expiresAt.toISOString()}`
                : 'active';
            process.stdout.write(
              `${String(token.id).padStart(4)}  ${token.name.padEnd(24)} ${state.padEnd(36)} last used ${token.lastUsedAt?.toISOString() ?? 'never'}\n`,
            );
          }
        }
      } finally {
        await ctx.close();
      }
    });

  command
    .command('revoke <name-or-id>')
    .description('revoke a token at once (its cookie sessions end with it)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (nameOrId: string, options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const revoked = await revokeApiToken(ctx.database.db, nameOrId);
        if (!revoked)
          throw new InputError('tokens.not_found', `no active token "${nameOrId}"`, {
            hint: 'see `leakwatch tokens list`',
          });
        if (options.json) printJson({ ok: true, token: revoked });
        else say(`revoked token "${revoked.name}" (id ${revoked.id})`);
      } finally {
        await ctx.close();
      }
    });
}
