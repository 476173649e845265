import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { ManagedTor, type ManagedTorStatus } from '../../src/tor/managed-tor.ts';
import { probeSocks } from '../../src/tor/socks-probe.ts';
import { freePort } from '../support/cli.ts';
import { missingTool, skipWithout } from '../support/system-tools.ts';

function torInstalled(): boolean {
  try {
    execFileSync('tor', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A test network that does not exist: one directory authority on a closed loopback port. This tor opens its SOCKS
 * port, tries 127.0.0.1:9 and nothing else — never the public Tor network. (DisableNetwork would close SOCKS too.)
 */
const NOWHERE = [
  'TestingTorNetwork 1',
  'UseDefaultFallbackDirs 0',
  `DirAuthority nowhere orport=9 no-v2 v3ident=${'0'.repeat(40)} 127.0.0.1:9 ${'0'.repeat(40)}`,
  'GeoIPFile /nonexistent',
  'GeoIPv6File /nonexistent',
];

describe.skipIf(skipWithout(torInstalled()))(
  'ManagedTor (Debian tor on a network that does not exist)',
  () => {
    it('finds tor', () => {
      expect(torInstalled(), missingTool('tor', 'tor')).toBe(true);
    });

    let tor: ManagedTor | undefined;
    afterAll(() => tor?.stop());

    it('starts tor with a loopback SOCKS port and restarts it when it dies', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'lw-tor-'));
      const socksPort = await freePort();
      const statuses: ManagedTorStatus[] = [];
      tor = new ManagedTor({
        binary: 'tor',
        directory,
        socksPort,
        torrcLines: NOWHERE,
        logger: createLogger({ level: 'silent', format: 'json' }),
        restartDelayMs: 200,
      });
      tor.onStatus((status) => statuses.push(status));
      tor.start();
      const socks = `socks5h://127.0.0.1:${socksPort}`;
      await until('SOCKS port', async () => ((await probeSocks(socks, 500)).reachable ? true : undefined));
      const torrc = readFileSync(join(directory, 'torrc'), 'utf8');
      expect(torrc).toContain(`SocksPort 127.0.0.1:${socksPort} IsolateSOCKSAuth`);
      expect(torrc).toContain(`__OwningControllerProcess ${process.pid}`);
      await until('bootstrap progress', () => ((tor?.status().progress ?? 0) > 0 ? true : undefined));
      expect(tor.status().state).toBe('bootstrapping');
      const firstPid = tor.status().pid;
      expect(firstPid).toBeGreaterThan(0);

      process.kill(firstPid as number, 'SIGKILL');
      await until('restart', () =>
        tor?.status().restarts === 1 && tor.status().pid !== firstPid ? true : undefined,
      );
      await until('SOCKS port again', async () =>
        (await probeSocks(socks, 500)).reachable ? true : undefined,
      );
      expect(statuses.some((status) => status.state === 'restarting')).toBe(true);

      await tor.stop();
      expect(tor.status().state).toBe('stopped');
      expect((await probeSocks(socks, 500)).reachable).toBe(false);
    });
  },
);
