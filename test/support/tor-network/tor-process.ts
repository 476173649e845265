import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUT_LIMIT = 64 * 1024;

/** Warnings every node of a private test network prints at startup: left out of failure messages. */
const BENIGN_WARNINGS = [
  /You have used DirAuthority or AlternateDirAuthority/,
  /TestingTorNetwork is set/,
  /V3AuthVotingInterval is very low/,
  /You are running Tor as root/,
];

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One running tor. Its notice log goes to `<dataDir>/notice.log`; what it prints before that file is open (with
 * `--hush`: warnings and errors such as a port that cannot be bound) is kept from stdout/stderr.
 */
export class TorProcess {
  private output = '';
  private exitInfo: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;

  private constructor(
    readonly name: string,
    readonly dataDir: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        this.output += `\n[spawn error] ${error.message}`;
        this.exitInfo ??= { code: null, signal: null };
        resolve(this.exitInfo);
      });
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static start(options: {
    name: string;
    torPath: string;
    torrcPath: string;
    defaultsTorrcPath: string;
    dataDir: string;
  }): TorProcess {
    // --hush, not --quiet: tor binds its ports before it opens the log files, so a collision would otherwise be
    // reported nowhere. --defaults-torrc keeps /etc/tor/torrc-defaults (and anything else on the host) out.
    const child = spawn(
      options.torPath,
      ['--hush', '--defaults-torrc', options.defaultsTorrcPath, '-f', options.torrcPath],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new TorProcess(options.name, options.dataDir, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined && this.child.pid !== undefined;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** What tor printed to stdout/stderr (only warnings and errors, and only until its log files opened). */
  consoleOutput(): string {
    return this.output;
  }

  /** The notice log, '' while it does not exist. */
  readLog(): string {
    return this.readDataFile('notice.log');
  }

  /** A file in this tor's data directory (a log, a cached consensus), '' while it does not exist. */
  readDataFile(name: string): string {
    try {
      return readFileSync(join(this.dataDir, name), 'utf8');
    } catch {
      return '';
    }
  }

  /** The last lines of the notice log, the console output and the exit status, for error messages. */
  tail(lines = 25): string {
    const log = lastLines(this.readLog(), lines);
    const consoleText = lastLines(
      this.output
        .split('\n')
        .filter((line) => !BENIGN_WARNINGS.some((pattern) => pattern.test(line)))
        .join('\n'),
      10,
    );
    const state = this.exitInfo
      ? `exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal})`
      : `running (pid ${this.pid})`;
    const parts = [
      `--- ${this.name}: ${state}, ${join(this.dataDir, 'notice.log')} ---`,
      log || '(empty log)',
    ];
    // The onion service's progress (intro points, descriptor uploads) is only in its info log.
    const onionLines = this.readDataFile('info.log')
      .split('\n')
      .filter((line) => /hs_|rend|descriptor|intro/i.test(line));
    if (onionLines.length > 0)
      parts.push(`--- ${this.name}: onion service lines of info.log ---`, onionLines.slice(-10).join('\n'));
    if (consoleText) parts.push(`--- ${this.name}: console ---`, consoleText);
    return parts.join('\n');
  }

  /** Ends tor: SIGTERM (it exits at once with ShutdownWaitLength 0), SIGKILL if it is still there after 5 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  /** For the process-exit hook: synchronous, no waiting. */
  killNow(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

export function lastLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-count).join('\n');
}

/** Runs a short command to completion; rejects with its output when it fails. */
export function runToCompletion(
  command: string,
  args: string[],
  options: { input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} failed (code ${code}, signal ${signal}):\n${lastLines(stderr || stdout, 20)}`,
          ),
        );
    });
    child.stdin.end(options.input ?? '');
  });
}
