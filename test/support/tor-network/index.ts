/**
 * A private Tor network on loopback for tests: five directory authorities that are also the relays, and one tor
 * that is both an onion service (forwarding to the caller's HTTP server) and the SOCKS client. See network.ts.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export {
  type PrivateTorNetwork,
  type PrivateTorNetworkOptions,
  type StartupTimings,
  startPrivateTorNetwork,
  type TorProcessInfo,
} from './network.ts';
export { processOwnsLoopbackSocket, residentMemoryBytes } from './socket-owner.ts';

/** Whether an executable `name` is on PATH (no process is started). */
export function isOnPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
