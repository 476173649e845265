import { defineSite } from '../src/parse/site-definition.ts';

/**
 * Daixin Team: Bootstrap cards (`div.card-body`); the title `h4.card-title` starts with an <img> flag and ends with
 * the country in brackets. Cards have no page of their own: the first link is the victim's website, so the post link
 * is looked for in the title only (none there) rather than taken from the first <a>.
 */
export default defineSite({
  id: 'daixin',
  name: 'Daixin Team',
  group: 'daixin',
  mirrors: ['http://7ukmkdtyxdkdivtjad57klqnd3kdsmq6tp45rrsxqnu76zzv3jvitlqd.onion/'],
  listing: {
    posts: 'div.card-body',
    fields: {
      title: 'h4.card-title',
      link: { selector: 'h4.card-title a[href]', attr: 'href' },
      website: { selector: 'h6.card-subtitle a[href]', attr: 'href' },
      description: 'p.card-text',
      attachments: 'a[href*=".onion/"]',
    },
  },
});
