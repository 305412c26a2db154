/** E-mail addresses and webhooks: lists, add forms, the once-shown secret, delivery attempts. */
import type { EmailView } from '../services/email-addresses.js';
import type { WebhookView } from '../services/webhooks.js';
import { buttonForm, csrfInput, field, type FieldErrors } from './forms.js';
import { html, type Html } from './html.js';

export function emailsPage(csrf: string, emails: EmailView[], errors: FieldErrors, address = ''): Html {
  return html`<p>Alerts go only to addresses you have confirmed.</p>
${emails.length === 0 ? '' : html`<table><thead><tr><th>Address</th><th>State</th><th></th></tr></thead><tbody>
${emails.map(
  (e) => html`<tr><td>${e.address}</td><td>${emailState(e)}</td>
<td>${e.verified ? '' : buttonForm(`/emails/${e.id}/resend`, 'Resend link', csrf)} ${e.verified && (e.bounce !== null || e.unsubscribed) ? buttonForm(`/emails/${e.id}/resume`, 'Resume alerts', csrf) : ''} ${buttonForm(`/emails/${e.id}/delete`, 'Remove', csrf, { danger: true })}</td></tr>`,
)}</tbody></table>`}
<h2>Add an address</h2>
<form method="post" action="/emails" novalidate>${csrfInput(csrf)}
${field({ name: 'address', label: 'E-mail address', type: 'email', value: address, autocomplete: 'email', required: true }, errors)}
<button type="submit">Add address</button></form>`;
}

function emailState(e: EmailView): Html | string {
  if (!e.verified) return 'waiting for confirmation';
  if (e.bounce !== null) return html`<span class="status-disabled">bounced</span> on ${e.bounce.at.slice(0, 10)}: <small>${e.bounce.reason}</small>`;
  return e.unsubscribed ? 'unsubscribed' : 'confirmed';
}

export function secretBox(secret: string): Html {
  return html`<div role="alert"><p><strong>Copy this signing secret now: it will not be shown again.</strong></p><p class="secret" id="webhook-secret">${secret}</p></div>`;
}

export function webhooksPage(csrf: string, hooks: WebhookView[], errors: FieldErrors, values: { url?: string } = {}, created?: { id: string; secret: string }): Html {
  return html`${created ? secretBox(created.secret) : ''}
<p>Sigwatch POSTs signed JSON to your endpoints (<a href="/docs/webhooks">format and signature</a>).</p>
${hooks.length === 0 ? '' : html`<table><thead><tr><th>URL</th><th>State</th></tr></thead><tbody>
${hooks.map((h) => html`<tr><td><a href="/webhooks/${h.id}">${h.url}</a>${h.description ? html`<br><small>${h.description}</small>` : ''}</td><td class="status-${h.enabled ? 'ok' : 'disabled'}">${h.enabled ? 'enabled' : `disabled${h.disabledReason ? `: ${h.disabledReason}` : ''}`}</td></tr>`)}
</tbody></table>`}
<h2>Add a webhook</h2>
<form method="post" action="/webhooks" novalidate>${csrfInput(csrf)}
${field({ name: 'url', label: 'Endpoint URL', type: 'url', value: values.url, hint: 'https://…', required: true }, errors)}
${field({ name: 'description', label: 'Description (optional)' }, errors)}
<div class="field"><label><input type="checkbox" name="includeIncidents"> Also send log incidents (<code>log.incident</code>)</label></div>
<button type="submit">Add webhook</button></form>`;
}

type Attempt = { number: number; startedAt: Date; durationMs: number; ok: boolean; statusCode: number | null; error: string | null };
type DeliveryRow = { id: string; kind: string; status: string; createdAt: Date; attempts: Attempt[] };

export function attemptsTable(attempts: Attempt[]): Html {
  if (attempts.length === 0) return html`<small>no attempt yet</small>`;
  return html`<ul>${attempts.map((a) => html`<li>#${a.number} ${a.startedAt.toISOString()}: <span class="status-${a.ok ? 'sent' : 'failed'}">${a.ok ? 'ok' : 'failed'}</span>${a.statusCode !== null ? ` HTTP ${a.statusCode}` : ''}${a.error ? ` — ${a.error}` : ''} (${a.durationMs} ms)</li>`)}</ul>`;
}

export function webhookDetail(csrf: string, h: WebhookView, deliveries: DeliveryRow[], secret?: string): Html {
  return html`${secret ? secretBox(secret) : ''}
<p><code>${h.url}</code></p>
<p>State: <span class="status-${h.enabled ? 'ok' : 'disabled'}">${h.enabled ? 'enabled' : 'disabled'}</span>${h.disabledReason ? html` — ${h.disabledReason}` : ''}
${h.previousSecretExpiresAt ? html`<br>The previous secret also signs until ${h.previousSecretExpiresAt}.` : ''}</p>
<p>${buttonForm(`/webhooks/${h.id}/test`, 'Send test event', csrf)} ${buttonForm(`/webhooks/${h.id}/enable`, h.enabled ? 'Disable' : 'Re-enable', csrf)}
${buttonForm(`/webhooks/${h.id}/rotate`, 'Rotate secret', csrf)} ${buttonForm(`/webhooks/${h.id}/delete`, 'Delete', csrf, { danger: true })}</p>
<h2>Recent deliveries</h2>
${deliveries.length === 0 ? html`<p>None yet.</p>` : html`<table><thead><tr><th>When</th><th>Kind</th><th>Status</th><th>Attempts</th></tr></thead><tbody>
${deliveries.map((d) => html`<tr><td>${d.createdAt.toISOString()}</td><td>${d.kind}</td><td class="status-${d.status}">${d.status}</td><td>${attemptsTable(d.attempts)}</td></tr>`)}</tbody></table>`}`;
}
