import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setAlertLifecycle } from '../../alert/lifecycle.ts';
import { type AlertMuteScope, addMute, muteTargetOfAlert, removeMute } from '../../alert/mutes.ts';
import { isAppError } from '../../shared/errors.ts';
import { getAlertScope } from '../../store/alerts-view.repository.ts';
import { actorOf, safeNextPath } from '../access.ts';
import type { WebDependencies } from '../app.ts';
import { positiveId, sendNotFound } from '../reply.ts';

const REASON_LIMIT = 500;
const MUTE_SCOPES: readonly AlertMuteScope[] = ['site', 'post', 'term'];

function formOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** Post/Redirect/Get: back to the page the form was on (inside the UI only), so a reload does not post again. */
function redirectBack(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const back = formOf(request).back;
  return reply.redirect(back === undefined ? '/alerts' : safeNextPath(back), 303);
}

/**
 * What an analyst may do to an alert from the UI: acknowledge, resolve, mute its site, its organisation+post or one of
 * its watch terms; and lift a mute.
 * POST only (the CSRF checks in csrf.ts run before these handlers); the work is done by the same functions the CLI
 * calls, which also write the audit entry with who acted.
 */
export function registerAlertActionsRoutes(app: FastifyInstance, deps: WebDependencies): void {
  const db = deps.database.db;
  const noSuchAlert = (reply: FastifyReply) => sendNotFound(reply, 'There is no alert with this id.');
  const noSuchMute = (reply: FastifyReply) => sendNotFound(reply, 'There is no mute with this id.');

  for (const [action, lifecycle] of [
    ['acknowledge', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const) {
    app.post(`/alerts/:id/${action}`, async (request, reply) => {
      const id = positiveId((request.params as { id: string }).id);
      const by = actorOf(request);
      const changed = id === undefined ? null : await setAlertLifecycle(db, id, lifecycle, by);
      if (!changed) return noSuchAlert(reply);
      request.log.info({ alert: id, lifecycle, actor: by.actor }, `alert ${lifecycle} from the web UI`);
      return redirectBack(request, reply);
    });
  }

  app.post('/alerts/:id/mute', async (request, reply) => {
    const id = positiveId((request.params as { id: string }).id);
    const alert = id === undefined ? null : await getAlertScope(db, id);
    if (!alert) return noSuchAlert(reply);
    const form = formOf(request);
    const scope = MUTE_SCOPES.find((known) => known === form.scope);
    const termId = typeof form.term === 'string' ? positiveId(form.term) : undefined;
    const target = scope === undefined ? undefined : muteTargetOfAlert(alert, scope, termId);
    if (!target) return sendNotFound(reply, 'This alert has nothing of that kind to mute.');
    const reason = typeof form.reason === 'string' ? form.reason.trim().slice(0, REASON_LIMIT) : '';
    const by = actorOf(request);
    try {
      const result = await addMute(db, target, reason === '' ? null : reason, by);
      request.log.info(
        { alert: id, mute: result.mute.id, alertsMuted: result.alertsMuted, actor: by.actor },
        'mute added from the web UI',
      );
    } catch (error) {
      // The site or post went away between the page and the form: nothing to mute.
      if (isAppError(error) && error.code === 'alert.mute_target') return sendNotFound(reply, error.message);
      throw error;
    }
    return redirectBack(request, reply);
  });

  app.post('/alerts/mutes/:id/unmute', async (request, reply) => {
    const id = positiveId((request.params as { id: string }).id);
    if (id === undefined) return noSuchMute(reply);
    const by = actorOf(request);
    try {
      const removed = await removeMute(db, id, by);
      request.log.info({ mute: id, kind: removed.kind, actor: by.actor }, 'mute lifted from the web UI');
    } catch (error) {
      // Lifted meanwhile (another analyst, the CLI): nothing left to do.
      if (isAppError(error) && error.code === 'alert.mute_not_found') return noSuchMute(reply);
      throw error;
    }
    return redirectBack(request, reply);
  });
}
