import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingRelays, parseConsensus } from './consensus.ts';
import { releasePorts, reserveLoopbackPorts } from './ports.ts';
import { runToCompletion, TorProcess } from './tor-process.ts';
import { type AuthorityInfo, authorityTorrc, fingerprintTorrc, serviceTorrc } from './torrc.ts';

export interface PrivateTorNetworkOptions {
  /** Port on 127.0.0.1 of the caller's HTTP server: the onion service's port 80 forwards there. */
  targetPort: number;
  /** Startup deadline; past it the start fails with the tail of every tor's log. Default 90 s. */
  timeoutMs?: number;
  /** Default `tor` / `tor-gencert` from PATH. */
  torPath?: string;
  torGencertPath?: string;
  /** Keep the temporary directory after stop() or a failed start (also with LW_TEST_KEEP_TOR_DIR=1). */
  keepDataDir?: boolean;
  /** Info-level logs for the authorities too (the service always writes one): for debugging the harness. */
  verboseLogs?: boolean;
  /** Called with one line per startup phase (for debugging a slow start). */
  onProgress?: (message: string) => void;
}

/** Milliseconds from the call of startPrivateTorNetwork to the end of each phase. */
export interface StartupTimings {
  keysMs: number;
  consensusMs: number;
  bootstrapMs: number;
  descriptorMs: number;
  totalMs: number;
  attempts: number;
}

export interface TorProcessInfo {
  name: string;
  role: 'authority' | 'service';
  pid: number | undefined;
  alive: boolean;
}

export interface PrivateTorNetwork {
  /** The onion service's name, "<56 base32 chars>.onion", read from its hs/hostname. */
  readonly onionHost: string;
  /** `http://<onionHost>/`. */
  readonly onionUrl: string;
  readonly socksPort: number;
  /** `socks5h://127.0.0.1:<socksPort>`: names are resolved by tor, never locally. */
  readonly socksUrl: string;
  /** The service tor's control port on 127.0.0.1, cookie-authenticated. */
  readonly controlPort: number;
  readonly controlCookiePath: string;
  /** The temporary directory holding every tor's data directory and logs. */
  readonly dataDir: string;
  readonly timings: StartupTimings;
  processes(): TorProcessInfo[];
  /** The tail of every tor's notice log (and console output), for failure messages. */
  logs(options?: { lines?: number }): string;
  /** Ends every tor and removes the temporary directory. Safe to call more than once. */
  stop(): Promise<void>;
}

const AUTHORITY_COUNT = 5;
const POLL_MS = 200;
const PASSPHRASE = 'leakwatch-private-tor-network\n';
/** Upload results of the service after the first 200 that are still awaited before calling it ready. */
const UPLOAD_SETTLE_MS = 3000;

class PortCollision extends Error {}

export async function startPrivateTorNetwork(options: PrivateTorNetworkOptions): Promise<PrivateTorNetwork> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 90_000;
  const deadline = started + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, { started, deadline, timeoutMs, attempt });
    } catch (error) {
      // A port found free was taken before tor bound it: start over with new ports while time remains.
      if (error instanceof PortCollision && attempt < 3 && Date.now() < deadline - 20_000) {
        options.onProgress?.(`port collision, retrying: ${error.message.split('\n')[0]}`);
        continue;
      }
      throw error;
    }
  }
}

interface Attempt {
  started: number;
  deadline: number;
  timeoutMs: number;
  attempt: number;
}

