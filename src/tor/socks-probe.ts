import { connect } from 'node:net';

export interface SocksProbeResult {
  reachable: boolean;
  /** What was found, in words an operator understands. */
  detail: string;
  latencyMs?: number;
}

/** Host and port of a socks5h:// URL (the schema guarantees the form). */
export function parseSocksUrl(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port) };
}

/**
 * Checks that a SOCKS5 server answers at the address: TCP connect, then the method negotiation (RFC 1928 §3).
 * It opens no circuit and resolves nothing, so it is safe to run often and leaks nothing.
 */
export function probeSocks(url: string, timeoutMs = 3000): Promise<SocksProbeResult> {
  const { host, port } = parseSocksUrl(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const finish = (result: SocksProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ reachable: false, detail: `no answer from ${host}:${port} within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => socket.write(Buffer.from([0x05, 0x02, 0x00, 0x02])));
    socket.once('data', (reply) => {
      const latencyMs = Math.round(performance.now() - started);
      if (reply[0] === 0x05 && (reply[1] === 0x00 || reply[1] === 0x02)) {
        finish({ reachable: true, detail: `SOCKS5 proxy answering at ${host}:${port}`, latencyMs });
      } else {
        finish({ reachable: false, detail: `${host}:${port} answered, but not as a SOCKS5 proxy` });
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ECONNREFUSED' ? 'connection refused (nothing listening)' : error.message;
      finish({ reachable: false, detail: `cannot reach ${host}:${port}: ${why}` });
    });
  });
}
