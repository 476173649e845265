import { type Browser, chromium, type LaunchOptions, type Page } from 'playwright-core';
import { describeError, OperatorError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { isolationCredentials } from '../tor/socks-agent.ts';
import { openSocksGate, type SocksGate } from '../tor/socks-gate.ts';
import { FetchError, PageRejectedError } from './fetch-errors.ts';
import { USER_AGENT } from './fetch-limits.ts';
import type { FetchedPage, FetchRequest } from './http-fetcher.ts';
import { checkRedirect } from './redirect-policy.ts';
import { Semaphore } from './semaphore.ts';

export interface BrowserFetcherOptions {
  executablePath: string;
  /** socks5h://host:port of Tor. Chromium only ever sees a per-context SOCKS gate in front of it (socks-gate.ts). */
  socksUrl: string;
  maxContexts: number;
  logger: Logger;
  /** The screenshot's own deadline: a page that cannot be drawn in time is still read (default 5 s). */
  screenshotTimeoutMs?: number;
  /** Screenshots are clipped to this height and to the viewport's width (default 8000 px). */
  screenshotMaxHeight?: number;
}

export interface RenderedPage extends FetchedPage {
  /** PNG of what was rendered (clipped), as evidence; absent when it could not be taken. */
  screenshot?: Buffer;
  /** What went wrong without failing the page, e.g. a screenshot that timed out. */
  warnings: string[];
}

/**
 * Flags that close what the proxy setting alone leaves open (DESIGN.md): WebRTC's non-proxied UDP, and Chromium's
 * own background traffic (component updates, sign-in, sync), which would otherwise leave outside Tor.
 */
export const CHROMIUM_PRIVACY_ARGS = [
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--component-updater=url-source=http://127.0.0.1:9/',
  '--gaia-url=http://127.0.0.1:9/',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-gpu',
  '--disable-dev-shm-usage',
];

/**
 * The features Playwright (1.65) disables by its own `--disable-features` switch. Chromium reads only the last such
 * switch, so ours must repeat them: without them Chromium queries clients2.google.com for the time and upgrades an
 * onion's http:// to https:// (both seen through the SOCKS harness). test/fetch/browser-fetcher.test.ts compares this
 * list with what Playwright passes, so an upgrade that changes it fails there.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Chromium 15x preloads the omnibox popup as WebUI (chrome://omnibox-popup.top-chrome/) in a renderer process of its
 * own for every window — that is, for every Playwright context, so for every page fetched. A headless crawler never
 * opens it. Measured with four contexts on two cores: the extra renderer cost ~125 MB RSS (~50 MB PSS) per open
 * context, and its start-up about half the time a fetch took.
 */
export const CHROMIUM_DISABLED_FEATURES = [
  ...PLAYWRIGHT_DISABLED_FEATURES,
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
];

/**
 * How Chromium is started: the system binary, with the leak-closing and memory flags, and a browser-wide SOCKS proxy
 * (BrowserFetcher gives it a gate that allows nothing; each context has its own gate).
 */
export function chromiumLaunchOptions(options: { executablePath: string; socksUrl: string }): LaunchOptions {
  const proxy = new URL(options.socksUrl);
  return {
    executablePath: options.executablePath,
    headless: true,
    proxy: { server: `socks5://${proxy.host}` },
    args: [
      ...CHROMIUM_PRIVACY_ARGS,
      `--disable-features=${CHROMIUM_DISABLED_FEATURES.join(',')}`,
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  };
}

const VIEWPORT = { width: 1366, height: 900 };
/** Connections one context may hold through its gate; Chromium uses six per host, plus refused preconnects. */
const GATE_MAX_CONNECTIONS = 64;

/** Renders JavaScript leak sites in the system Chromium through Tor, a bounded number of pages at once. */
export class BrowserFetcher {
  private browser: Promise<Browser> | undefined;
  /** The browser-wide proxy: a gate that allows nothing, so traffic outside a context's own gate fails closed. */
  private closedGate: SocksGate | undefined;
  private readonly slots: Semaphore;

  constructor(private readonly options: BrowserFetcherOptions) {
    this.slots = new Semaphore(options.maxContexts);
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      this.browser = (async () => {
        this.closedGate ??= await this.openGate('none', new Set());
        return chromium.launch(
          chromiumLaunchOptions({
            executablePath: this.options.executablePath,
            socksUrl: this.closedGate.url,
          }),
        );
      })().catch((error: Error) => {
        this.browser = undefined;
        throw new OperatorError(
          'browser.launch_failed',
          `cannot start Chromium at ${this.options.executablePath}: ${error.message.split('\n')[0]}`,
          {
            cause: error,
            hint: 'apt-get install chromium, or set LEAKWATCH_CHROMIUM_PATH',
          },
        );
      });
    }
    return this.browser;
  }

  private openGate(
    siteId: string,
    allowedHosts: ReadonlySet<string>,
    connectTimeoutMs = 60_000,
  ): Promise<SocksGate> {
    return openSocksGate({
      upstream: this.options.socksUrl,
      credentials: isolationCredentials(siteId),
      allowedHosts,
      connectTimeoutMs,
      maxConnections: GATE_MAX_CONNECTIONS,
      onRefused: (target) =>
        this.options.logger.debug({ site: siteId, host: target.host, port: target.port }, 'CONNECT refused'),
    });
  }

  async fetch(request: FetchRequest): Promise<RenderedPage> {
    checkRedirect(request.url, request.url, request.allowedHosts);
    const browser = await this.launch();
    return this.slots.run(async () => {
      // Every connection of this context leaves through its own gate: the site's hosts only, the site's circuits.
      const gate = await this.openGate(request.siteId, request.allowedHosts, request.limits.connectTimeoutMs);
      const context = await browser
        .newContext({
          userAgent: USER_AGENT,
          acceptDownloads: false,
          viewport: VIEWPORT,
          javaScriptEnabled: true,
          serviceWorkers: 'block',
          proxy: { server: gate.url },
        })
        .catch(async (error: unknown) => {
          await gate.close();
          throw error;
        });
      const started = performance.now();
      try {
        const page = await context.newPage();
        // Sub-resources and navigations may only reach the site's declared hosts.
        await page.route('**/*', (route) => {
          const host = safeHost(route.request().url());
          return host !== undefined && (request.allowedHosts.has(host) || host === '')
            ? route.continue()
            : route.abort('blockedbyclient');
        });
        const response = await page
          .goto(request.url, { waitUntil: 'domcontentloaded', timeout: request.limits.totalTimeoutMs })
          .catch((error: Error) => {
            if (gate.upstreamError) {
              throw new FetchError(
                { failure: 'tor_unavailable', url: request.url },
                `the Tor SOCKS proxy is not reachable (${gate.upstreamError.message})`,
                error,
              );
            }
            throw classifyBrowserError(error, request.url);
          });
        const firstByteMs = performance.now() - started;
        await page
          .waitForLoadState('networkidle', { timeout: Math.min(10_000, request.limits.totalTimeoutMs) })
          .catch(() => undefined);
        const finalUrl = page.url();
        checkRedirect(request.url, finalUrl, request.allowedHosts);
        const body = await page.content();
        const bytes = Buffer.byteLength(body);
        if (bytes > request.limits.maxBodyBytes) {
          throw new PageRejectedError(
            'too_large',
            finalUrl,
            `${finalUrl} rendered to more than ${request.limits.maxBodyBytes} bytes`,
          );
        }
        const warnings: string[] = [];
        const screenshot = await this.screenshot(page).catch((error: unknown) => {
          warnings.push(`screenshot failed: ${describeError(error).split('\n')[0]}`);
          return undefined;
        });
        return {
          url: finalUrl,
          status: response?.status() ?? 0,
          contentType: 'text/html',
          charset: 'utf-8',
          body,
          bytes,
          redirects: finalUrl === request.url ? [] : [finalUrl],
          timings: { firstByteMs: Math.round(firstByteMs), totalMs: Math.round(performance.now() - started) },
          ...(screenshot ? { screenshot } : {}),
          warnings,
        };
      } finally {
        await context.close().catch(() => undefined);
        await gate.close();
      }
    });
  }

  /** A PNG of the page clipped to the viewport's width and the maximum height, under its own deadline. */
  private async screenshot(page: Page): Promise<Buffer> {
    const timeoutMs = this.options.screenshotTimeoutMs ?? 5_000;
    const maxHeight = this.options.screenshotMaxHeight ?? 8_000;
    const deadline = performance.now() + timeoutMs;
    const size = await withTimeout(
      page.evaluate(
        '({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })',
      ) as Promise<{ width: number; height: number }>,
      timeoutMs,
      'measuring the page',
    );
    // A page 200 000 characters wide or tall must not turn the evidence into a picture nobody can take.
    const clip = {
      x: 0,
      y: 0,
      width: Math.max(1, Math.min(size.width || VIEWPORT.width, VIEWPORT.width)),
      height: Math.max(1, Math.min(size.height || VIEWPORT.height, maxHeight)),
    };
    return page.screenshot({
      type: 'png',
      fullPage: true,
      clip,
      timeout: Math.max(1, Math.round(deadline - performance.now())),
    });
  }

  async close(): Promise<void> {
    const browser = this.browser;
    const gate = this.closedGate;
    this.browser = undefined;
    this.closedGate = undefined;
    if (browser) await (await browser.catch(() => undefined))?.close();
    await gate?.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function safeHost(url: string): string | undefined {
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return '';
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Chromium's net errors mapped like the http engine's, so site health means the same on both engines. */
export function classifyBrowserError(error: Error, url: string): FetchError | PageRejectedError {
  const message = error.message.split('\n')[0] ?? error.message;
  if (/ERR_PROXY_CONNECTION_FAILED/.test(message)) {
    return new FetchError(
      { failure: 'tor_unavailable', url },
      `the Tor SOCKS proxy is not reachable (${message})`,
      error,
    );
  }
  if (
    /ERR_SOCKS_CONNECTION_FAILED|ERR_SOCKS_CONNECTION_HOST_UNREACHABLE|ERR_NAME_NOT_RESOLVED|ERR_ADDRESS_UNREACHABLE|ERR_CONNECTION_REFUSED|ERR_TUNNEL_CONNECTION_FAILED/.test(
      message,
    )
  ) {
    return new FetchError(
      { failure: 'unreachable', url },
      `${url} is unreachable through Tor (${message})`,
      error,
    );
  }
  if (/Timeout|ERR_TIMED_OUT/i.test(message)) {
    return new FetchError(
      { failure: 'total_timeout', url },
      `${url} did not load in time (${message})`,
      error,
    );
  }
  if (/ERR_BLOCKED_BY_CLIENT/.test(message)) {
    return new PageRejectedError('redirect_blocked', url, `${url} led to a host the site did not declare`);
  }
  return new FetchError({ failure: 'reset', url }, `${url}: ${message}`, error);
}
