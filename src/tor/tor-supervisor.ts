import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../shared/logger.ts';
import { ManagedTor } from './managed-tor.ts';
import { parseSocksUrl, probeSocks } from './socks-probe.ts';
import { TorStatusMonitor } from './tor-status.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export interface TorRuntime {
  monitor: TorStatusMonitor;
  managed?: ManagedTor;
  stop(): Promise<void>;
}

async function torInstalled(binary: string): Promise<boolean> {
  try {
    await promisify(execFile)(binary, ['--version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides who provides Tor. external: the configured proxy. managed: our own tor on the configured loopback port.
 * auto: the configured proxy when it answers, else our own tor when the binary is installed — so `npm start` on a
 * machine with tor installed is the whole product.
 */
export async function startTor(config: Config, logger: Logger): Promise<TorRuntime> {
  const { host, port } = parseSocksUrl(config.tor.socks);
  let managed: ManagedTor | undefined;
  const canManage = LOOPBACK.has(host);
  if (config.tor.mode === 'managed' && !canManage) {
    logger.warn(
      { socks: config.tor.socks },
      'tor.mode=managed needs a loopback socks address; using it as an external proxy',
    );
  }
  const wantManaged =
    canManage &&
    (config.tor.mode === 'managed' ||
      (config.tor.mode === 'auto' &&
        !(await probeSocks(config.tor.socks, 1500)).reachable &&
        (await torInstalled(config.tor.binary))));
  if (wantManaged) {
    managed = new ManagedTor({
      binary: config.tor.binary,
      directory: join(config.dataDir, 'tor'),
      socksPort: port,
      torrcLines: config.tor.torrcLines,
      logger,
    });
    logger.info(
      { socks: config.tor.socks, directory: join(config.dataDir, 'tor') },
      'starting a managed tor',
    );
    managed.start();
  }
  const monitor = new TorStatusMonitor(config.tor.socks, logger, 30_000, managed);
  monitor.start();
  return {
    monitor,
    ...(managed ? { managed } : {}),
    stop: async () => {
      monitor.stop();
      await managed?.stop();
    },
  };
}
