import type { Logger } from '../shared/logger.ts';
import type { ManagedTor, ManagedTorStatus } from './managed-tor.ts';
import { probeSocks } from './socks-probe.ts';

export interface TorStatus {
  state: 'unknown' | 'reachable' | 'unreachable';
  socks: string;
  detail: string;
  checkedAt: Date | null;
  /** Present when leakwatch runs its own tor: its bootstrap progress and restarts. */
  managed?: ManagedTorStatus;
}

/**
 * Keeps a recent view of Tor's reachability so health endpoints and crawl jobs can tell "Tor is down" from
 * "the site is down" without probing on every request. Changes of state are logged once, not on every probe.
 */
export class TorStatusMonitor {
  private status: TorStatus;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socksUrl: string,
    private readonly logger: Logger,
    private readonly intervalMs = 30_000,
    private readonly managed?: ManagedTor,
  ) {
    this.status = { state: 'unknown', socks: socksUrl, detail: 'not checked yet', checkedAt: null };
  }

  current(): TorStatus {
    return this.managed ? { ...this.status, managed: this.managed.status() } : this.status;
  }

  async check(): Promise<TorStatus> {
    const probe = await probeSocks(this.socksUrl);
    const state = probe.reachable ? 'reachable' : 'unreachable';
    if (state !== this.status.state) {
      if (probe.reachable) this.logger.info({ socks: this.socksUrl }, 'Tor SOCKS proxy reachable');
      else if (this.managed)
        this.logger.info(
          { socks: this.socksUrl, bootstrap: this.managed.status().progress },
          'managed tor not ready yet',
        );
      else
        this.logger.warn(
          { socks: this.socksUrl, detail: probe.detail },
          'Tor SOCKS proxy not reachable: crawls are recorded as tor_unavailable until it is (install tor, or set LEAKWATCH_TOR_SOCKS); `leakwatch doctor` explains',
        );
    }
    this.status = { state, socks: this.socksUrl, detail: probe.detail, checkedAt: new Date() };
    return this.status;
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
