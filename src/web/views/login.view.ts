import { type Html, html } from '../html.ts';
import { csrfField, page, type Session } from './layout.ts';

export function loginPage(options: { next: string; failed: boolean; session: Session }): Html {
  const body = html`<form class="login" method="post" action="/login">
<h1>Log in</h1>
<p class="muted">This leakwatch is reachable from the network: paste an API token (<code>leakwatch tokens create &lt;name&gt;</code> prints one).</p>
${options.failed ? html`<p class="error">That token is unknown, revoked or expired.</p>` : ''}
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<input type="hidden" name="next" value="${options.next}">
${csrfField(options.session)}
<button type="submit">Log in</button>
</form>`;
  return page({ title: 'Log in', section: 'login', body });
}
