import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Linux only: does process `pid` hold the IPv4 TCP socket 127.0.0.1:`localPort` → 127.0.0.1:`remotePort`?
 * A test server calls it (synchronously, while the connection is open) with the peer port of an incoming request
 * to prove that the request came from a given tor process and not from anything else on the machine.
 * Returns undefined where /proc cannot tell (not Linux, no permission).
 */
export function processOwnsLoopbackSocket(
  pid: number,
  localPort: number,
  remotePort: number,
): boolean | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return undefined;
  }
  const local = `0100007F:${hexPort(localPort)}`;
  const remote = `0100007F:${hexPort(remotePort)}`;
  let inode: string | undefined;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[2] === remote) inode = fields[9];
  }
  if (!inode) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const target = `socket:[${inode}]`;
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}

/** Resident memory of the processes in bytes (VmRSS), summed; undefined where /proc cannot tell. */
export function residentMemoryBytes(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    try {
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb === undefined) return undefined;
      total += Number(kb) * 1024;
    } catch {
      return undefined;
    }
  }
  return total;
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}
