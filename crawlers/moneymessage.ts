import { defineSite } from '../src/parse/site-definition.ts';

/**
 * Money Message: the site is a single-page app; its listing comes from a JSON API, a top-level array of
 * `{ incidentDate, data: { name, description, … } }`. Items without `data.name` (seen as the first item) are skipped.
 */
export default defineSite({
  id: 'moneymessage',
  name: 'Money Message',
  group: 'moneymessage',
  mirrors: ['http://blogvl7tjyjvsfthobttze52w36wwiz34hrfcmorgvdzb6hikucb7aqd.onion/'],
  listing: {
    paths: ['/news.php?allNewsPage=1'],
    format: 'json',
    json: {
      items: '',
      fields: { title: 'data.name', date: 'incidentDate', description: 'data.description' },
    },
  },
});
