import type { PostPage } from '../../store/posts-view.repository.ts';
import { type Html, html, localHref } from '../html.ts';
import { severity, when } from './format.ts';
import { page, type Session } from './layout.ts';

export interface PostFilters {
  q?: string;
  site?: string;
  group?: string;
  status?: string;
  org?: string;
}

export interface FilterChoices {
  sites: Array<{ id: string; name: string }>;
  groups: string[];
  organisations: Array<{ slug: string; name: string }>;
  statuses: readonly string[];
}

function options(values: Array<{ value: string; label: string }>, selected: string | undefined): Html[] {
  return [
    html`<option value="">any</option>`,
    ...values.map(
      (item) =>
        html`<option value="${item.value}"${item.value === selected ? ' selected' : ''}>${item.label}</option>`,
    ),
  ];
}

function filterForm(filters: PostFilters, choices: FilterChoices): Html {
  return html`<form class="filters" method="get" action="/posts">
<label>Search<input type="search" name="q" value="${filters.q ?? ''}" placeholder="words, &quot;a phrase&quot;, -not"></label>
<label>Site<select name="site">${options(
    choices.sites.map((site) => ({ value: site.id, label: site.name })),
    filters.site,
  )}</select></label>
<label>Group<select name="group">${options(
    choices.groups.map((group) => ({ value: group, label: group })),
    filters.group,
  )}</select></label>
<label>Status<select name="status">${options(
    choices.statuses.map((status) => ({ value: status, label: status })),
    filters.status,
  )}</select></label>
<label>Organisation matched<select name="org">${options(
    choices.organisations.map((org) => ({ value: org.slug, label: `${org.name} (${org.slug})` })),
    filters.org,
  )}</select></label>
<button type="submit">Filter</button>
<a href="/posts">clear</a>
</form>`;
}

function statusCell(item: PostPage['items'][number]): Html {
  if (item.removedAt) return html`<span class="badge">removed</span>`;
  return html`<span class="badge">${item.status}</span>`;
}

export function postsPage(options: {
  result: PostPage;
  filters: PostFilters;
  choices: FilterChoices;
  /** Not the first page: offer the way back to it. */
  paged: boolean;
  session: Session;
}): Html {
  const { result, filters, choices } = options;
  const rows = result.items.map(
    (item) => html`<tr>
<td><a href="${localHref(`/posts/${item.id}`)}">${item.title}</a></td>
<td>${item.groupName}<br><span class="muted">${item.siteName}</span></td>
<td>${statusCell(item)}</td>
<td>${item.organisations.map((org) => html`<div>${org.slug} ${severity(org.severity)}</div>`)}</td>
<td>${when(item.firstSeenAt)}</td>
<td>${when(item.lastSeenAt)}</td>
</tr>`,
  );
  const body = html`<h1>Posts</h1>
${filterForm(filters, choices)}
${
  result.items.length === 0
    ? html`<p class="muted">No post matches these filters.</p>`
    : html`<table>
<thead><tr><th>Title</th><th>Group / site</th><th>Status</th><th>Matched</th><th>First seen</th><th>Last seen</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
<nav class="pager">
${options.paged ? html`<a href="${localHref('/posts', { ...filters })}">first page</a>` : ''}
${result.next !== null ? html`<a href="${localHref('/posts', { ...filters, after: result.next })}" rel="next">next page</a>` : ''}
</nav>`;
  return page({ title: 'Posts', section: 'posts', body, session: options.session });
}
