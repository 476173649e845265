import { extractEntry, skipEntry } from '../archive.ts';
import type { ExtractContext } from '../context.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';
import { ZipArchive } from '../zip-archive.ts';
import { extractDocx } from './docx.ts';
import { extractXlsx } from './xlsx.ts';

/**
 * ZIP archives, read in place through random access. Office Open XML files (DOCX, XLSX) are ZIPs too and go to
 * their own readers. Refused entries (traversal, absolute paths, symlinks) are named in the warnings; encrypted
 * entries make the document `password_protected`; the other entries are extracted all the same.
 */
export async function* extractZip(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const access = await input.randomAccess(ctx);
  try {
    const archive = await ZipArchive.open(access, input.name, ctx);
    try {
      if (archive.find('word/document.xml')) {
        ctx.requireAllowed('docx', input.name);
        if (input.depth === 0) ctx.rootKind = 'docx';
        yield* extractDocx(archive, input, ctx);
        return;
      }
      if (archive.find('xl/workbook.xml')) {
        ctx.requireAllowed('xlsx', input.name);
        if (input.depth === 0) ctx.rootKind = 'xlsx';
        yield* extractXlsx(archive, input, ctx);
        return;
      }
      ctx.requireAllowed('zip', input.name);
      let files = 0;
      let encrypted = 0;
      for (const member of archive.members) {
        if (member.directory) continue;
        files++;
        ctx.addEntry(`${input.name}/${member.path ?? '?'}`);
        if (member.problem || member.path === undefined) {
          skipEntry(ctx, input.name, member.problem ?? 'unnamed entry');
          continue;
        }
        if (member.symlink) {
          skipEntry(ctx, input.name, `symbolic link "${member.path}"`);
          continue;
        }
        if (member.encrypted) {
          encrypted++;
          continue;
        }
        if (!member.readable) {
          skipEntry(
            ctx,
            input.name,
            `"${member.path}" uses compression method ${member.raw.compressionMethod}, not supported`,
          );
          continue;
        }
        const where = `${input.name}/${member.path}`;
        yield* extractEntry(
          ctx,
          input,
          member.path,
          archive.read(member, ctx, where),
          member.raw.uncompressedSize,
        );
      }
      if (encrypted > 0)
        ctx.flag(
          'password_protected',
          `${input.name}: ${encrypted} of ${files} entries are encrypted, a password is needed to read them`,
        );
    } finally {
      archive.close();
    }
  } finally {
    await access.close();
  }
}
