import type { Command } from 'commander';
import { type Role, runRolesUntilSignal } from '../../app/run-roles.ts';

const ROLES: Array<{ name: string; roles: Role[]; description: string }> = [
  {
    name: 'start',
    roles: ['web', 'scheduler', 'worker'],
    description: 'run everything in one process: web UI and API, scheduler and workers (migrates first)',
  },
  {
    name: 'web',
    roles: ['web'],
    description: 'run only the web UI and API (split deployments on PostgreSQL)',
  },
  {
    name: 'scheduler',
    roles: ['scheduler'],
    description: 'run only the scheduler: fires each schedule once across instances',
  },
  {
    name: 'worker',
    roles: ['worker'],
    description: 'run only job workers (crawls, extraction, matching, alerts)',
  },
];

export function registerRoleCommands(program: Command): void {
  for (const { name, roles, description } of ROLES) {
    program
      .command(name)
      .description(description)
      // Only the all-in-one start may create a key: split processes must share one configured key.
      .action(() => runRolesUntilSignal(roles, { generateSecretKey: name === 'start' }));
  }
}
