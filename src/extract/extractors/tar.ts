import tar from 'tar-stream';
import { chunksOf, entryPath, extractEntry, feed, skipEntry } from '../archive.ts';
import { type ExtractContext, ExtractionProblem } from '../context.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

const SKIPPED_TYPES: Record<string, string> = {
  symlink: 'symbolic link',
  link: 'hard link',
  'character-device': 'character device',
  'block-device': 'block device',
  fifo: 'named pipe',
};

/** TAR, streamed entry by entry (a TAR is read once, front to back). Links and devices are refused. */
export async function* extractTar(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const extract = tar.extract();
  const feeding = feed(extract as unknown as Parameters<typeof feed>[0], input.stream());
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const checked = entryPath(header.name);
      const path = 'path' in checked ? checked.path : undefined;
      if (header.type === 'directory') {
        entry.resume();
        continue;
      }
      ctx.addEntry(`${input.name}/${path ?? header.name}`);
      const skipped = SKIPPED_TYPES[header.type];
      if ('problem' in checked || skipped || (header.type !== 'file' && header.type !== 'contiguous-file')) {
        const reason =
          'problem' in checked
            ? checked.problem
            : `${skipped ?? header.type} "${header.name}"${header.linkname ? ` → ${header.linkname}` : ''}`;
        skipEntry(ctx, input.name, reason);
        entry.resume();
        continue;
      }
      yield* extractEntry(
        ctx,
        input,
        path as string,
        chunksOf(entry as unknown as Parameters<typeof chunksOf>[0], 'drain'),
        header.size ?? undefined,
      );
    }
  } catch (error) {
    if (error instanceof ExtractionProblem) throw error;
    throw new ExtractionProblem(
      'failed',
      `${input.name}: truncated or corrupt TAR archive (${(error as Error).message})`,
    );
  } finally {
    extract.destroy();
    await feeding;
  }
}
