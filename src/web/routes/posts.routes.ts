import type { FastifyInstance } from 'fastify';
import { getPostDetail } from '../../store/post-detail-view.repository.ts';
import type { PostStatus } from '../../store/posts-query.repository.ts';
import { listPostPage, postFilterChoices } from '../../store/posts-view.repository.ts';
import { postStatuses } from '../../store/schema/index.ts';
import type { WebDependencies } from '../app.ts';
import { sessionOf } from '../csrf.ts';
import { positiveId, queryText, sendNotFound, sendPage } from '../reply.ts';
import { postDetailPage } from '../views/post-detail.view.ts';
import { type PostFilters, postsPage } from '../views/posts.view.ts';

const PAGE_SIZE = 50;

export function registerPostsRoutes(app: FastifyInstance, deps: WebDependencies, signedIn: boolean): void {
  const db = deps.database.db;

  app.get('/', async (_request, reply) => reply.redirect('/posts', 302));

  app.get('/posts', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const filters: PostFilters = {
      q: queryText(query.q),
      site: queryText(query.site),
      group: queryText(query.group),
      status: queryText(query.status),
      org: queryText(query.org),
    };
    const choices = await postFilterChoices(db);
    // An unknown status or organisation matches nothing rather than being ignored: a filter never silently widens.
    const status = filters.status as PostStatus | undefined;
    const knownStatus = status === undefined || postStatuses.includes(status);
    const org = filters.org ? choices.organisations.find((item) => item.slug === filters.org) : undefined;
    const knownOrg = filters.org === undefined || org !== undefined;
    const after = positiveId(queryText(query.after));
    const result =
      knownStatus && knownOrg
        ? await listPostPage(db, {
            search: filters.q,
            siteId: filters.site,
            groupName: filters.group,
            status,
            orgId: org?.id,
            after,
            limit: PAGE_SIZE,
          })
        : { items: [], next: null };
    return sendPage(
      reply,
      postsPage({
        result,
        filters,
        choices: { ...choices, statuses: postStatuses },
        paged: after !== undefined,
        session: sessionOf(request, signedIn),
      }),
    );
  });

  app.get('/posts/:id', async (request, reply) => {
    const id = positiveId((request.params as { id: string }).id);
    const detail = id === undefined ? null : await getPostDetail(db, id);
    if (!detail) return sendNotFound(reply, 'There is no post with this id.');
    return sendPage(
      reply,
      postDetailPage({
        detail,
        now: new Date(),
        evidenceAvailable: deps.evidence !== undefined,
        session: sessionOf(request, signedIn),
      }),
    );
  });
}
