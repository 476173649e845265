import type { FastifyInstance } from 'fastify';
import { listMutes } from '../../alert/mutes.ts';
import { type AlertState, listAlertPage } from '../../store/alerts-view.repository.ts';
import { alertStates } from '../../store/schema/index.ts';
import type { WebDependencies } from '../app.ts';
import { sessionOf } from '../csrf.ts';
import { positiveId, queryText, sendPage } from '../reply.ts';
import { alertsPage } from '../views/alerts.view.ts';

const PAGE_SIZE = 100;

export function registerAlertsRoutes(app: FastifyInstance, deps: WebDependencies, signedIn: boolean): void {
  app.get('/alerts', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const state = queryText(query.state) as AlertState | undefined;
    const before = positiveId(queryText(query.before));
    const result =
      state === undefined || alertStates.includes(state)
        ? await listAlertPage(deps.database.db, { state, before, limit: PAGE_SIZE })
        : { items: [], next: null };
    return sendPage(
      reply,
      alertsPage({
        ...result,
        state,
        states: alertStates,
        paged: before !== undefined,
        before,
        mutes: await listMutes(deps.database.db),
        session: sessionOf(request, signedIn),
      }),
    );
  });
}
