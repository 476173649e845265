import { defineSite } from '../src/parse/site-definition.ts';

/** Pandora: Gridea blog theme: `div.post` with `span.post-title` inside the post link, "POST · <date> ·" in <time>. */
export default defineSite({
  id: 'pandora',
  name: 'Pandora',
  group: 'pandora',
  mirrors: ['http://vbfqeh5nugm6r2u2qvghsdxm3fotf5wbxb5ltv6vw77vus5frdpuaiid.onion/'],
  listing: {
    posts: '.post-inner div.post',
    fields: {
      title: '.post-title',
      link: { selector: '.post-left a[href]', attr: 'href' },
      date: { selector: 'time.post-time', pattern: '(\\d{4}-\\d{2}-\\d{2})' },
      description: '.post-abstract',
    },
    pagination: { links: '.pagination-container a[href]' },
  },
});
