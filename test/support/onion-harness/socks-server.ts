import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * A SOCKS5 server on loopback that plays Tor for tests: it answers CONNECT requests for the .onion names it serves by
 * handing the connection to an in-process HTTP handler, refuses everything else, and records what each client asked
 * for — so tests can prove the hostname was sent to the proxy (remote DNS) and not resolved locally.
 */
export interface SocksRequestRecord {
  /** The destination as the client sent it: a host name (ATYP 3) or an IP address (ATYP 1/4: a local lookup!). */
  host: string;
  addressType: 'domain' | 'ipv4' | 'ipv6';
  port: number;
  /** RFC 1929 user name, used by the crawler for per-site circuit isolation. */
  username?: string;
  outcome: 'connected' | 'unreachable' | 'refused' | 'reset' | 'stalled';
}

export interface HostFaults {
  /** Delay before the SOCKS reply (circuit building). */
  latencyMs?: number;
  /** Answer "host unreachable" (a dead onion service). */
  dead?: boolean;
  /** Accept, then drop the connection without an HTTP answer. */
  reset?: boolean;
  /** Accept, then never answer. */
  stall?: boolean;
}

export interface SocksServerOptions {
  /** HTTP handler per onion host name (lower case). */
  sites: Map<string, RequestListener>;
  faults?: Map<string, HostFaults>;
  /** The address to listen on (default 127.0.0.1), e.g. a veth address a network namespace can reach. */
  listenHost?: string;
}

export interface SocksServer {
  url: string;
  port: number;
  requests: SocksRequestRecord[];
  sites: Map<string, RequestListener>;
  faults: Map<string, HostFaults>;
  /** Simulates Tor going down (connections refused) and coming back. */
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

const REPLY = {
  succeeded: 0x00,
  notAllowed: 0x02,
  hostUnreachable: 0x04,
  commandNotSupported: 0x07,
} as const;

function reply(socket: Socket, code: number): void {
  socket.write(Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
}

/** Reads exactly n bytes from a paused socket. */
function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tryRead = () => {
      const chunk = socket.read(n) as Buffer | null;
      if (chunk) {
        socket.off('readable', tryRead);
        socket.off('close', onClose);
        resolve(chunk);
      }
    };
    const onClose = () => reject(new Error('closed'));
    socket.on('readable', tryRead);
    socket.once('close', onClose);
    tryRead();
  });
}

async function negotiate(socket: Socket): Promise<{
  host: string;
  addressType: SocksRequestRecord['addressType'];
  port: number;
  username?: string;
}> {
  const [version, methodCount] = await readBytes(socket, 2);
  if (version !== 0x05) throw new Error('not SOCKS5');
  const methods = await readBytes(socket, methodCount ?? 0);
  let username: string | undefined;
  if (methods.includes(0x02)) {
    socket.write(Buffer.from([0x05, 0x02]));
    const [, userLength] = await readBytes(socket, 2);
    username = (await readBytes(socket, userLength ?? 0)).toString();
    const [passwordLength] = await readBytes(socket, 1);
    if (passwordLength) await readBytes(socket, passwordLength);
    socket.write(Buffer.from([0x01, 0x00]));
  } else {
    socket.write(Buffer.from([0x05, 0x00]));
  }
  const [, command, , addressType] = await readBytes(socket, 4);
  let host: string;
  let type: SocksRequestRecord['addressType'];
  if (addressType === 0x03) {
    const [length] = await readBytes(socket, 1);
    host = (await readBytes(socket, length ?? 0)).toString().toLowerCase();
    type = 'domain';
  } else if (addressType === 0x01) {
    host = [...(await readBytes(socket, 4))].join('.');
    type = 'ipv4';
  } else {
    host = (await readBytes(socket, 16)).toString('hex');
    type = 'ipv6';
  }
  const port = (await readBytes(socket, 2)).readUInt16BE(0);
  if (command !== 0x01) {
    reply(socket, REPLY.commandNotSupported);
    throw new Error('only CONNECT');
  }
  return { host, addressType: type, port, ...(username === undefined ? {} : { username }) };
}

export async function startSocksServer(options: SocksServerOptions): Promise<SocksServer> {
  const sites = options.sites;
  const faults = options.faults ?? new Map<string, HostFaults>();
  const listenHost = options.listenHost ?? '127.0.0.1';
  const requests: SocksRequestRecord[] = [];
  const httpServers = new Map<RequestListener, ReturnType<typeof createHttpServer>>();
  const sockets = new Set<Socket>();

  const handle = async (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pause();
    let target: Awaited<ReturnType<typeof negotiate>>;
    try {
      target = await negotiate(socket);
    } catch {
      socket.destroy();
      return;
    }
    const record: SocksRequestRecord = { ...target, outcome: 'connected' };
    requests.push(record);
    const fault = faults.get(target.host) ?? {};
    if (fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    const site = sites.get(target.host);
    if (!target.host.endsWith('.onion') || target.addressType !== 'domain') {
      record.outcome = 'refused';
      reply(socket, REPLY.notAllowed);
      socket.end();
      return;
    }
    if (!site || fault.dead) {
      record.outcome = 'unreachable';
      reply(socket, REPLY.hostUnreachable);
      socket.end();
      return;
    }
    reply(socket, REPLY.succeeded);
    if (fault.reset) {
      record.outcome = 'reset';
      socket.resetAndDestroy();
      return;
    }
    if (fault.stall) {
      record.outcome = 'stalled';
      return;
    }
    let http = httpServers.get(site);
    if (!http) {
      http = createHttpServer(site);
      httpServers.set(site, http);
    }
    http.emit('connection', socket);
    socket.resume();
  };

  let server: Server = createServer((socket) => void handle(socket));
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, listenHost, () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    url: `socks5h://${listenHost}:${port}`,
    port,
    requests,
    sites,
    faults,
    setDown: async (down) => {
      if (down) await close();
      else {
        server = createServer((socket) => void handle(socket));
        await listen(port);
      }
    },
    stop: close,
  };
}
