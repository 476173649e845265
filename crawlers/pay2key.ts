import { defineSite } from '../src/parse/site-definition.ts';

/** Pay2Key: "Leak Directory", one `div.article` per victim: a cover image link, then `div.inner > h3 > a`. */
export default defineSite({
  id: 'pay2key',
  name: 'Pay2Key',
  group: 'pay2key',
  mirrors: ['http://pay2key2zkg7arp3kv3cuugdaqwuesifnbofun4j6yjdw5ry7zw2asid.onion/'],
  listing: {
    posts: '.articles div.article',
    fields: {
      title: '.inner h3',
      link: { selector: '.inner h3 a[href]', attr: 'href' },
    },
  },
});
