import type { listMutes } from '../../alert/mutes.ts';
import { type Html, html, localHref } from '../html.ts';
import { postForm } from './alert-actions.view.ts';
import { when } from './format.ts';
import type { Session } from './layout.ts';

export type MuteListItem = Awaited<ReturnType<typeof listMutes>>[number];

function target(mute: MuteListItem): Html {
  const org = mute.org ?? html`<span class="muted">(organisation removed)</span>`;
  if (mute.kind === 'site') return html`site ${mute.siteId ?? ''}`;
  if (mute.kind === 'post' && mute.postId !== null)
    return html`${org}, post <a href="${localHref(`/posts/${mute.postId}`)}">#${mute.postId}</a>`;
  return html`${org}, term “${mute.term ?? `#${mute.termId}`}”`;
}

/**
 * The mutes in force, each with an Unmute form (POST, CSRF token, back to this page). Alerts a mute silenced stay
 * muted; alerts written after the unmute are delivered again.
 */
export function mutesSection(mutes: readonly MuteListItem[], session: Session, back: string): Html {
  const rows = mutes.map(
    (mute) => html`<tr>
<td>${mute.id}</td>
<td>${mute.kind}</td>
<td>${target(mute)}</td>
<td>${mute.reason ?? html`<span class="muted">—</span>`}</td>
<td>${when(mute.createdAt)}</td>
<td>${postForm(`/alerts/mutes/${mute.id}/unmute`, session, back, html`<button type="submit">Unmute</button>`)}</td>
</tr>`,
  );
  return html`<h2 id="mutes">Mutes</h2>
${
  mutes.length === 0
    ? html`<p class="muted">Nothing is muted.</p>`
    : html`<table>
<thead><tr><th>#</th><th>Kind</th><th>What</th><th>Reason</th><th>Since</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`;
}
