import { type Html, html, localHref } from '../html.ts';
import { csrfField, type Session } from './layout.ts';

/** The facts of an alert that decide which actions it offers. */
export interface ActionableAlert {
  id: number;
  orgId: number | null;
  siteId: string | null;
  postId: number | null;
  lifecycle: string;
}

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
  scope: 'site' | 'post',
  label: string,
  session: Session,
  back: string,
) {
  return actionForm(
    alert.id,
    'mute',
    session,
    back,
    html`<input type="hidden" name="scope" value="${scope}"><input name="reason" maxlength="500" placeholder="reason (optional)" aria-label="reason for muting"><button type="submit">${label}</button>`,
  );
}

/** Acknowledge and resolve while the lifecycle allows it; mutes where the alert has a site, or an org and a post. */
export function alertActions(alert: ActionableAlert, session: Session, back: string): Html {
  const mutes = [
    alert.siteId !== null ? muteForm(alert, 'site', 'Mute this site', session, back) : '',
    alert.orgId !== null && alert.postId !== null
      ? muteForm(alert, 'post', 'Mute this organisation + post', session, back)
      : '',
  ];
  return html`<div class="actions">
${alert.lifecycle === 'open' ? actionForm(alert.id, 'acknowledge', session, back, html`<button type="submit">Acknowledge</button>`) : ''}
${alert.lifecycle !== 'resolved' ? actionForm(alert.id, 'resolve', session, back, html`<button type="submit">Resolve</button>`) : ''}
${mutes.some((form) => form !== '') ? html`<details><summary>Mute…</summary>${mutes}</details>` : ''}
</div>`;
}
