import { type Html, html, localHref } from '../html.ts';
import { csrfField, type Session } from './layout.ts';

/** The facts of an alert that decide which actions it offers. */
export interface ActionableAlert {
  id: number;
  orgId: number | null;
  siteId: string | null;
  postId: number | null;
  lifecycle: string;
  /** Watch terms the alert reports: each can be muted from it. */
  terms: readonly { termId: number; pattern: string }[];
}

/** Term mutes offered per alert at most (an alert of a broad regex term reports few; a page stays readable). */
const TERM_MUTES = 10;

/** A plain POST form, no script, to `path`: it carries the CSRF token and the page to come back to. */
export function postForm(path: string, session: Session, back: string, fields: Html): Html {
  return html`<form class="action" method="post" action="${localHref(path)}">${csrfField(session)}<input type="hidden" name="back" value="${back}">${fields}</form>`;
}

/**
 * An action on one alert. The server derives what a mute covers from the alert itself, so a form names only the alert
 * and the kind of mute.
 */
function actionForm(alertId: number, action: string, session: Session, back: string, fields: Html): Html {
  return postForm(`/alerts/${alertId}/${action}`, session, back, fields);
}

function muteForm(
  alert: ActionableAlert,
  scope: 'site' | 'post' | 'term',
  label: Html | string,
  session: Session,
  back: string,
  termId?: number,
) {
  const term = termId === undefined ? '' : html`<input type="hidden" name="term" value="${termId}">`;
  return actionForm(
    alert.id,
    'mute',
    session,
    back,
    html`<input type="hidden" name="scope" value="${scope}">${term}<input name="reason" maxlength="500" placeholder="reason (optional)" aria-label="reason for muting"><button type="submit">${label}</button>`,
  );
}

/**
 * Acknowledge and resolve while the lifecycle allows it; mutes where the alert has a site, an org and a post, or watch
 * terms (the term as the organisation registered it, escaped).
 */
export function alertActions(alert: ActionableAlert, session: Session, back: string): Html {
  const mutes = [
    alert.siteId !== null ? muteForm(alert, 'site', 'Mute this site', session, back) : '',
    alert.orgId !== null && alert.postId !== null
      ? muteForm(alert, 'post', 'Mute this organisation + post', session, back)
      : '',
    ...(alert.orgId === null ? [] : alert.terms.slice(0, TERM_MUTES)).map((term) =>
      muteForm(alert, 'term', html`Mute term “${term.pattern}”`, session, back, term.termId),
    ),
  ];
  return html`<div class="actions">
${alert.lifecycle === 'open' ? actionForm(alert.id, 'acknowledge', session, back, html`<button type="submit">Acknowledge</button>`) : ''}
${alert.lifecycle !== 'resolved' ? actionForm(alert.id, 'resolve', session, back, html`<button type="submit">Resolve</button>`) : ''}
${mutes.some((form) => form !== '') ? html`<details><summary>Mute…</summary>${mutes}</details>` : ''}
</div>`;
}
