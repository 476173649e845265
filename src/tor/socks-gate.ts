import { createConnection, createServer, type Socket } from 'node:net';
import { OperatorError } from '../shared/errors.ts';

/**
 * A SOCKS5 proxy on loopback between Chromium and Tor. Chromium's own proxy settings do not stop preconnects to hosts
 * a hostile page names, and it cannot send SOCKS credentials: the gate forwards only CONNECTs to the site's declared
 * hosts, adds the site's isolation credentials (Tor's IsolateSOCKSAuth), and refuses every other CONNECT before it
 * leaves the machine. One gate per browser context.
 */
export interface SocksGateOptions {
  /** Tor's SOCKS port as socks5h://host:port. */
  upstream: string;
  /** RFC 1929 user name and password sent to Tor; streams with other credentials get other circuits. */
  credentials: { username: string; password: string };
  /** Host names (as URL.hostname gives them) a CONNECT may name; nothing else is forwarded. */
  allowedHosts: ReadonlySet<string>;
  /** Tor's answer to a CONNECT, circuit to the onion service included. */
  connectTimeoutMs: number;
  /** Connections open at once through this gate; more are dropped. */
  maxConnections: number;
  /** Told of every CONNECT refused: the page tried to reach a host the site did not declare. */
  onRefused?: (target: { host: string; port: number; reason: string }) => void;
}

export interface SocksGate {
  /** socks5://127.0.0.1:port, for Chromium. */
  url: string;
  port: number;
  /** Set when Tor's SOCKS port itself could not be reached (not the onion service): Tor is down. */
  readonly upstreamError: Error | undefined;
  close(): Promise<void>;
}

const REPLY = {
  succeeded: 0x00,
  failure: 0x01,
  notAllowed: 0x02,
  hostUnreachable: 0x04,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressNotSupported: 0x08,
} as const;

/** The client must finish its SOCKS handshake within this; a loopback client that stalls holds nothing. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
const MAX_HANDSHAKE_BYTES = 64 * 1024;

export async function openSocksGate(options: SocksGateOptions): Promise<SocksGate> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'socks5h:') {
    throw new OperatorError(
      'tor.socks_url_invalid',
      `refusing ${options.upstream}: only socks5h:// keeps name resolution inside Tor`,
      { hint: 'set LEAKWATCH_TOR_SOCKS to socks5h://host:port' },
    );
  }
  const upstreamHost = upstream.hostname.replace(/^\[|\]$/g, '');
  const upstreamPort = Number(upstream.port || 1080);
  const sockets = new Set<Socket>();
  let upstreamError: Error | undefined;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  const handle = async (client: Socket) => {
    track(client);
    if (!isLoopback(client.remoteAddress)) {
      client.destroy();
      return;
    }
    const reader = new ByteReader(client);
    const handshakeTimer = setTimeout(() => client.destroy(), HANDSHAKE_TIMEOUT_MS);
    let target: { host: string; port: number } | undefined;
    try {
      target = await readConnect(client, reader);
    } catch {
      client.destroy();
      return;
    } finally {
      clearTimeout(handshakeTimer);
    }
    if (!options.allowedHosts.has(target.host)) {
      options.onRefused?.({ ...target, reason: 'not a declared host of the site' });
      client.end(reply(REPLY.notAllowed));
      return;
    }
    let tor: Socket;
    try {
      tor = await connectThroughTor(
        { host: upstreamHost, port: upstreamPort },
        options.credentials,
        target,
        options.connectTimeoutMs,
        track,
      );
    } catch (error) {
      const failure = error as SocksFailure;
      if (failure.torDown) upstreamError = failure;
      client.end(reply(failure.reply ?? REPLY.failure));
      return;
    }
    if (client.destroyed) {
      tor.destroy(); // the browser gave up while Tor was building the circuit
      return;
    }
    const early = reader.detach();
    client.write(reply(REPLY.succeeded));
    if (early.length > 0) tor.write(early);
    client.pipe(tor).pipe(client);
    client.once('close', () => tor.destroy());
    tor.once('close', () => client.destroy());
    client.resume();
  };

  const server = createServer({ pauseOnConnect: true }, (socket) => void handle(socket));
  server.maxConnections = options.maxConnections;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the gate forwards with the site's credentials, so no other machine may use it.
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  // An accept error (EMFILE…) fails that one connection; it must not become an unhandled 'error' that ends the worker.
  server.on('error', () => undefined);

  return {
    url: `socks5://127.0.0.1:${port}`,
    port,
    get upstreamError() {
      return upstreamError;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

class SocksFailure extends Error {
  constructor(
    message: string,
    readonly reply?: number,
    readonly torDown = false,
  ) {
    super(message);
  }
}

function reply(code: number): Buffer {
  return Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

/** Reads the client's greeting and CONNECT request; answers refusals itself and throws. */
async function readConnect(client: Socket, reader: ByteReader): Promise<{ host: string; port: number }> {
  const [version, methodCount = 0] = await reader.read(2);
  if (version !== 0x05) throw new SocksFailure('not SOCKS5');
  const methods = await reader.read(methodCount);
  if (!methods.includes(0x00)) {
    client.end(Buffer.from([0x05, 0xff]));
    throw new SocksFailure('no acceptable method');
  }
  client.write(Buffer.from([0x05, 0x00]));
  const [, command, , addressType] = await reader.read(4);
  let host: string;
  if (addressType === 0x03) {
    const [length = 0] = await reader.read(1);
    host = (await reader.read(length)).toString('latin1');
  } else if (addressType === 0x01) {
    host = [...(await reader.read(4))].join('.');
  } else if (addressType === 0x04) {
    const bytes = await reader.read(16);
    host = `[${Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':')}]`;
  } else {
    client.end(reply(REPLY.addressNotSupported));
    throw new SocksFailure('unknown address type');
  }
  const port = (await reader.read(2)).readUInt16BE(0);
  if (command !== 0x01) {
    client.end(reply(REPLY.commandNotSupported));
    throw new SocksFailure('only CONNECT');
  }
  return { host: canonicalHost(host), port };
}

