import { generateKeyPairSync } from 'node:crypto';
import { onionAddressFor } from '../../../src/tor/onion-address.ts';
import type { FixtureSite } from './fixture-site.ts';
import { type HostFaults, type SocksServer, startSocksServer } from './socks-server.ts';

export * from './fixture-site.ts';
export type { HostFaults, SocksRequestRecord, SocksServer } from './socks-server.ts';

/** A fresh, valid v3 onion host name (random key), for fixture sites. */
export function randomOnionHost(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  return onionAddressFor(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
}

export interface OnionHarness extends SocksServer {
  /** Serves a fixture site under a new onion host; returns the host. */
  serve(site: FixtureSite, host?: string, faults?: HostFaults): string;
}

/**
 * The local onion harness: a SOCKS5 server on loopback (or on `listenHost`) serving fixture leak sites as .onion hosts.
 */
export async function startOnionHarness(options: { listenHost?: string } = {}): Promise<OnionHarness> {
  const server = await startSocksServer({ sites: new Map(), ...options });
  return Object.assign(server, {
    serve(site: FixtureSite, host = randomOnionHost(), faults?: HostFaults) {
      server.sites.set(host, site.handler);
      if (faults) server.faults.set(host, faults);
      return host;
    },
  });
}
