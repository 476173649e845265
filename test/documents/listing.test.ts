import { describe, expect, it } from 'vitest';
import { parseListing } from '../../src/documents/listing.ts';
import { apacheIndex, lighttpdIndex, nginxIndex } from '../support/documents/file-routes.ts';

const HOST = 'http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion';

describe('directory listings', () => {
  it.each([
    ['apache', apacheIndex],
    ['nginx', nginxIndex],
    ['lighttpd', lighttpdIndex],
  ] as const)(
    'reads a %s autoindex: files and subdirectories, never the parent or sort links',
    (style, page) => {
      const listing = parseListing(
        page('/leak/', ['clients.csv', 'rapports/', 'bilan 07.pdf']),
        `${HOST}/leak/`,
      );
      expect(listing?.style).toBe(style);
      expect(listing?.entries).toEqual([
        { url: `${HOST}/leak/clients.csv`, name: 'clients.csv', directory: false },
        { url: `${HOST}/leak/rapports/`, name: 'rapports', directory: true },
        { url: `${HOST}/leak/bilan%2007.pdf`, name: 'bilan 07.pdf', directory: false },
      ]);
    },
  );

  it('keeps a plain page of links to files beside it, and nothing that leaves the directory or the host', () => {
    const html = `<html><body><ul>
      <li><a href="dump.sql">dump.sql</a></li>
      <li><a href="part2/">part2/</a></li>
      <li><a href="/other/secret.txt">elsewhere on the host</a></li>
      <li><a href="../up.txt">up</a></li>
      <li><a href="sub/deeper/x.csv">two levels down</a></li>
      <li><a href="http://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.onion/leak/a.csv">another onion</a></li>
      <li><a href="http://example.com/leak/b.csv">clearnet</a></li>
      <li><a href="%2e%2e/escape.txt">encoded parent</a></li>
      <li><a href="dump.sql#top">dump.sql again</a></li>
    </ul></body></html>`;
    const listing = parseListing(html, `${HOST}/leak/`);
    expect(listing?.style).toBe('links');
    expect(listing?.entries.map((entry) => entry.url)).toEqual([
      `${HOST}/leak/dump.sql`,
      `${HOST}/leak/part2/`,
    ]);
  });

  it('does not take an HTML document for a listing', () => {
    const page = `<html><body><h1>Rapport annuel</h1><p>${'Texte du rapport. '.repeat(200)}</p><p>Voir <a href="annexe.pdf">l'annexe</a>.</p></body></html>`;
    expect(parseListing(page, `${HOST}/docs/rapport.html`)).toBeUndefined();
    expect(parseListing('<html><body>No links</body></html>', `${HOST}/leak/`)).toBeUndefined();
  });
});
