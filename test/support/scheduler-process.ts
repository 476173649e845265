/**
 * A scheduler process for multi-process tests: what `leakwatch scheduler` does, configured from the environment
 * like the CLI (DATABASE_URL, LEAKWATCH_*). It calls the same runSchedulerRole, so a test can switch to the real
 * CLI by changing its command line. LW_TEST_MAINTENANCE_CRON stands in for the maintenance cron setting until the
 * configuration has that key (LEAKWATCH_* names are reserved for configuration and checked by loadConfig).
 */
import { createAppContext } from '../../src/app/context.ts';
import { runSchedulerRole } from '../../src/schedule/roles.ts';

const ctx = await createAppContext({ migrate: false });
const role = await runSchedulerRole(ctx, {
  maintenanceCron: process.env.LW_TEST_MAINTENANCE_CRON || undefined,
});

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  ctx.logger.info({ signal }, 'shutting down');
  try {
    await role.stop();
    await ctx.close();
    process.exit(0);
  } catch (error) {
    ctx.logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
