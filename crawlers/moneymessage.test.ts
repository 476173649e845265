import { describe, expect, it } from 'vitest';
import { readFixture } from './fixture-page.ts';
import site from './moneymessage.ts';

// Written for this test: Money Message's JSON API shape; the first item has no name, as on the site.
const body = JSON.stringify([
  {
    incidentDate: '2024.06.18',
    data: {
      timer: { isEnabled: false, expirationTime: '2024-06-30T00:00:00.000+00:00' },
      incidentDate: '18.06.2024',
      description: '',
      links: ['http://example.invalid/'],
      downloadFiles: [{ file: '/pub/021/', text: '' }],
    },
  },
  {
    incidentDate: '2024.05.16',
    data: {
      name: 'Azur Analyses Médicales',
      timer: { isEnabled: false, expirationTime: '2024-04-02T12:00:00.000+00:00' },
      incidentDate: '16.05.2024',
      description: 'Laboratory in Nice.\r\n\r\nData: 41GB\r\n\r\nWait for data',
      images: [],
      links: [],
    },
  },
]);

describe('moneymessage definition', () => {
  it('reads named items only, with their incident date and description', () => {
    const { posts } = readFixture(site, body, { contentType: 'application/json' });
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      title: 'Azur Analyses Médicales',
      date: '2024.05.16',
      description: 'Laboratory in Nice. Data: 41GB Wait for data',
    });
    expect(posts[0]?.publishedAt?.toISOString()).toBe('2024-05-16T00:00:00.000Z');
  });

  it('reports a response that is not JSON (an HTML error page) as a parse error', () => {
    expect(() => readFixture(site, '<html><body>502 Bad Gateway</body></html>')).toThrow(/not valid JSON/);
  });
});
