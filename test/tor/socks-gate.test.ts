import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocksGate, type SocksGate } from '../../src/tor/socks-gate.ts';
import { fixtureSite, type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { waitFor } from '../support/wait.ts';

/** A raw SOCKS5 client: the bytes a browser would send, so each refusal is seen as Chromium would see it. */
class RawClient {
  private buffered = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves with n bytes, or with what there is once the gate closed the connection. */
  async read(n: number): Promise<Buffer> {
    while (this.buffered.length < n && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    const bytes = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(bytes.length);
    return bytes;
  }

  async untilClosed(): Promise<Buffer> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.buffered;
  }

  async greet(): Promise<Buffer> {
    this.socket.write(Buffer.from([0x05, 0x01, 0x00]));
    return this.read(2);
  }

  /** Sends a request (CONNECT unless told) and returns the reply code. */
  async request(address: Buffer, port: number, command = 0x01): Promise<number | undefined> {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16BE(port);
    this.socket.write(Buffer.concat([Buffer.from([0x05, command, 0x00]), address, portBytes]));
    return (await this.read(10))[1];
  }
}

const byName = (host: string) => Buffer.concat([Buffer.from([0x03, host.length]), Buffer.from(host)]);

describe('SOCKS gate between Chromium and Tor', () => {
  let harness: OnionHarness;
  let gate: SocksGate;
  let site: string;
  const refused: string[] = [];
  beforeAll(async () => {
    harness = await startOnionHarness();
    site = harness.serve(fixtureSite({ '/': { body: '<p>Victims</p>' } }));
    gate = await openSocksGate({
      upstream: harness.url,
      credentials: { username: 'leakwatch-alpha', password: 'isolate' },
      allowedHosts: new Set([site]),
      connectTimeoutMs: 10_000,
      maxConnections: 4,
      onRefused: (target) => refused.push(`${target.host}:${target.port}`),
    });
  });
  afterAll(async () => {
    await gate?.close();
    await harness?.stop();
  });

  it('listens on loopback only', () => {
    expect(gate.url).toBe(`socks5://127.0.0.1:${gate.port}`);
  });

  it("forwards a CONNECT to the site's host by name, with the site's credentials", async () => {
    const mark = harness.requests.length;
    const client = await RawClient.open(gate.port);
    expect([...(await client.greet())]).toEqual([0x05, 0x00]);
    expect(await client.request(byName(site.toUpperCase()), 80)).toBe(0x00);
    client.socket.write(`GET / HTTP/1.1\r\nHost: ${site}\r\nConnection: close\r\n\r\n`);
    expect((await client.untilClosed()).toString()).toContain('<p>Victims</p>');
    expect(harness.requests.slice(mark)).toEqual([
      { host: site, addressType: 'domain', port: 80, username: 'leakwatch-alpha', outcome: 'connected' },
    ]);
  });

  it('refuses, before anything reaches Tor, other hosts, IP literals and commands other than CONNECT', async () => {
    const mark = harness.requests.length;
    const cases: Array<[string, Buffer, number, number]> = [
      ['other onion', byName('operator7xyz.onion'), 80, 0x01],
      ['clearnet name', byName('operator.example.net'), 443, 0x01],
      ['IPv4 literal', Buffer.from([0x01, 127, 0, 0, 1]), 5432, 0x01],
      ['IPv6 literal', Buffer.concat([Buffer.from([0x04]), Buffer.alloc(15), Buffer.from([1])]), 80, 0x01],
      ['BIND to the site', byName(site), 80, 0x02],
      ['UDP ASSOCIATE', byName(site), 80, 0x03],
    ];
    const replies: Record<string, number | undefined> = {};
    for (const [name, address, port, command] of cases) {
      const client = await RawClient.open(gate.port);
      await client.greet();
      replies[name] = await client.request(address, port, command);
      await client.untilClosed();
    }
    expect(replies).toEqual({
      'other onion': 0x02,
      'clearnet name': 0x02,
      'IPv4 literal': 0x02,
      'IPv6 literal': 0x02,
      'BIND to the site': 0x07,
      'UDP ASSOCIATE': 0x07,
    });
    expect(refused).toEqual(
      expect.arrayContaining([
        'operator7xyz.onion:80',
        'operator.example.net:443',
        '127.0.0.1:5432',
        '[::1]:80',
      ]),
    );
    expect(harness.requests.slice(mark)).toEqual([]);
  });

  it('refuses a client that offers only authentication methods it does not speak', async () => {
    const client = await RawClient.open(gate.port);
    client.socket.write(Buffer.from([0x05, 0x01, 0x02]));
    expect([...(await client.untilClosed())]).toEqual([0x05, 0xff]);
  });

  it('holds at most maxConnections connections', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => RawClient.open(gate.port)));
    // Each answered its greeting: the gate has accepted all four.
    for (const client of held) expect([...(await client.greet())]).toEqual([0x05, 0x00]);
    const extra = await RawClient.open(gate.port);
    expect([...(await extra.untilClosed())]).toEqual([]);
    for (const client of held) client.socket.destroy();
    await Promise.all(held.map((client) => client.untilClosed()));
  });

  it('says Tor is down when its SOCKS port cannot be reached, and closes its own port', async () => {
    const own = await openSocksGate({
      upstream: 'socks5h://127.0.0.1:9',
      credentials: { username: 'leakwatch-beta', password: 'isolate' },
      allowedHosts: new Set([site]),
      connectTimeoutMs: 10_000,
      maxConnections: 4,
    });
    const client = await RawClient.open(own.port);
    await client.greet();
    expect(await client.request(byName(site), 80)).toBe(0x01);
    expect(own.upstreamError?.message).toMatch(/ECONNREFUSED/);
    const open = await RawClient.open(own.port);
    await own.close();
    await open.untilClosed();
    await expect(RawClient.open(own.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('drops a client that floods it while Tor builds the circuit, and then the stream to Tor', async () => {
    // A Tor that answers the CONNECT only when told, and says when its stream is closed.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = false;
    let streamClosed = false;
    const slowTor = createServer((socket) => {
      socket.on('close', () => {
        streamClosed = true;
      });
      const peer = new RawClient(socket);
      void (async () => {
        await peer.read(3);
        socket.write(Buffer.from([0x05, 0x02]));
        const [, userLength = 0] = await peer.read(2);
        await peer.read(userLength);
        await peer.read((await peer.read(1))[0] ?? 0);
        socket.write(Buffer.from([0x01, 0x00]));
        await peer.read(4);
        await peer.read(((await peer.read(1))[0] ?? 0) + 2);
        asked = true;
        await released;
        if (!socket.destroyed) socket.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
      })();
    });
    const port = await new Promise<number>((resolve) =>
      slowTor.listen(0, '127.0.0.1', () => resolve((slowTor.address() as { port: number }).port)),
    );
    const own = await openSocksGate({
      upstream: `socks5h://127.0.0.1:${port}`,
      credentials: { username: 'leakwatch-gamma', password: 'isolate' },
      allowedHosts: new Set([site]),
      connectTimeoutMs: 120_000, // longer than the waits below: Tor's deadline must not be what drops the client
      maxConnections: 4,
    });
    try {
      const client = await RawClient.open(own.port);
      await client.greet();
      const portBytes = Buffer.from([0x00, 0x50]);
      client.socket.write(Buffer.concat([Buffer.from([0x05, 0x01, 0x00]), byName(site), portBytes]));
      await waitFor('the CONNECT to reach Tor', () => asked);
      // Nothing is due before the SOCKS reply: a megabyte then is not buffered for Tor, the client is dropped.
      client.socket.write(Buffer.alloc(1024 * 1024));
      await waitFor('the gate to drop the client', () => client.closed, { timeoutMs: 10_000 });
      release();
      await waitFor('the gate to close its stream to Tor', () => streamClosed, { timeoutMs: 10_000 });
    } finally {
      await own.close();
      await new Promise((resolve) => slowTor.close(resolve));
    }
  });

  it('accepts only socks5h:// upstreams', async () => {
    await expect(
      openSocksGate({
        upstream: 'socks5://127.0.0.1:9050',
        credentials: { username: 'x', password: 'y' },
        allowedHosts: new Set(),
        connectTimeoutMs: 1000,
        maxConnections: 1,
      }),
    ).rejects.toThrow(/socks5h/);
  });
});
