import { defineSite } from '../src/parse/site-definition.ts';

/**
 * Lorenz: one Bootstrap panel per victim (`div.panel > .panel-heading > h3`, "Posted <date>", website link) in the
 * main column. The fixed sidebar repeats every victim as a short alias ("#compNN" anchors): those are navigation,
 * not posts, and sit outside any panel. "Paid" panels (`panel-success`) have no h3 and are skipped. Panels have no
 * page of their own (only an in-page anchor), so posts have no link.
 */
export default defineSite({
  id: 'lorenz',
  name: 'Lorenz',
  group: 'lorenz',
  mirrors: ['http://lorenzmlwpzgxq736jzseuterytjueszsvznuibanxomlpkyxk6ksoyd.onion/'],
  listing: {
    posts: 'div.panel',
    fields: {
      title: '.panel-heading h3',
      link: { selector: '.panel-heading h3 a[href]', attr: 'href' },
      date: { selector: '.panel-heading', pattern: 'Posted\\s+(\\p{L}{3,9}\\.? \\d{1,2},? \\d{4})' },
      website: { selector: '.panel-heading h5 a[href]', attr: 'href' },
      status: '.progress-bar',
      size: { selector: '.panel-heading', pattern: 'More than (\\d+\\s*[GT]b)' },
      attachments: '.panel-body a[href*="download"]',
    },
  },
});
