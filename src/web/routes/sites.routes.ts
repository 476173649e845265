import type { FastifyInstance } from 'fastify';
import { listSites } from '../../store/sites.repository.ts';
import type { WebDependencies } from '../app.ts';
import { sessionOf } from '../csrf.ts';
import { sendPage } from '../reply.ts';
import { sitesPage } from '../views/sites.view.ts';

export function registerSitesRoutes(app: FastifyInstance, deps: WebDependencies, signedIn: boolean): void {
  app.get('/sites', async (request, reply) =>
    sendPage(reply, sitesPage(await listSites(deps.database.db), sessionOf(request, signedIn))),
  );
}
