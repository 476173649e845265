import { SocksProxyAgent } from 'socks-proxy-agent';

/** A site's SOCKS credentials: the same for both engines, different for every site (one circuit set per site). */
export function isolationCredentials(siteId: string): { username: string; password: string } {
  return { username: `leakwatch-${siteId}`, password: 'isolate' };
}

/**
 * SOCKS agents per site. Each site gets its own SOCKS credentials, and Tor (IsolateSOCKSAuth, on by default) puts
 * streams with different credentials on different circuits: one site cannot correlate our visits to another.
 * Only socks5h is accepted so the .onion name is sent to Tor, never looked up locally.
 */
export class SocksAgentPool {
  private readonly agents = new Map<string, SocksProxyAgent>();

  constructor(
    private readonly proxyUrl: string,
    private readonly connectTimeoutMs: number,
  ) {
    if (!proxyUrl.startsWith('socks5h://')) {
      throw new Error(`refusing ${proxyUrl}: only socks5h:// keeps name resolution inside Tor`);
    }
  }

  forSite(siteId: string): SocksProxyAgent {
    let agent = this.agents.get(siteId);
    if (!agent) {
      const url = new URL(this.proxyUrl);
      const credentials = isolationCredentials(siteId);
      url.username = encodeURIComponent(credentials.username);
      url.password = credentials.password;
      agent = new SocksProxyAgent(url, { timeout: this.connectTimeoutMs });
      this.agents.set(siteId, agent);
    }
    return agent;
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
