import type { PostDetail } from '../../store/post-detail-view.repository.ts';
import { type Html, html, localHref } from '../html.ts';
import { alertActions } from './alert-actions.view.ts';
import { bytes, countdown, counts, severity, when } from './format.ts';
import { page, type Session } from './layout.ts';

function table(headers: string[], rows: Html[], empty: string): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table><thead><tr>${headers.map((header) => html`<th>${header}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

function facts(detail: PostDetail, now: Date): Html {
  const { post, site } = detail;
  return html`<dl class="facts">
<dt>Group</dt><dd>${site.groupName}</dd>
<dt>Site</dt><dd><a href="${localHref('/posts', { site: site.id })}">${site.name}</a> <span class="muted">(${site.id}, ${site.health})</span></dd>
<dt>Status</dt><dd><span class="badge">${post.removedAt ? 'removed' : post.status}</span></dd>
${post.countdownEndsAt ? html`<dt>Countdown</dt><dd>${when(post.countdownEndsAt)} <span class="muted">(${countdown(post.countdownEndsAt, now)})</span></dd>` : ''}
<dt>Published</dt><dd>${post.publishedAt ? when(post.publishedAt) : (post.publishedRaw ?? '—')}</dd>
<dt>First seen</dt><dd>${when(post.firstSeenAt)}</dd>
<dt>Last seen</dt><dd>${when(post.lastSeenAt)}</dd>
${post.removedAt ? html`<dt>Removed</dt><dd>${when(post.removedAt)}</dd>` : ''}
<dt>Post URL</dt><dd><code>${post.url ?? '—'}</code></dd>
<dt>Victim website</dt><dd><code>${post.website ?? '—'}</code></dd>
<dt>Size claimed</dt><dd>${post.sizeText ?? '—'}</dd>
</dl>`;
}

function events(detail: PostDetail): Html {
  return table(
    ['When', 'Event', 'Details'],
    detail.events.map(
      (event) =>
        html`<tr><td>${when(event.createdAt)}</td><td>${event.kind}</td><td><code>${Object.keys(event.details).length ? JSON.stringify(event.details) : ''}</code></td></tr>`,
    ),
    'No events recorded.',
  );
}

function documents(detail: PostDetail): Html {
  return table(
    ['File', 'Size', 'sha256', 'Type', 'Extraction', 'Counts'],
    detail.documents.map(
      (doc) => html`<tr>
<td>${doc.fileName}${doc.name !== doc.fileName ? html`<br><span class="muted">${doc.name}</span>` : ''}<br><code class="muted">${doc.sourceUrl}</code></td>
<td>${bytes(doc.sizeBytes)}</td>
<td><code>${doc.sha256 ?? '—'}</code></td>
<td>${doc.sniffedType ?? '—'}</td>
<td>${doc.status}${doc.error ? html`<div class="error">${doc.error}</div>` : ''}${doc.warnings.map((warning) => html`<div class="muted">${warning}</div>`)}${doc.rawDeletedAt ? html`<div class="muted">raw file deleted (retention)</div>` : ''}</td>
<td>${counts(doc.counts)}</td>
</tr>`,
    ),
    'No files linked from this post.',
  );
}

function matches(detail: PostDetail): Html {
  return table(
    [
      'Organisation',
      'In',
      'Terms',
      'Identifiers',
      'Dump verdict',
      'Categories',
      'Severity',
      'Masked samples',
    ],
    detail.matches.map(
      (match) => html`<tr>
<td>${match.orgName} <span class="muted">(${match.orgSlug})</span></td>
<td>${match.documentName ?? html`<span class="muted">post text</span>`}</td>
<td>${match.termsHit.map((term) => html`<div>${term.pattern} × ${term.count}</div>`)}</td>
<td>${counts(match.identifierCounts)}</td>
<td>${match.verdict ? `${match.verdict.recordsMatched} of ${match.verdict.recordsTotal} records` : '—'}</td>
<td>${match.categories.join(', ') || '—'}</td>
<td>${severity(match.severity)}</td>
<td>${match.maskedSamples.map((sample) => html`<div><code>${sample}</code></div>`)}</td>
</tr>`,
    ),
    'No organisation matched.',
  );
}

function alerts(detail: PostDetail, session: Session): Html {
  return table(
    [
      '#',
      'Channel',
      'Organisation',
      'Kind',
      'Severity',
      'State',
      'Lifecycle',
      'Attempts',
      'Last error',
      'Created',
      'Actions',
    ],
    detail.alerts.map(
      (alert) => html`<tr>
<td>${alert.id}${alert.parentAlertId ? html`<br><span class="muted">follows #${alert.parentAlertId}</span>` : ''}</td>
<td>${alert.channelName} <span class="muted">(${alert.channelType})</span></td>
<td>${alert.orgSlug ?? '—'}</td>
<td>${alert.kind}</td>
<td>${severity(alert.severity)}</td>
<td class="state-${alert.state}">${alert.state}${alert.deliveredAt ? html`<br>${when(alert.deliveredAt)}` : ''}</td>
<td>${alert.lifecycle}</td>
<td>${alert.attempts}</td>
<td class="error">${alert.lastError ?? ''}</td>
<td>${when(alert.createdAt)}</td>
<td>${alertActions(alert, session, localHref(`/posts/${detail.post.id}`))}</td>
</tr>`,
    ),
    'No alerts for this post.',
  );
}

function captures(detail: PostDetail, evidenceAvailable: boolean): Html {
  if (detail.captures.length === 0) return html`<p class="muted">No captures of this post.</p>`;
  return html`${detail.captures.map(
    (capture) => html`<figure>
<figcaption>${when(capture.capturedAt)} · HTTP ${capture.httpStatus ?? '—'} · ${bytes(capture.bytes)} · <code>${capture.url}</code>
${capture.hasBody && evidenceAvailable ? html` · <a href="${localHref(`/captures/${capture.id}/page.txt`)}" download>captured page (as text)</a>` : ''}</figcaption>
${capture.hasScreenshot && evidenceAvailable ? html`<img class="screenshot" src="${localHref(`/captures/${capture.id}/screenshot`)}" alt="screenshot of the post page">` : ''}
</figure>`,
  )}`;
}

export function postDetailPage(options: {
  detail: PostDetail;
  now: Date;
  evidenceAvailable: boolean;
  session: Session;
}): Html {
  const { detail } = options;
  const body = html`<p><a href="/posts">← posts</a></p>
<h1>${detail.post.title}</h1>
${facts(detail, options.now)}
<h2>Post text</h2>
${detail.post.bodyText ? html`<pre class="post-text">${detail.post.bodyText}</pre>` : html`<p class="muted">No text captured.</p>`}
<h2>Matches</h2>
${matches(detail)}
<h2>Alerts</h2>
${alerts(detail, options.session)}
<h2>Files</h2>
${documents(detail)}
<h2>History</h2>
${events(detail)}
<h2>Captures</h2>
${captures(detail, options.evidenceAvailable)}`;
  return page({ title: detail.post.title, section: 'posts', body, session: options.session });
}
