import { defineSite } from '../src/parse/site-definition.ts';

/**
 * Groove: one-line minified blog with a Russian UI: `div.post > a.title`, "Опубликовано: <date>" in `.time .date`.
 * The group's announcements sit in the same list with the same markup; nothing in the page tells them apart, so
 * they are returned as posts (matching finds no organisation in them).
 */
export default defineSite({
  id: 'groove',
  name: 'Groove',
  group: 'groove',
  mirrors: ['http://ws3dh6av66sjbxxkjpw5ao3wqzmtejnkzheswm4dz5rrwvular7xvkqd.onion/'],
  listing: {
    posts: 'div.post',
    fields: {
      title: 'a.title',
      link: { selector: 'a.title[href]', attr: 'href' },
      // "Опубликовано" is the post's date label, not a data-publication status: read only the date after it.
      date: { selector: '.time .date', pattern: ':\\s*(.+)$' },
      description: 'p',
    },
  },
});
