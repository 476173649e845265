import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface BootstrapStatus {
  progress: number;
  tag: string;
  summary: string;
}

/** Parses `NOTICE BOOTSTRAP PROGRESS=85 TAG=ap_handshake_done SUMMARY="…"` (GETINFO status/bootstrap-phase). */
export function parseBootstrapPhase(line: string): BootstrapStatus | undefined {
  const progress = /PROGRESS=(\d+)/.exec(line);
  if (!progress) return undefined;
  return {
    progress: Number(progress[1]),
    tag: /TAG=(\S+)/.exec(line)?.[1] ?? '',
    summary: /SUMMARY="([^"]*)"/.exec(line)?.[1] ?? '',
  };
}

export interface ControlAuth {
  password?: string | null;
  cookieFile?: string;
}

/**
 * Asks a Tor control port for its bootstrap phase (control-spec §3.9). Used to tell "Tor is still connecting" from
 * "Tor is broken" in doctor and /readyz.
 */
export function queryBootstrap(
  hostPort: string,
  auth: ControlAuth,
  timeoutMs = 3000,
): Promise<BootstrapStatus> {
  const [host = '127.0.0.1', port = '9051'] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) });
    let buffer = '';
    const timer = setTimeout(
      () => fail(new Error(`Tor control port ${hostPort} did not answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', (error) =>
      fail(new Error(`cannot reach Tor control port ${hostPort}: ${error.message}`)),
    );
    socket.once('connect', () => {
      let credential = '';
      if (auth.cookieFile) credential = readFileSync(auth.cookieFile).toString('hex');
      else if (auth.password) credential = `"${auth.password.replace(/["\\]/g, '\\$&')}"`;
      socket.write(`AUTHENTICATE ${credential}\r\nGETINFO status/bootstrap-phase\r\nQUIT\r\n`);
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (/^51[05] /m.test(buffer))
        return fail(new Error(`Tor control port ${hostPort} refused authentication`));
      const line = buffer
        .split('\r\n')
        .find((candidate) => candidate.startsWith('250-status/bootstrap-phase='));
      const status = line ? parseBootstrapPhase(line) : undefined;
      if (status) {
        clearTimeout(timer);
        socket.end();
        resolve(status);
      }
    });
  });
}
