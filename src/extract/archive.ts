import { isAppError } from '../shared/errors.ts';
import { type ExtractContext, ExtractionProblem } from './context.ts';
import { type ExtractInput, inputFromStream } from './source.ts';
import type { TextRecord } from './text-record.ts';

/** What archives share: safe entry names, streams that can be abandoned, per-entry error handling. */

/**
 * The path of an archive entry, or why it is refused. Entries are never written to disk, but a name that climbs out
 * of the archive (`../../etc/cron.d/x`, `/root/.ssh/authorized_keys`, `C:\Windows\…`) is a hostile file's mark and
 * must not reach locations shown to analysts.
 */
export function entryPath(name: string): { path: string } | { problem: string } {
  const normal = name.replace(/\\/g, '/');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters in entry names are refused
  if (/[\u0000-\u001f]/.test(normal))
    return { problem: `control characters in the entry name ${JSON.stringify(name)}` };
  if (/^([a-zA-Z]:|\/)/.test(normal)) return { problem: `absolute path ${JSON.stringify(name)}` };
  const parts = normal.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return { problem: `path traversal ${JSON.stringify(name)}` };
  return { path: parts.join('/') };
}

interface Pausable {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(error?: Error): unknown;
}

/**
 * The chunks of a stream (node or streamx) as an async iterable. Abandoned early, the stream is drained (a TAR entry
 * must be read through for the next one) or destroyed (a ZIP entry: draining a bomb would inflate it all).
 */
export async function* chunksOf(stream: Pausable, abandon: 'drain' | 'destroy'): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    stream.pause();
    wake?.();
  };
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (error: Error) => {
    failure = error;
    wake?.();
  };
  // Destroyed by someone else (its feeder failed): no 'end' will come, and waiting for one would hang.
  const onClose = () => {
    if (!ended) failure ??= new Error('stream closed before its end');
    wake?.();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  stream.on('close', onClose);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        yield chunk;
        if (queue.length === 0 && !ended) stream.resume();
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      stream.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    stream.removeListener('data', onData);
    stream.removeListener('close', onClose);
    if (!ended && !failure) {
      if (abandon === 'drain') stream.resume();
      else stream.destroy();
    }
  }
}

interface Writable {
  write(chunk: Buffer): boolean;
  end(): unknown;
  destroy(error?: Error): unknown;
  readonly destroyed: boolean;
  once(event: string, listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
}

/**
 * Writes a source into a decompressor (gunzip, a TAR parser), honouring its back-pressure. Returns once the source is
 * written or the decompressor is destroyed: a feeder waiting for `drain` alone waits forever once its reader gives up
 * (a bomb) and destroys it, and the extraction never ends (issue 14, finding 1).
 */
export async function feed(target: Writable, source: AsyncIterable<Buffer>): Promise<void> {
  try {
    for await (const chunk of source) {
      if (target.destroyed) return;
      if (target.write(chunk)) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          target.removeListener('drain', done);
          target.removeListener('close', done);
          resolve();
        };
        target.once('drain', done);
        target.once('close', done);
      });
      if (target.destroyed) return;
    }
    target.end();
  } catch (error) {
    target.destroy(error as Error);
  }
}

/** Counts what a decompressor produces against the document's budget and the entry's compression ratio. */
export async function* guardRatio(
  chunks: AsyncIterable<Buffer>,
  ctx: ExtractContext,
  where: string,
  compressedBytes: () => number,
): AsyncGenerator<Buffer> {
  let produced = 0;
  for await (const chunk of chunks) {
    produced += chunk.length;
    ctx.addUncompressed(chunk.length, where);
    if (produced > ctx.limits.ratioFloorBytes && produced > compressedBytes() * ctx.limits.maxRatio) {
      throw new ExtractionProblem(
        'rejected',
        `decompression bomb: ${where} inflates more than ${ctx.limits.maxRatio} times its compressed size`,
        true,
      );
    }
    yield chunk;
  }
}

/**
 * Extracts one entry of an archive. What goes wrong with the entry is recorded and the archive goes on; only
 * problems of the whole document (a bomb) and operator errors stop it.
 */
export async function* extractEntry(
  ctx: ExtractContext,
  parent: ExtractInput,
  path: string,
  stream: AsyncIterable<Buffer>,
  size: number | undefined,
): AsyncGenerator<TextRecord[]> {
  const name = `${parent.name}/${path}`;
  try {
    const input = await inputFromStream(name, stream, size, parent.depth + 1);
    yield* ctx.nested(input);
  } catch (error) {
    if (error instanceof ExtractionProblem) {
      if (error.abortsDocument) throw error;
      if (error.status === 'password_protected' || error.status === 'needs_ocr')
        ctx.flag(error.status, error.message);
      else {
        ctx.counts.skippedEntries++;
        ctx.warn(error.message);
      }
      return;
    }
    if (isAppError(error) && error.disposition === 'tell_operator') throw error;
    ctx.counts.skippedEntries++;
    ctx.warn(`${name}: ${(error as Error).message}`);
  }
}

/** Records a skipped entry. */
export function skipEntry(ctx: ExtractContext, archive: string, reason: string): void {
  ctx.counts.skippedEntries++;
  ctx.warn(`${archive}: entry skipped, ${reason}`);
}
