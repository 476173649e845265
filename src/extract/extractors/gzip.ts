import { createGunzip } from 'node:zlib';
import { chunksOf, feed, guardRatio } from '../archive.ts';
import { type ExtractContext, ExtractionProblem } from '../context.ts';
import { type ExtractInput, inputFromStream } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

/** gzip (.gz, .tgz, .csv.gz): inflated as a stream under the ratio and size limits, then read as what it holds. */
export async function* extractGzip(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const gunzip = createGunzip();
  let consumed = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of input.stream()) {
      consumed += chunk.length;
      yield chunk;
    }
  };
  const feeding = feed(gunzip, counted());
  const inflated = async function* (): AsyncGenerator<Buffer> {
    try {
      yield* chunksOf(gunzip, 'destroy');
    } catch (error) {
      throw new ExtractionProblem(
        'failed',
        `${input.name}: truncated or corrupt gzip data (${(error as Error).message})`,
      );
    }
  };
  try {
    const inner = await inputFromStream(
      input.name,
      guardRatio(inflated(), ctx, input.name, () => consumed),
      undefined,
      input.depth + 1,
    );
    inner.typeName = input.name.replace(/\.t?gz$/i, (suffix) =>
      suffix.toLowerCase() === '.tgz' ? '.tar' : '',
    );
    yield* ctx.nested(inner);
  } finally {
    gunzip.destroy();
    await feeding;
  }
}
