/**
 * Captured names in logs: modules log a posted file's name or URL and a post's title as they are (the evidence), and
 * the logger the application builds masks the identifiers such text can hold, in log objects and child bindings.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { maskIdentifiersIn } from '../../src/match/mask-text.ts';
import { createLogger } from '../../src/shared/logger.ts';

function capture(maskCaptured?: (text: string) => string) {
  const destination = new PassThrough();
  let out = '';
  destination.on('data', (chunk) => {
    out += chunk;
  });
  const logger = createLogger({
    level: 'info',
    format: 'json',
    destination,
    ...(maskCaptured ? { maskCaptured } : {}),
  });
  return { logger, lines: () => out };
}

describe('the logger', () => {
  it('masks identifiers in captured names, URLs and titles, bound or logged', () => {
    const { logger, lines } = capture((text) => maskIdentifiersIn(text, ['FR']));
    const child = logger.child({ document: 7, name: 'patients/paul.martin@free.fr_0698765432.csv' });
    child.info(
      { url: 'http://x.onion/files/NIR_280037511804224.pdf', title: 'Leak: jean@lab.fr' },
      'downloading',
    );
    child.warn({ error: 'dump.zip/marie.curie@free.fr.pdf: encrypted' }, 'document extracted');
    const text = lines();
    for (const plaintext of [
      'paul.martin@free.fr',
      '0698765432',
      '280037511804224',
      'jean@lab.fr',
      'marie.curie',
    ])
      expect(text).not.toContain(plaintext);
    const [line, warning] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(warning.error).toBe('dump.zip/m***.c***@free.fr.pdf: encrypted');
    expect(line).toMatchObject({ document: 7, msg: 'downloading' });
    expect(line.name).toMatch(/^patients\/p\*+\.m\*+@free\.fr_\+33\*+32\.csv$/);
    expect(line.url).toMatch(/^http:\/\/x\.onion\/files\/NIR_2\*+4\.pdf$/);
    expect(line.title).toMatch(/^Leak: /);
  });

  it('leaves other fields, and captured fields without a masker, as they are', () => {
    const { logger, lines } = capture();
    logger.info({ name: 'a@b.fr', count: 3 }, 'plain');
    expect(JSON.parse(lines().trim())).toMatchObject({ name: 'a@b.fr', count: 3 });
  });
});
