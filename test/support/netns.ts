import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CapturedPacket, parsePcap } from './pcap.ts';

/**
 * A network namespace for leak checks: loopback up, one veth pair to the host's namespace on a private /30, no default
 * route — from inside, only the host end of the veth can be reached. Names and the /30 are unique per run, so runs in
 * parallel do not meet; nothing of the host is changed beyond the new veth end (and its connected /30 route), which
 * goes away with the namespace.
 */
export interface LeakNamespace {
  name: string;
  /** The veth end inside the namespace, and its address. */
  innerInterface: string;
  innerAddress: string;
  /** The veth end in the host's namespace, and its address: where a server for the namespace listens. */
  outerInterface: string;
  outerAddress: string;
  /** Deletes the namespace (and with it the veth pair) and its /etc/netns files. Safe to call twice. */
  destroy(): void;
}

/** What a leak check needs on this machine; undefined when all is there, otherwise why it cannot run. */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  if (!onPath('ip')) return '`ip` (iproute2) not found';
  if (!onPath('tcpdump')) return 'tcpdump not found: apt-get install tcpdump (.ci/run does)';
  return undefined;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .some((dir) => dir !== '' && existsSync(join(dir, tool)));
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A 10.200.x.y/30 that no interface of the host's namespace uses yet. */
function freeSubnet(): { outer: string; inner: string } {
  const used = ip('-o', '-4', 'addr', 'show') + ip('-4', 'route', 'show', 'table', 'all');
  for (let attempt = 0; attempt < 64; attempt++) {
    const third = randomBytes(1)[0] ?? 0;
    const fourth = ((randomBytes(1)[0] ?? 0) & 0xfc) % 252;
    const base = `10.200.${third}.`;
    const candidates = [0, 1, 2, 3].map((n) => `${base}${fourth + n}`);
    if (candidates.some((address) => new RegExp(`\\b${address.replaceAll('.', '\\.')}\\b`).test(used)))
      continue;
    return { outer: `${base}${fourth + 1}`, inner: `${base}${fourth + 2}` };
  }
  throw new Error('no free 10.200.x.y/30 found');
}

/**
 * Creates the namespace. Its resolv.conf (through `ip netns exec`'s /etc/netns/<name>/ bind mounts) names the host
 * end of the veth as the DNS server and nsswitch.conf asks only files and DNS: any local lookup of a name becomes a
 * UDP packet on the veth that the capture sees, instead of an error that leaves no trace (or a query answered by a
 * resolver outside the namespace). Nothing listens there, so nothing is answered, nor forwarded anywhere.
 */
export function createLeakNamespace(): LeakNamespace {
  const id = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`.slice(-8);
  const name = `lwleak-${id}`;
  const outerInterface = `lwo${id}`.slice(0, 15);
  const innerInterface = `lwi${id}`.slice(0, 15);
  const etcDir = join('/etc/netns', name);
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    for (const args of [
      ['netns', 'delete', name],
      ['link', 'delete', outerInterface],
    ]) {
      try {
        ip(...args);
      } catch {
        // already gone
      }
    }
    rmSync(etcDir, { recursive: true, force: true });
  };
  try {
    const { outer, inner } = freeSubnet();
    ip('netns', 'add', name);
    mkdirSync(etcDir, { recursive: true });
    writeFileSync(join(etcDir, 'resolv.conf'), `nameserver ${outer}\noptions timeout:1 attempts:1\n`);
    writeFileSync(join(etcDir, 'nsswitch.conf'), 'hosts: files dns\n');
    writeFileSync(join(etcDir, 'hosts'), '127.0.0.1 localhost\n');
    const inNs = (...args: string[]) => ip('netns', 'exec', name, ...args);
    inNs('sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1');
    inNs('sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1');
    ip('link', 'add', outerInterface, 'type', 'veth', 'peer', 'name', innerInterface, 'netns', name);
    // No IPv6 on either end: no link-local chatter (router solicitations, MLD), and no IPv6 path to try.
    writeFileSync(`/proc/sys/net/ipv6/conf/${outerInterface}/disable_ipv6`, '1');
    ip('addr', 'add', `${outer}/30`, 'dev', outerInterface);
    ip('link', 'set', outerInterface, 'up');
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('ip', 'addr', 'add', `${inner}/30`, 'dev', innerInterface);
    inNs('ip', 'link', 'set', innerInterface, 'up');
    return {
      name,
      innerInterface,
      innerAddress: inner,
      outerInterface,
      outerAddress: outer,
      destroy,
    };
  } catch (error) {
    destroy();
    throw error;
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/**
 * Runs a command inside the namespace, in a process group of its own (so Chromium and other children can be ended
 * with it); killed after `timeoutMs`, which only stops a hung run.
 */
export function runInNamespace(
  ns: LeakNamespace,
  command: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns.name, ...command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs} ms]`;
      killGroup(child, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      // Whatever the command left behind in its group (a Chromium helper) goes with it.
      killGroup(child, 'SIGKILL');
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

/** Ends every process runInNamespace or startCapture started that is still running (for afterAll). */
export function killNamespaceProcesses(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
}

export interface Capture {
  interface: string;
  /** Stops tcpdump (it flushes on SIGINT) and returns every packet it captured. */
  stop(): Promise<CapturedPacket[]>;
}

/**
 * Starts tcpdump on an interface inside the namespace, writing pcap to its standard output (no file, so no privilege
 * drop or file permission matters); resolves once tcpdump says it is listening, so no packet of what follows is missed.
 */
export function startCapture(ns: LeakNamespace, iface: string, timeoutMs = 30_000): Promise<Capture> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns.name,
        'tcpdump',
        '-i',
        iface,
        '-n',
        '--immediate-mode',
        '-U',
        '-s',
        '256',
        '-w',
        '-',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    running.add(child);
    const chunks: Buffer[] = [];
    let stderr = '';
    let listening = false;
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`tcpdump on ${iface} did not start listening within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      running.delete(child);
      if (!listening) {
        clearTimeout(timer);
        reject(new Error(`tcpdump on ${iface} exited with ${code}: ${stderr}`));
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!listening && /listening on/.test(stderr)) {
        listening = true;
        clearTimeout(timer);
        resolve({
          interface: iface,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
            const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
            await closed;
            clearTimeout(killer);
            return parsePcap(Buffer.concat(chunks));
          },
        });
      }
    });
  });
}
