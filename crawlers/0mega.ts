import { defineSite } from '../src/parse/site-definition.ts';

/** 0mega: a plain table, one `tr.trow` per victim (name, leaked %, tags, size, last update, "open" link). */
export default defineSite({
  id: '0mega',
  name: '0mega',
  group: '0mega',
  mirrors: ['http://omegalock5zxwbhswbisc42o2q2i54vdulyvtqqbudqousisjgc7j7yd.onion/'],
  listing: {
    // The header row has no class; only victim rows are `tr.trow`.
    posts: 'table.datatable tr.trow',
    fields: {
      title: 'td:nth-child(1)',
      status: 'td:nth-child(2)',
      description: 'td:nth-child(3)',
      size: 'td:nth-child(4)',
      date: 'td:nth-child(5)',
      link: { selector: 'td:last-child a[href]', attr: 'href' },
    },
  },
});
