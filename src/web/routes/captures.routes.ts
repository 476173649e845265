import type { FastifyInstance, FastifyReply } from 'fastify';
import { describeError, isAppError } from '../../shared/errors.ts';
import { captureEvidence } from '../../store/post-detail-view.repository.ts';
import type { WebDependencies } from '../app.ts';
import { positiveId, sendNotFound } from '../reply.ts';

/** Image types a screenshot may be served as, recognised by their first bytes — never by what a site claimed. */
const IMAGE_SIGNATURES: Array<{ type: string; matches: (bytes: Buffer) => boolean }> = [
  { type: 'image/png', matches: (b) => b.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')) },
  { type: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: 'image/webp',
    matches: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

// Evidence responses are never documents a browser should run anything in, whatever they contain.
const EVIDENCE_CSP = "default-src 'none'; sandbox";

/**
 * Captures decrypted from the evidence store on the fly. The captured HTML is hostile and is never rendered: it is
 * offered only as a text/plain attachment. Screenshots are served as images of a recognised type only.
 */
export function registerCapturesRoutes(app: FastifyInstance, deps: WebDependencies): void {
  const { evidence } = deps;
  if (!evidence) return;

  async function load(reply: FastifyReply, idText: string, part: 'body' | 'screenshot') {
    const id = positiveId(idText);
    const capture = id === undefined ? null : await captureEvidence(deps.database.db, id);
    const sha256 = part === 'body' ? capture?.bodySha256 : capture?.screenshotSha256;
    if (!capture || !sha256) {
      sendNotFound(reply, 'There is no such capture.');
      return undefined;
    }
    try {
      return await evidence?.get(sha256);
    } catch (error) {
      reply.log.warn({ err: describeError(error), capture: id }, 'capture evidence unreadable');
      const message = isAppError(error) ? error.message : 'the evidence could not be read';
      reply.code(isAppError(error) && error.code === 'evidence.missing' ? 410 : 500);
      reply.type('text/plain; charset=utf-8').send(`${message}\n`);
      return undefined;
    }
  }

  app.get('/captures/:id/page.txt', async (request, reply) => {
    const { id } = request.params as { id: string };
    const bytes = await load(reply, id, 'body');
    if (!bytes) return reply;
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="capture-${positiveId(id)}.html.txt"`)
      .header('content-security-policy', EVIDENCE_CSP)
      .header('cache-control', 'no-store')
      .send(bytes);
  });

  app.get('/captures/:id/screenshot', async (request, reply) => {
    const { id } = request.params as { id: string };
    const bytes = await load(reply, id, 'screenshot');
    if (!bytes) return reply;
    const type = IMAGE_SIGNATURES.find((signature) => signature.matches(bytes))?.type;
    if (!type)
      return reply
        .code(415)
        .type('text/plain; charset=utf-8')
        .send('the screenshot is not a known image type\n');
    return reply
      .type(type)
      .header('content-security-policy', EVIDENCE_CSP)
      .header('cache-control', 'no-store')
      .send(bytes);
  });
}
