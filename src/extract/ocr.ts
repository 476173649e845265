import { spawn } from 'node:child_process';
import { Semaphore } from '../fetch/semaphore.ts';

/**
 * OCR of scanned pages and images: Tesseract for the text, poppler's pdftoppm to rasterise PDF pages. Both read
 * from stdin and write to stdout, so no leaked page is ever written to disk. Tesseract runs in a bounded pool, one
 * thread per process (OMP_THREAD_LIMIT=1), so N workers use N cores and no more.
 */
export interface OcrEngine {
  /** Why OCR cannot run here (`for` PDF pages also needs pdftoppm), or undefined when it can. */
  unavailable(target: 'image' | 'pdf'): Promise<string | undefined>;
  /** The text of an image (PNG, JPEG, TIFF, GIF, BMP, PNM). */
  recognise(image: Buffer): Promise<string>;
  /** Pages first..last of a PDF as grayscale images, in order. */
  rasterise(pdf: Buffer, first: number, last: number): AsyncIterable<{ page: number; image: Buffer }>;
  /** How many recognitions run at once. */
  readonly workers: number;
}

export interface OcrOptions {
  tesseract: string;
  pdftoppm: string;
  /** Tesseract language codes joined by "+" (fra+eng). */
  languages: string;
  dpi: number;
  workers: number;
  timeoutMs: number;
}

export const DEFAULT_OCR_OPTIONS: OcrOptions = {
  tesseract: 'tesseract',
  pdftoppm: 'pdftoppm',
  languages: 'fra+eng',
  dpi: 200,
  workers: 2,
  timeoutMs: 120_000,
};

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  input: Buffer | undefined,
  timeoutMs: number,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') reject(new Error(`${command} took longer than ${timeoutMs} ms`));
      else resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.on('error', () => undefined); // the program may exit before reading everything
    child.stdin.end(input);
  });
}

/** Splits a stream of concatenated binary PGM images (pdftoppm -gray to stdout). */
async function* splitPgm(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let buffer: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buffer.subarray(0, 64).toString('latin1'));
      if (!header) break;
      const size = header[0].length + Number(header[1]) * Number(header[2]);
      if (buffer.length < size) break;
      yield buffer.subarray(0, size);
      buffer = buffer.subarray(size);
    }
  }
}

export function createOcrEngine(options: OcrOptions = DEFAULT_OCR_OPTIONS): OcrEngine {
  const pool = new Semaphore(options.workers);
  const checks = new Map<string, Promise<string | undefined>>();
  const check = (key: string, probe: () => Promise<string | undefined>) => {
    let result = checks.get(key);
    if (!result) {
      result = probe();
      checks.set(key, result);
    }
    return result;
  };
  const tesseractCheck = () =>
    check('tesseract', async () => {
      let listed: RunResult;
      try {
        listed = await run(options.tesseract, ['--list-langs'], undefined, 30_000);
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? `Tesseract is not installed ("${options.tesseract}" not found): install the tesseract-ocr and tesseract-ocr-fra packages`
          : `Tesseract cannot run: ${(error as Error).message}`;
      }
      const installed = new Set(`${listed.stdout}\n${listed.stderr}`.split(/\s+/));
      const missing = options.languages.split('+').filter((language) => !installed.has(language));
      return missing.length > 0
        ? `Tesseract has no ${missing.join(', ')} language data: install tesseract-ocr-${missing.join(' tesseract-ocr-')}`
        : undefined;
    });
  return {
    workers: options.workers,
    unavailable: async (target) => {
      const tesseract = await tesseractCheck();
      if (tesseract || target === 'image') return tesseract;
      return check('pdftoppm', async () => {
        try {
          await run(options.pdftoppm, ['-v'], undefined, 30_000);
          return undefined;
        } catch {
          return `poppler's pdftoppm is not installed ("${options.pdftoppm}" not found): install poppler-utils to OCR PDF pages`;
        }
      });
    },
    recognise: (image) =>
      pool.run(async () => {
        const result = await run(
          options.tesseract,
          ['stdin', 'stdout', '-l', options.languages, '--psm', '3'],
          image,
          options.timeoutMs,
        );
        if (result.code !== 0)
          throw new Error(`tesseract failed (exit ${result.code}): ${result.stderr.trim().slice(0, 300)}`);
        return result.stdout.toString('utf8');
      }),
    rasterise: async function* (pdf, first, last) {
      const child = spawn(
        options.pdftoppm,
        ['-r', String(options.dpi), '-gray', '-f', String(first), '-l', String(last), '-'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 4000) stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => {
        child.on('close', (code) => resolve(code));
        child.on('error', () => resolve(-1));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(pdf);
      let page = first;
      try {
        for await (const image of splitPgm(child.stdout)) yield { page: page++, image };
        const code = await exited;
        if (page <= last)
          throw new Error(
            `pdftoppm rendered ${page - first} of ${last - first + 1} pages (exit ${code}): ${stderr.trim().slice(0, 300)}`,
          );
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

/** OCR switched off by configuration: every scanned page is recorded as needing OCR. */
export function disabledOcr(reason: string): OcrEngine {
  return {
    workers: 1,
    unavailable: async () => reason,
    recognise: () => Promise.reject(new Error(reason)),
    rasterise: () => {
      throw new Error(reason);
    },
  };
}
