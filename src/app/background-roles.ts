import type { AppContext } from './context.ts';
import type { Role } from './run-roles.ts';

/** Scheduler and worker roles; wired to src/schedule and src/queue. */
export async function startBackgroundRoles(
  _ctx: AppContext,
  _roles: readonly Role[],
): Promise<Array<{ name: string; stop(): Promise<void> | void }>> {
  return [];
}
