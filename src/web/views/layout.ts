import { type Html, html } from '../html.ts';

export type Section = 'posts' | 'sites' | 'alerts' | 'login';

const NAV: Array<{ section: Section; label: string; href: string }> = [
  { section: 'posts', label: 'Posts', href: '/posts' },
  { section: 'sites', label: 'Sites', href: '/sites' },
  { section: 'alerts', label: 'Alerts', href: '/alerts' },
];

/** Every page: one stylesheet from the same origin, no script, no external resource. */
export function page(options: { title: string; section: Section; body: Html; signedIn?: boolean }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · leakwatch</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="top">
<span class="brand">leakwatch</span>
${NAV.map(
  (item) =>
    html`<a href="${item.href}" class="${item.section === options.section ? 'current' : ''}">${item.label}</a>`,
)}
${options.signedIn ? html`<form method="post" action="/logout"><button type="submit">Log out</button></form>` : ''}
</header>
<main>
${options.body}
</main>
</body>
</html>
`;
}

export function notFound(what: string): Html {
  return page({ title: 'Not found', section: 'posts', body: html`<h1>Not found</h1><p>${what}</p>` });
}

export function errorPage(status: number): Html {
  const message =
    status >= 500
      ? 'Something failed on the server; the log has the details.'
      : 'The request was not understood.';
  return page({
    title: `Error ${status}`,
    section: 'posts',
    body: html`<h1>Error ${status}</h1><p>${message}</p>`,
  });
}
