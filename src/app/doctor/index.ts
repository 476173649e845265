import { loadConfig } from '../../config/load-config.ts';
import { ConfigError } from '../../shared/errors.ts';
import { type CheckResult, fail, ok, skipped } from './check.ts';
import { checkDatabase, checkSecretKey, checkTorSocks } from './service-checks.ts';
import {
  checkChromium,
  checkDataDir,
  checkNode,
  checkOcr,
  checkPoppler,
  checkTorBinary,
} from './system-checks.ts';

export type { CheckResult } from './check.ts';

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

/** Runs every check; never throws. A configuration error is itself a failed check, and what needs it is skipped. */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const checks: CheckResult[] = [checkNode()];
  let config: ReturnType<typeof loadConfig>['config'] | undefined;
  try {
    config = loadConfig({ env }).config;
    checks.push(ok('configuration', 'valid'));
  } catch (error) {
    const detail = error instanceof ConfigError ? error.problems.join('; ') : (error as Error).message;
    checks.push(fail('configuration', detail, 'fix the keys named above (see config/default.yaml)'));
  }
  if (!config) {
    for (const name of ['data directory', 'secret key', 'database', 'tor socks', 'tor binary', 'chromium']) {
      checks.push(skipped(name, 'needs a valid configuration'));
    }
    return { ok: false, checks };
  }
  checks.push(checkDataDir(config), checkSecretKey(config));
  const torBinary = await checkTorBinary(config);
  checks.push(
    ...(await Promise.all([
      checkDatabase(config),
      checkTorSocks(config, torBinary.status === 'ok'),
      torBinary,
      checkChromium(config),
      checkOcr(),
      checkPoppler(),
    ])),
  );
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}
