import { defineSite } from '../src/parse/site-definition.ts';

/**
 * BlackSuit: minified server-rendered cards (`div.card > div.title > a`), the victim's website in `.url`, the share
 * already published as a progress-bar width, dump links in `.links`, numbered pages in `.pagination`.
 */
export default defineSite({
  id: 'blacksuit',
  name: 'BlackSuit',
  group: 'blacksuit',
  mirrors: ['http://weg7sdx54bevnvulapqu6bpzwztryeflq3s23tegbmnhkbpqz637f2yd.onion/'],
  listing: {
    posts: 'main div.card',
    fields: {
      title: '.title a',
      link: { selector: '.title a[href]', attr: 'href' },
      website: { selector: '.url a[href]', attr: 'href' },
      description: '.text',
      // "width: 100%" reads as published; a partial upload gives no status.
      status: { selector: '.progress', attr: 'style', pattern: 'width:\\s*(\\d+\\s*%)' },
      attachments: '.links a[href]',
    },
    pagination: { links: '.pagination a[href]' },
  },
});
