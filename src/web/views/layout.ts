import { type Html, html } from '../html.ts';

export type Section = 'posts' | 'sites' | 'alerts' | 'login';

const NAV: Array<{ section: Section; label: string; href: string }> = [
  { section: 'posts', label: 'Posts', href: '/posts' },
  { section: 'sites', label: 'Sites', href: '/sites' },
  { section: 'alerts', label: 'Alerts', href: '/alerts' },
];

/** Who views a page: whether to offer logging out, and the CSRF token its forms carry (see csrf.ts). */
export interface Session {
  signedIn: boolean;
  csrf: string;
}

/** The hidden field that makes a form acceptable to the CSRF check. */
export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="csrf" value="${session.csrf}">`;
}

/** Every page: one stylesheet from the same origin, no script, no external resource. */
export function page(options: { title: string; section: Section; body: Html; session?: Session }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
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
${options.session?.signedIn ? html`<form method="post" action="/logout">${csrfField(options.session)}<button type="submit">Log out</button></form>` : ''}
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

/** A form refused by the CSRF checks: says what to do, not which check failed (the log has that). */
export function refusedPage(): Html {
  return page({
    title: 'Refused',
    section: 'posts',
    body: html`<h1>Refused</h1>
<p>This form was not accepted: it did not come from a page of this leakwatch UI, or its form token has expired
(for example after a restart or a new login). Nothing was changed.</p>
<p>Go back, reload the page and submit it again.</p>`,
  });
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