/** The host as URL.hostname spells it (lower case, IPv6 compressed in brackets), or '' when it is not a host. */
function canonicalHost(host: string): string {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return '';
  }
}

/** Opens a stream through Tor to the target, with the site's credentials and the name resolved by Tor. */
function connectThroughTor(
  proxy: { host: string; port: number },
  credentials: SocksGateOptions['credentials'],
  target: { host: string; port: number },
  timeoutMs: number,
  track: (socket: Socket) => void,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const tor = createConnection({ host: proxy.host, port: proxy.port });
    track(tor);
    let connected = false;
    const fail = (error: SocksFailure) => {
      clearTimeout(timer);
      tor.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new SocksFailure('Tor did not answer in time', REPLY.ttlExpired)),
      timeoutMs,
    );
    tor.once('error', (error) => {
      if (!connected) fail(new SocksFailure(`Tor's SOCKS port: ${error.message}`, REPLY.failure, true));
      else fail(new SocksFailure(error.message, REPLY.failure));
    });
    tor.once('connect', async () => {
      connected = true;
      const reader = new ByteReader(tor);
      try {
        tor.write(Buffer.from([0x05, 0x01, 0x02]));
        const [, method] = await reader.read(2);
        if (method !== 0x02) throw new SocksFailure('Tor refused user/password authentication');
        const user = Buffer.from(credentials.username);
        const password = Buffer.from(credentials.password);
        tor.write(
          Buffer.concat([Buffer.from([0x01, user.length]), user, Buffer.from([password.length]), password]),
        );
        const [, status] = await reader.read(2);
        if (status !== 0x00) throw new SocksFailure('Tor refused the credentials');
        // Always by name (an allowed IP literal too): Tor resolves or parses it, nothing is looked up here.
        const name = Buffer.from(target.host.replace(/^\[|\]$/g, ''), 'latin1');
        const address = Buffer.concat([Buffer.from([0x03, name.length]), name]);
        const port = Buffer.alloc(2);
        port.writeUInt16BE(target.port);
        tor.write(Buffer.concat([Buffer.from([0x05, 0x01, 0x00]), address, port]));
        const [, code = REPLY.failure, , boundType] = await reader.read(4);
        if (boundType === 0x01) await reader.read(4 + 2);
        else if (boundType === 0x04) await reader.read(16 + 2);
        else if (boundType === 0x03) await reader.read(((await reader.read(1))[0] ?? 0) + 2);
        if (code !== REPLY.succeeded) throw new SocksFailure(`Tor answered ${code}`, code);
        const rest = reader.detach();
        clearTimeout(timer);
        tor.removeAllListeners('error');
        tor.on('error', () => undefined);
        if (rest.length > 0) tor.unshift(rest);
        resolve(tor);
      } catch (error) {
        fail(error instanceof SocksFailure ? error : new SocksFailure((error as Error).message));
      }
    });
  });
}

function isLoopback(address: string | undefined): boolean {
  return (
    address !== undefined &&
    (address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1')
  );
}

/** Exact-length reads from a socket during a handshake; detach() hands back what arrived beyond it. */
class ByteReader {
  private buffered = Buffer.alloc(0);
  private waiting:
    | { n: number; resolve: (bytes: Buffer) => void; reject: (error: Error) => void }
    | undefined;
  private ended = false;

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.resume();
  }

  private readonly onData = (chunk: Buffer) => {
    // Nobody sends much before the SOCKS reply: a peer that does is not a SOCKS peer worth buffering for.
    if (this.buffered.length + chunk.length > MAX_HANDSHAKE_BYTES) {
      this.socket.destroy();
      return;
    }
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.settle();
  };

  private readonly onClose = () => {
    this.ended = true;
    this.settle();
  };

  private settle() {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.buffered.length >= waiting.n) {
      this.waiting = undefined;
      const bytes = this.buffered.subarray(0, waiting.n);
      this.buffered = this.buffered.subarray(waiting.n);
      waiting.resolve(bytes);
    } else if (this.ended) {
      this.waiting = undefined;
      waiting.reject(new SocksFailure('connection closed during the SOCKS handshake'));
    }
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.settle();
    });
  }

  detach(): Buffer {
    this.socket.pause();
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    const rest = this.buffered;
    this.buffered = Buffer.alloc(0);
    return rest;
  }
}
