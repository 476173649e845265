import { defineSite } from '../src/parse/site-definition.ts';

/**
 * Everest: WordPress, theme twentytwenty: `article.post > header h2.entry-title > a`, WordPress pagination. The
 * listing shows no dates (the theme's post meta is switched off).
 */
export default defineSite({
  id: 'everest',
  name: 'Everest',
  group: 'everest',
  mirrors: ['http://ransomocmou6mnbquqz44ewosbkjk3o5qjsl3orawojexfook2j7esad.onion/'],
  listing: {
    posts: 'main article.post',
    fields: {
      title: 'h2.entry-title',
      link: { selector: 'h2.entry-title a[href]', attr: 'href' },
      description: '.entry-content',
    },
    pagination: { next: '.pagination a.next[href]', links: '.pagination a.page-numbers[href]' },
  },
});
