/**
 * Benchmark corpora on disk, generated once per parameters into the system temp directory (deterministic: the same
 * bytes every time), so that our matcher and ripgrep read the same file and later runs skip the generation.
 */

import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusChunks, makeTerms } from './corpus.ts';

export interface TermsCorpus {
  dir: string;
  corpus: string;
  termsFile: string;
  terms: string[];
  bytes: number;
}

export async function termsCorpus(megabytes: number, termCount: number): Promise<TermsCorpus> {
  const dir = join(tmpdir(), `leakwatch-bench-match-${megabytes}mb-${termCount}t-v1`);
  mkdirSync(dir, { recursive: true });
  const terms = makeTerms(termCount);
  const termsFile = join(dir, 'terms.txt');
  const corpus = join(dir, 'corpus.txt');
  if (!existsSync(termsFile)) writeFileSync(termsFile, `${terms.join('\n')}\n`);
  if (!existsSync(corpus)) {
    const partial = `${corpus}.part`;
    const out = createWriteStream(partial);
    for (const chunk of corpusChunks(megabytes, terms)) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    renameSync(partial, corpus);
  }
  return { dir, corpus, termsFile, terms, bytes: statSync(corpus).size };
}