async function startOnce(options: PrivateTorNetworkOptions, run: Attempt): Promise<PrivateTorNetwork> {
  const torPath = options.torPath ?? 'tor';
  const gencertPath = options.torGencertPath ?? 'tor-gencert';
  const keep = options.keepDataDir ?? process.env.LW_TEST_KEEP_TOR_DIR === '1';
  const progress = (message: string) =>
    options.onProgress?.(`[tor-network +${Date.now() - run.started} ms] ${message}`);

  removeStaleDirectories();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`);
  const ports = await reserveLoopbackPorts(AUTHORITY_COUNT * 2 + 2);
  const tors: TorProcess[] = [];
  const network = new RunningNetwork(dir, tors, ports, keep);
  live.add(network);
  ensureExitHook();

  try {
    const missingFile = join(dir, 'no-such-geoip-file');
    const defaultsTorrc = join(dir, 'torrc-defaults');
    await writeFile(defaultsTorrc, '');

    // 1. Keys: authority identity + signing keys and certificate (tor-gencert), relay keys (--list-fingerprint).
    const authorities = await Promise.all(
      Array.from({ length: AUTHORITY_COUNT }, (_, i) =>
        createAuthorityKeys({
          dataDir: join(dir, `auth${i}`),
          nickname: `lwauth${i}`,
          orPort: ports[i * 2] as number,
          dirPort: ports[i * 2 + 1] as number,
          torPath,
          gencertPath,
          defaultsTorrc,
          timeoutMs: Math.max(run.deadline - Date.now(), 1000),
        }),
      ),
    );
    const keysMs = Date.now() - run.started;
    progress('keys created');

    // 2. Authorities (which are the relays too). The first vote is placed a moment after they all start, so the
    // first consensus already lists every relay.
    const votingStartOffset = firstVoteOffset(Date.now());
    for (const [i, self] of authorities.entries()) {
      const dataDir = join(dir, `auth${i}`);
      const torrcPath = join(dataDir, 'torrc');
      await writeFile(
        torrcPath,
        authorityTorrc({
          dataDir,
          missingFile,
          authorities,
          ownerPid: process.pid,
          self,
          votingStartOffset,
          infoLog: options.verboseLogs ?? false,
        }),
      );
      tors.push(
        TorProcess.start({
          name: self.nickname,
          torPath,
          torrcPath,
          defaultsTorrcPath: defaultsTorrc,
          dataDir,
        }),
      );
    }
    progress(`authorities started (TestingV3AuthVotingStartOffset ${votingStartOffset})`);

    const nicknames = authorities.map((a) => a.nickname);
    const seen = new Set<string>();
    await waitUntil(
      'a consensus at every authority that lists every relay as Running, Valid, HSDir, Guard',
      run,
      tors,
      () =>
        tors.every((tor) => {
          const text = tor.readDataFile('cached-microdesc-consensus');
          if (text === '') return false;
          const consensus = parseConsensus(text);
          const missing = missingRelays(consensus, nicknames);
          const note = `${tor.name} has consensus ${consensus.validAfter}: ${consensus.relays.length} relays, incomplete: [${missing.join(' ')}]`;
          if (!seen.has(note)) {
            seen.add(note);
            progress(note);
          }
          return missing.length === 0;
        }),
    );
    const consensusMs = Date.now() - run.started;
    progress('consensus lists every relay');

    // 3. The onion service + SOCKS client.
    const [socksPort, controlPort] = ports.slice(AUTHORITY_COUNT * 2) as [number, number];
    const serviceDir = join(dir, 'service');
    const hiddenServiceDir = join(serviceDir, 'hs');
    await mkdir(serviceDir, { mode: 0o700 });
    const serviceTorrcPath = join(serviceDir, 'torrc');
    await writeFile(
      serviceTorrcPath,
      serviceTorrc({
        dataDir: serviceDir,
        missingFile,
        authorities,
        ownerPid: process.pid,
        socksPort,
        controlPort,
        hiddenServiceDir,
        targetPort: options.targetPort,
      }),
    );
    const service = TorProcess.start({
      name: 'service',
      torPath,
      torrcPath: serviceTorrcPath,
      defaultsTorrcPath: defaultsTorrc,
      dataDir: serviceDir,
    });
    tors.push(service);
    network.service = service;

    await waitUntil('the service tor to bootstrap (Bootstrapped 100%)', run, tors, () =>
      service.readLog().includes('Bootstrapped 100%'),
    );
    const bootstrapMs = Date.now() - run.started;
    progress('service bootstrapped');

    // 4. Never ready before a descriptor upload finished with 200: a client that gets a 404 from an HSDir does
    // not ask that HSDir again for 15 minutes. After the first 200, wait briefly for the other uploads of the
    // round so that no responsible HSDir is still without the descriptor.
    let firstOkAt: number | undefined;
    await waitUntil('the onion service descriptor upload to finish with status 200', run, tors, () => {
      const uploads = uploadProgress(service.readDataFile('info.log'));
      if (uploads.ok === 0) return false;
      firstOkAt ??= Date.now();
      return uploads.ok + uploads.failed >= uploads.launched || Date.now() - firstOkAt > UPLOAD_SETTLE_MS;
    });
    const descriptorMs = Date.now() - run.started;
    const uploads = uploadProgress(service.readDataFile('info.log'));
    progress(`descriptor uploaded (${uploads.ok} of ${uploads.launched} uploads answered 200)`);

    const onionHost = (await readFile(join(hiddenServiceDir, 'hostname'), 'utf8')).trim();
    if (!/^[a-z2-7]{56}\.onion$/.test(onionHost)) throw new Error(`unexpected onion hostname "${onionHost}"`);

    const timings: StartupTimings = {
      keysMs,
      consensusMs,
      bootstrapMs,
      descriptorMs,
      totalMs: Date.now() - run.started,
      attempts: run.attempt,
    };
    return {
      onionHost,
      onionUrl: `http://${onionHost}/`,
      socksPort,
      socksUrl: `socks5h://127.0.0.1:${socksPort}`,
      controlPort,
      controlCookiePath: join(serviceDir, 'control_auth_cookie'),
      dataDir: dir,
      timings,
      processes: () =>
        tors.map((tor) => ({
          name: tor.name,
          role: tor === service ? 'service' : 'authority',
          pid: tor.pid,
          alive: tor.alive,
        })),
      logs: (logOptions) => network.logs(logOptions?.lines),
      stop: () => network.stop(),
    };
  } catch (error) {
    const tails = network.logs();
    await network.stop();
    if (error instanceof PortCollision) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof StartupError) throw new Error(message);
    throw new Error(`${message}\n${tails}`, { cause: error });
  }
}

