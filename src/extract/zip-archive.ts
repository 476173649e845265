import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { chunksOf, entryPath, guardRatio } from './archive.ts';
import { type ExtractContext, ExtractionProblem } from './context.ts';
import type { RandomAccess } from './source.ts';

/** yauzl over our random access (an encrypted blob, a buffer, a spool): the ZIP is never copied in plaintext. */
class AccessReader extends yauzl.RandomAccessReader {
  constructor(private readonly access: RandomAccess) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const access = this.access;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; at += 256 * 1024)
          yield await access.read(at, Math.min(end, at + 256 * 1024));
      })(),
    );
  }
}

export interface ZipMember {
  /** Safe relative path, or undefined when refused (see `problem`). */
  path: string | undefined;
  problem: string | undefined;
  raw: yauzl.Entry;
  directory: boolean;
  symlink: boolean;
  encrypted: boolean;
  /** Stored (0) and deflate (8) can be read; others (deflate64, bzip2, lzma…) cannot. */
  readable: boolean;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** A ZIP's central directory read once, with the bomb checks that need no decompression. */
export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly members: ZipMember[],
  ) {}

  static async open(access: RandomAccess, name: string, ctx: ExtractContext): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.fromRandomAccessReaderPromise(new AccessReader(access), access.size, {
        lazyEntries: true,
        decodeStrings: false,
        validateEntrySizes: true,
        autoClose: false,
      });
    } catch (error) {
      throw new ExtractionProblem(
        'failed',
        `${name}: not a readable ZIP archive, truncated or corrupt (${(error as Error).message})`,
      );
    }
    const room = ctx.limits.maxEntries - ctx.counts.entries;
    if (zip.entryCount > room) {
      zip.close();
      throw new ExtractionProblem(
        'rejected',
        `archive bomb: ${name} holds ${zip.entryCount} entries (limit ${ctx.limits.maxEntries})`,
        true,
      );
    }
    const members: ZipMember[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('entry', (entry: yauzl.Entry) => {
          members.push(describe(entry));
          zip.readEntry();
        });
        zip.on('end', () => resolve());
        zip.on('error', reject);
        zip.readEntry();
      });
    } catch (error) {
      zip.close();
      const message = (error as Error).message;
      if (/strong encryption/i.test(message))
        throw new ExtractionProblem(
          'password_protected',
          `${name}: ZIP with strong encryption, a password is needed`,
        );
      throw new ExtractionProblem('failed', `${name}: corrupt ZIP central directory (${message})`);
    }
    const archive = new ZipArchive(zip, members);
    archive.checkDeclaredSizes(name, ctx);
    return archive;
  }

  /** Sizes from the central directory can be checked before anything is inflated (they can also lie: see open()). */
  private checkDeclaredSizes(name: string, ctx: ExtractContext): void {
    let total = 0;
    for (const member of this.members) {
      const { uncompressedSize, compressedSize } = member.raw;
      total += uncompressedSize;
      if (
        uncompressedSize > ctx.limits.ratioFloorBytes &&
        uncompressedSize > Math.max(compressedSize, 1) * ctx.limits.maxRatio
      ) {
        this.close();
        throw new ExtractionProblem(
          'rejected',
          `zip bomb: ${name}/${member.path ?? '?'} declares ${uncompressedSize} bytes from ${compressedSize} (ratio over ${ctx.limits.maxRatio}:1)`,
          true,
        );
      }
    }
    if (total + ctx.counts.inflatedBytes > ctx.limits.maxUncompressedBytes) {
      this.close();
      throw new ExtractionProblem(
        'rejected',
        `zip bomb: ${name} declares ${total} bytes uncompressed, past the ${ctx.limits.maxUncompressedBytes}-byte limit`,
        true,
      );
    }
  }

  find(path: string): ZipMember | undefined {
    return this.members.find((member) => member.path === path);
  }

  /** The entry's bytes, counted against the document's budget and ratio; actual sizes are checked by yauzl too. */
  async *read(member: ZipMember, ctx: ExtractContext, where: string): AsyncGenerator<Buffer> {
    const stream = await this.zip.openReadStreamPromise(member.raw);
    yield* guardRatio(chunksOf(stream, 'destroy'), ctx, where, () => member.raw.compressedSize);
  }

  close(): void {
    this.zip.close();
  }
}

function describe(entry: yauzl.Entry): ZipMember {
  const name = yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw,
    entry.extraFields,
    false,
  );
  const checked = entryPath(name);
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  const madeByUnix = entry.versionMadeBy >> 8 === 3;
  return {
    path: 'path' in checked ? checked.path : undefined,
    problem: 'problem' in checked ? checked.problem : undefined,
    raw: entry,
    directory: name.endsWith('/') || name.endsWith('\\'),
    symlink: madeByUnix && mode === S_IFLNK,
    encrypted: entry.isEncrypted(),
    readable: entry.compressionMethod === 0 || entry.compressionMethod === 8,
  };
}
