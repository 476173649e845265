import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../shared/logger.ts';
import { parseBootstrapPhase } from './tor-control.ts';

export type ManagedTorState = 'starting' | 'bootstrapping' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface ManagedTorStatus {
  state: ManagedTorState;
  progress: number;
  summary: string;
  pid?: number;
  restarts: number;
  lastError?: string;
}

export interface ManagedTorOptions {
  binary: string;
  /** Folder for torrc, state and logs: <dataDir>/tor. */
  directory: string;
  socksPort: number;
  torrcLines: readonly string[];
  logger: Logger;
  /** First restart delay; doubles up to a minute. */
  restartDelayMs?: number;
}

/** The torrc leakwatch gives its own tor: SOCKS on loopback only, isolation by SOCKS credentials, tied to us. */
export function managedTorrc(options: ManagedTorOptions): string {
  return [
    `DataDirectory ${join(options.directory, 'data')}`,
    `SocksPort 127.0.0.1:${options.socksPort} IsolateSOCKSAuth`,
    'SocksPolicy accept 127.0.0.1',
    'SocksPolicy reject *',
    'ControlPort 0',
    'Log notice stdout',
    'AvoidDiskWrites 1',
    // tor exits by itself if leakwatch dies, so no orphan keeps a circuit open.
    `__OwningControllerProcess ${process.pid}`,
    ...options.torrcLines,
    '',
  ].join('\n');
}

/**
 * Starts and supervises a tor process for installations where no Tor proxy runs: restarts it when it dies (with
 * back-off), and reports bootstrap progress from its log.
 */
export class ManagedTor {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(status: ManagedTorStatus) => void>();
  private current: ManagedTorStatus = { state: 'starting', progress: 0, summary: 'not started', restarts: 0 };

  constructor(private readonly options: ManagedTorOptions) {}

  status(): ManagedTorStatus {
    return { ...this.current };
  }

  onStatus(listener: (status: ManagedTorStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopping = false;
    mkdirSync(join(this.options.directory, 'data'), { recursive: true, mode: 0o700 });
    const torrc = join(this.options.directory, 'torrc');
    writeFileSync(torrc, managedTorrc(this.options), { mode: 0o600 });
    const child = spawn(this.options.binary, ['-f', torrc, '--hush'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.update({
      state: 'starting',
      progress: 0,
      summary: 'starting tor',
      ...(child.pid ? { pid: child.pid } : {}),
    });
    const log = this.options.logger;
    const onLine = (line: string) => {
      const bootstrap = /Bootstrapped (\d+)%(?: \(([^)]*)\))?: (.*)$/.exec(line);
      if (bootstrap) {
        const progress = Number(bootstrap[1]);
        const parsed = parseBootstrapPhase(
          `PROGRESS=${progress} TAG=${bootstrap[2] ?? ''} SUMMARY="${bootstrap[3] ?? ''}"`,
        );
        this.update({
          state: progress >= 100 ? 'ready' : 'bootstrapping',
          progress,
          summary: parsed?.summary ?? '',
        });
        if (progress >= 100) log.info('managed tor bootstrapped');
      } else if (/\[(warn|err)\]/.test(line)) {
        log.warn({ tor: line.replace(/^.*?\[(warn|err)\] /, '') }, 'managed tor');
        this.current.lastError = line.replace(/^.*?\] /, '');
      }
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
    child.once('error', (error) => {
      this.update({
        state: 'failed',
        summary: `cannot run ${this.options.binary}: ${error.message}`,
        lastError: error.message,
      });
    });
    child.once('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopping) {
        this.update({ state: 'stopped', summary: 'stopped' });
        return;
      }
      const delay = Math.min(
        60_000,
        (this.options.restartDelayMs ?? 1000) * 2 ** Math.min(this.current.restarts, 6),
      );
      log.warn({ code, signal, restartInMs: delay }, 'managed tor exited; restarting');
      this.update({
        state: 'restarting',
        summary: `tor exited (${signal ?? code}); restarting`,
        restarts: this.current.restarts + 1,
      });
      this.restartTimer = setTimeout(() => this.start(), delay);
      this.restartTimer.unref();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) {
      this.update({ state: 'stopped', summary: 'stopped' });
      return;
    }
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private update(patch: Partial<ManagedTorStatus>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener(this.status());
  }
}
