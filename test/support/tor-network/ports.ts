import { createServer } from 'node:net';

/**
 * Ports for a private Tor network. They come from below 32768 on purpose: Linux hands out outgoing (ephemeral)
 * ports from 32768 up, so tor's own connections between relays could otherwise take a port we are about to
 * give to a relay. Each port is checked free by binding it on 127.0.0.1 (and released again before tor binds it).
 */
const LOW = 10_000;
const HIGH = 32_000;

/** Ports handed out by this process and not released: two networks in one process never share a port. */
const reserved = new Set<number>();

export async function reserveLoopbackPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > count * 50) throw new Error(`could not find ${count} free loopback ports in ${LOW}-${HIGH}`);
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (reserved.has(port) || ports.includes(port)) continue;
    if (await isFree(port)) ports.push(port);
  }
  for (const port of ports) reserved.add(port);
  return ports;
}

export function releasePorts(ports: Iterable<number>): void {
  for (const port of ports) reserved.delete(port);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
