import type { SiteOverview } from '../../store/sites.repository.ts';
import { type Html, html, localHref } from '../html.ts';
import { when } from './format.ts';
import { page, type Session } from './layout.ts';

export function sitesPage(sites: readonly SiteOverview[], session: Session): Html {
  const rows = sites.map(
    (site) => html`<tr>
<td>${site.name}<br><span class="muted">${site.id} · ${site.engine}${site.enabled ? '' : ' · disabled'}</span></td>
<td>${site.groupName}</td>
<td class="health-${site.health}">${site.health}${site.healthSince ? html`<br><span class="muted">since ${when(site.healthSince)}</span>` : ''}${site.healthDetail ? html`<div class="muted">${site.healthDetail}</div>` : ''}</td>
<td>${site.lastRun ? html`${when(site.lastRun.startedAt)}<br><span class="muted">${site.lastRun.status}</span>` : html`<span class="muted">never</span>`}</td>
<td>${when(site.lastSuccessAt)}</td>
<td><a href="${localHref('/posts', { site: site.id })}">${site.posts.active}</a>${site.posts.removed ? html` <span class="muted">(+${site.posts.removed} removed)</span>` : ''}</td>
</tr>`,
  );
  const body = html`<h1>Sites</h1>
${
  sites.length === 0
    ? html`<p class="muted">No site is configured yet.</p>`
    : html`<table>
<thead><tr><th>Site</th><th>Group</th><th>Health</th><th>Last run</th><th>Last success</th><th>Posts</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`;
  return page({ title: 'Sites', section: 'sites', body, session });
}
