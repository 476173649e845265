import type { FastifyReply } from 'fastify';
import type { Html } from './html.ts';
import { notFound } from './views/layout.ts';

/** Sends a rendered page; pages show data that changes with every crawl, so nothing is cached. */
export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body.value);
}

export function sendNotFound(reply: FastifyReply, what: string): FastifyReply {
  return sendPage(reply, notFound(what), 404);
}

/** A positive integer id from a path or query value; undefined for anything else. */
export function positiveId(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** A query parameter as one trimmed string (repeated parameters keep the first); undefined when empty. */
export function queryText(value: unknown, maxLength = 200): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return undefined;
  const text = first.trim().slice(0, maxLength);
  return text === '' ? undefined : text;
}
