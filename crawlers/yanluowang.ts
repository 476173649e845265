import type { ParsedListing } from '../src/parse/parsed-post.ts';
import { parseListing } from '../src/parse/selector-parser.ts';
import { defineSite, type SiteDefinitionInput } from '../src/parse/site-definition.ts';

/**
 * Yanluowang: Hugo theme: `div.post.on-list > h1.post-title > a` with an empty `span.countdown` that the site's
 * script fills from the hidden `span.post-date-hidden` (the publication deadline). The page as fetched has no
 * running timer, so the status comes from that deadline: still ahead of the fetch → countdown, passed → published.
 */
const data = {
  id: 'yanluowang',
  name: 'Yanluowang',
  group: 'yanluowang',
  mirrors: ['http://jukswsxbh3jsxuddvidrjdvwuohtsy4kxg2axbppiyclomt2qciyfoad.onion/'],
  listing: {
    posts: '.posts div.post.on-list',
    fields: {
      // The link only: the countdown span sits in the same h1.
      title: 'h1.post-title a',
      link: { selector: 'h1.post-title a[href]', attr: 'href' },
      date: '.post-meta .post-date',
      countdown: '.post-meta .post-date-hidden',
      description: '.post-content',
    },
    pagination: { next: '.pagination .next a[href]' },
  },
} satisfies SiteDefinitionInput;

const bySelectors = defineSite(data);

/** A deadline that has passed means the data is out. */
export function settleCountdowns(listing: ParsedListing, fetchedAt: Date): ParsedListing {
  for (const post of listing.posts) {
    if (post.countdownEndsAt)
      post.status = post.countdownEndsAt.getTime() > fetchedAt.getTime() ? 'countdown' : 'published';
  }
  return listing;
}

export default defineSite({
  ...data,
  parse: (page) => settleCountdowns(parseListing(bySelectors, page), page.fetchedAt),
});