class StartupError extends Error {}

/** Polls `ready` until it holds; fails at the deadline, or at once when a tor exits. */
async function waitUntil(
  what: string,
  run: Attempt,
  tors: TorProcess[],
  ready: () => boolean,
): Promise<void> {
  for (;;) {
    const dead = tors.find((tor) => !tor.alive);
    if (dead) {
      await sleep(100); // let the exit's last output arrive
      const tails = tors.map((tor) => tor.tail()).join('\n');
      const text = `${dead.consoleOutput()}\n${dead.readLog()}`;
      const why = `private Tor network: ${dead.name} exited while waiting for ${what}`;
      if (/Could not bind|Address already in use|Failed to parse\/validate config.*port/i.test(text)) {
        throw new PortCollision(`${why}\n${tails}`);
      }
      throw new StartupError(`${why}\n${tails}`);
    }
    if (ready()) return;
    if (Date.now() > run.deadline) {
      const tails = tors.map((tor) => tor.tail()).join('\n');
      throw new StartupError(
        `private Tor network not ready after ${Math.round(run.timeoutMs / 1000)} s: still waiting for ${what}\n${tails}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** Counts of the service's descriptor uploads in its info log. */
export function uploadProgress(infoLog: string): { launched: number; ok: number; failed: number } {
  let launched = 0;
  let ok = 0;
  let failed = 0;
  for (const line of infoLog.split('\n')) {
    if (line.includes('initiated upload request to')) launched++;
    else if (line.includes('Uploading hidden service descriptor: finished with status 200')) ok++;
    else if (
      /Uploading hidden service descriptor: http status \d+|upload.*hidden service descriptor.*failed/i.test(
        line,
      )
    )
      failed++;
  }
  return { launched, ok, failed };
}

/**
 * TestingV3AuthVotingStartOffset for authorities launched now, so the first consensus already lists every relay.
 *
 * An authority plans its first vote when its voting timer first runs, about 1.5-2.5 s after launch, just as it
 * uploads its own descriptor to the others. Before any consensus, the interval is 5 s and (because 2 + 2 s is more
 * than half of it) the vote and distribution delays are cut to 1 s each: it votes 2 s before the next interval
 * start, or at once if that is nearer. Putting the first interval start 5-6 s after launch makes the vote come
 * 3-4 s after launch, when every authority has uploaded its descriptor; an immediate vote at planning time would
 * list only the authority itself. (Interval starts are offset + multiples of 5 s since midnight UTC.)
 */
export function firstVoteOffset(nowMs: number): number {
  const firstIntervalStart = Math.ceil(nowMs / 1000) + 5;
  return firstIntervalStart % 5;
}

async function createAuthorityKeys(options: {
  dataDir: string;
  nickname: string;
  orPort: number;
  dirPort: number;
  torPath: string;
  gencertPath: string;
  defaultsTorrc: string;
  /** Kill tor-gencert / tor if they run past this (the startup deadline). */
  timeoutMs: number;
}): Promise<AuthorityInfo> {
  const keysDir = join(options.dataDir, 'keys');
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await runToCompletion(
    options.gencertPath,
    [
      '--create-identity-key',
      '-m',
      '12',
      '-a',
      `127.0.0.1:${options.dirPort}`,
      '-i',
      join(keysDir, 'authority_identity_key'),
      '-s',
      join(keysDir, 'authority_signing_key'),
      '-c',
      join(keysDir, 'authority_certificate'),
      '--passphrase-fd',
      '0',
    ],
    { input: PASSPHRASE, cwd: keysDir, timeoutMs: options.timeoutMs },
  );
  const certificate = await readFile(join(keysDir, 'authority_certificate'), 'utf8');
  const v3Ident = /^fingerprint ([0-9A-F]{40})$/m.exec(certificate)?.[1];
  if (!v3Ident) throw new Error(`no fingerprint in ${join(keysDir, 'authority_certificate')}`);

  const torrcPath = join(options.dataDir, 'torrc-fingerprint');
  await writeFile(torrcPath, fingerprintTorrc(options));
  await runToCompletion(
    options.torPath,
    ['--hush', '--defaults-torrc', options.defaultsTorrc, '-f', torrcPath, '--list-fingerprint'],
    { timeoutMs: options.timeoutMs },
  );
  const fingerprintLine = await readFile(join(options.dataDir, 'fingerprint'), 'utf8');
  // "<nickname> <fingerprint in groups of four>"
  const fingerprint = /^\S+ ((?:[0-9A-F]{4} ?){10})$/m.exec(fingerprintLine.trim())?.[1]?.replace(/ /g, '');
  if (!fingerprint) throw new Error(`no fingerprint in ${join(options.dataDir, 'fingerprint')}`);
  return {
    nickname: options.nickname,
    orPort: options.orPort,
    dirPort: options.dirPort,
    v3Ident,
    fingerprint,
  };
}

const DIR_PREFIX = 'leakwatch-tor-';
const OWNER_FILE = 'owner-pid';

/**
 * Removes the directories of networks whose harness process died without cleaning up (killed by a signal: its
 * tors exit by themselves through __OwningControllerProcess, but the directory stays).
 */
function removeStaleDirectories(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((name) => name.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8').trim());
      if (!Number.isInteger(owner) || owner <= 0 || processAlive(owner)) continue;
      if (Date.now() - statSync(dir).mtimeMs < 60_000) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or already gone
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The networks of this process that are not stopped yet: killed (and removed) if the process exits. */
const live = new Set<RunningNetwork>();
let exitHookInstalled = false;

function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const network of live) network.killNowSync();
  });
}

class RunningNetwork {
  service: TorProcess | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly tors: TorProcess[],
    private readonly ports: number[],
    private readonly keep: boolean,
  ) {}

  logs(lines = 25): string {
    return this.tors.map((tor) => tor.tail(lines)).join('\n');
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.tors.map((tor) => tor.stop()));
      if (!this.keep) rmSync(this.dir, { recursive: true, force: true });
      releasePorts(this.ports);
      live.delete(this);
    })();
    return this.stopping;
  }

  killNowSync(): void {
    for (const tor of this.tors) tor.killNow();
    if (!this.keep) rmSync(this.dir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
