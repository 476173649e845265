import type { AlertListItem } from '../../store/alerts-view.repository.ts';
import { type Html, html, localHref } from '../html.ts';
import { alertActions } from './alert-actions.view.ts';
import { severity, when } from './format.ts';
import { page, type Session } from './layout.ts';
import { type MuteListItem, mutesSection } from './mutes.view.ts';

export function alertsPage(options: {
  items: readonly AlertListItem[];
  next: number | null;
  state: string | undefined;
  states: readonly string[];
  paged: boolean;
  /** The page's `before` cursor, to come back to after an action. */
  before: number | undefined;
  mutes: readonly MuteListItem[];
  session: Session;
}): Html {
  // After an action the analyst comes back to the same page of the same filter.
  const back = localHref('/alerts', { state: options.state, before: options.before });
  const rows = options.items.map(
    (alert) => html`<tr>
<td>${alert.id}${alert.parentAlertId ? html`<br><span class="muted">follows #${alert.parentAlertId}</span>` : ''}</td>
<td>${alert.postId !== null ? html`<a href="${localHref(`/posts/${alert.postId}`)}">${alert.postTitle ?? `post ${alert.postId}`}</a>` : html`<span class="muted">—</span>`}</td>
<td>${alert.orgSlug ?? html`<span class="muted">analysts</span>`}</td>
<td>${alert.channelName} <span class="muted">(${alert.channelType})</span></td>
<td>${alert.kind}</td>
<td>${severity(alert.severity)}</td>
<td class="state-${alert.state}">${alert.state}${alert.state === 'pending' && alert.nextAttemptAt ? html`<br><span class="muted">next ${when(alert.nextAttemptAt)}</span>` : ''}</td>
<td>${alert.lifecycle}</td>
<td>${alert.attempts}</td>
<td class="error">${alert.lastError ?? ''}</td>
<td>${when(alert.createdAt)}</td>
<td>${alertActions(alert, options.session, back)}</td>
</tr>`,
  );
  const body = html`<h1>Alerts</h1>
<form class="filters" method="get" action="/alerts">
<label>Delivery state<select name="state">
<option value="">any</option>
${options.states.map((state) => html`<option value="${state}"${state === options.state ? ' selected' : ''}>${state}</option>`)}
</select></label>
<button type="submit">Filter</button>
</form>
${
  options.items.length === 0
    ? html`<p class="muted">No alerts.</p>`
    : html`<table>
<thead><tr><th>#</th><th>Post</th><th>Organisation</th><th>Channel</th><th>Kind</th><th>Severity</th><th>State</th><th>Lifecycle</th><th>Attempts</th><th>Failure reason</th><th>Created</th><th>Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
<nav class="pager">
${options.paged ? html`<a href="${localHref('/alerts', { state: options.state })}">first page</a>` : ''}
${options.next !== null ? html`<a href="${localHref('/alerts', { state: options.state, before: options.next })}" rel="next">next page</a>` : ''}
</nav>
${mutesSection(options.mutes, options.session, back)}`;
  return page({ title: 'Alerts', section: 'alerts', body, session: options.session });
}
