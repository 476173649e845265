import { describe, expect, it } from 'vitest';
import { diffPosts, type KnownPost } from './post-diff.ts';
import { stableKey } from './post-identity.ts';

const now = new Date('2026-05-01T00:00:00Z');
const host = 'http://mirror-a.onion';
const known = (overrides: Partial<KnownPost> & { stableKey: string }): KnownPost => ({
  id: 1,
  title: 'Azur Analyses',
  status: 'unknown',
  bodyText: null,
  countdownEndsAt: null,
  removedAt: null,
  missingRuns: 0,
  attachments: [],
  ...overrides,
});

describe('stableKey', () => {
  it('uses the link path, the same on every mirror, else the folded title', () => {
    expect(stableKey({ title: 'X', link: `${host}/post/5/` })).toBe('link:/post/5');
    expect(stableKey({ title: 'X', link: 'http://mirror-b.onion/post/5' })).toBe('link:/post/5');
    expect(stableKey({ title: 'X', link: 'http://m.onion/?id=Cg9a' })).toBe('link:/?id=Cg9a');
    expect(stableKey({ title: '  Azur   ANALYSES ', link: 'http://m.onion/' })).toBe('title:azur analyses');
  });
});

describe('diffPosts', () => {
  const options = { now };

  it('finds new posts and ignores duplicates within a run', () => {
    const post = { title: 'New Victim', link: `${host}/p/1` };
    const changes = diffPosts([post, post], [], options);
    expect(changes).toEqual([{ kind: 'new', key: 'link:/p/1', post }]);
  });

  it('reports a countdown that ended in publication, new files and new text', () => {
    const existing = known({
      stableKey: 'link:/p/1',
      status: 'countdown',
      bodyText: 'old',
      attachments: [`${host}/f/a.zip`],
    });
    const [change] = diffPosts(
      [
        {
          title: 'Azur Analyses',
          link: `${host}/p/1`,
          status: 'published',
          description: 'new',
          attachments: [`${host}/f/a.zip`, `${host}/f/b.zip`],
        },
      ],
      [existing],
      options,
    );
    expect(change?.kind).toBe('seen');
    const kinds = change?.kind === 'seen' ? change.events.map((event) => event.kind) : [];
    expect(kinds).toEqual(['countdown_ended', 'files_added', 'updated']);
  });

  it('reports nothing for an unchanged post', () => {
    const [change] = diffPosts(
      [{ title: 'Azur Analyses', link: `${host}/p/1` }],
      [known({ stableKey: 'link:/p/1' })],
      options,
    );
    expect(change).toMatchObject({ kind: 'seen', events: [] });
  });

  it('notices a countdown whose end passed while the site still shows it', () => {
    const existing = known({
      stableKey: 'link:/p/1',
      status: 'countdown',
      countdownEndsAt: new Date('2026-04-30T00:00:00Z'),
    });
    const [change] = diffPosts(
      [{ title: 'Azur Analyses', link: `${host}/p/1`, status: 'countdown' }],
      [existing],
      options,
    );
    expect(change?.kind === 'seen' && change.events.map((event) => event.kind)).toEqual(['countdown_ended']);
  });

  it('reports a removed post that comes back', () => {
    const existing = known({
      stableKey: 'link:/p/1',
      status: 'removed',
      removedAt: new Date('2026-04-01T00:00:00Z'),
    });
    const [change] = diffPosts([{ title: 'Azur Analyses', link: `${host}/p/1` }], [existing], options);
    expect(change?.kind === 'seen' && change.events.map((event) => event.kind)).toEqual(['reappeared']);
  });
});
