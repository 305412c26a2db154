/** API tokens, rekor-monitor import and account pages. */
import type { ApiTokenView } from '../services/api-tokens.js';
import { buttonForm, csrfInput, field, textarea, type FieldErrors } from './forms.js';
import { html, type Html } from './html.js';

export function tokensPage(csrf: string, tokens: ApiTokenView[], errors: FieldErrors, created?: string): Html {
  return html`${created ? html`<div role="alert"><p><strong>Copy this token now: it will not be shown again.</strong></p><p class="secret" id="api-token">${created}</p></div>` : ''}
<p>Use a token as <code>Authorization: Bearer sgw_…</code> with the <a href="/docs">REST API</a>.</p>
${tokens.length === 0 ? '' : html`<table><thead><tr><th>Name</th><th>Starts with</th><th>Created</th><th>Last used</th><th></th></tr></thead><tbody>
${tokens.map((t) => html`<tr><td>${t.name}</td><td><code>${t.prefix}…</code></td><td>${t.createdAt.toISOString()}</td><td>${t.lastUsedAt?.toISOString() ?? 'never'}</td>
<td>${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : buttonForm(`/tokens/${t.id}/revoke`, 'Revoke', csrf, { danger: true })}</td></tr>`)}</tbody></table>`}
<h2>Create a token</h2>
<form method="post" action="/tokens" novalidate>${csrfInput(csrf)}
${field({ name: 'name', label: 'Token name', hint: 'What it is for, e.g. "CI".', required: true }, errors)}
<button type="submit">Create token</button></form>`;
}

interface ImportResultView {
  rules: unknown[];
  notes: { kind: string; source: string; message: string }[];
  warnings: { rule: number; message: string }[];
}

export function importPage(csrf: string, v: { name?: string; yaml?: string; anchoring?: string }, errors: FieldErrors, result?: ImportResultView): Html {
  return html`<p>Paste a rekor-monitor configuration (with <code>monitoredValues</code>). Sigwatch makes one subscription with a rule per monitored value.
rekor-monitor matches regexes anywhere in a value; Sigwatch anchors them to the whole value unless you keep the old meaning.</p>
<form method="post" action="/import" novalidate>${csrfInput(csrf)}
${field({ name: 'name', label: 'Subscription name', value: v.name ?? 'Imported from rekor-monitor' }, errors)}
${textarea({ name: 'yaml', label: 'rekor-monitor YAML', value: v.yaml ?? '', rows: 14 }, errors)}
<fieldset><legend>Regex anchoring</legend>
<label><input type="radio" name="anchoring" value="strict"${v.anchoring !== 'preserve' ? html` checked` : ''}> Anchor to the whole value (safer)</label>
<label><input type="radio" name="anchoring" value="preserve"${v.anchoring === 'preserve' ? html` checked` : ''}> Keep rekor-monitor's unanchored meaning</label></fieldset>
<button type="submit" name="action" value="check">Check</button> <button type="submit" name="action" value="import">Import</button></form>
${result ? html`<h2>${result.rules.length} rule(s) would be created</h2><pre>${JSON.stringify(result.rules, null, 2)}</pre>
${result.notes.length > 0 ? html`<h2>Notes</h2><ul>${result.notes.map((n) => html`<li><code>${n.source}</code> (${n.kind}): ${n.message}</li>`)}</ul>` : ''}
${result.warnings.length > 0 ? html`<h2>Warnings</h2><ul class="warn">${result.warnings.map((w) => html`<li>Rule ${w.rule + 1}: ${w.message}</li>`)}</ul>` : ''}` : ''}`;
}

export function accountPage(csrf: string, email: string, errors: FieldErrors): Html {
  return html`<p>Signed in as <strong>${email}</strong>. <a href="/forgot-password">Change your password</a> by e-mail (that also logs out every other browser).</p>
<h2>Sessions</h2>
<p>Log out every other browser where you are logged in, keeping this one. API tokens are not affected: revoke them on <a href="/tokens">API tokens</a>.</p>
<form method="post" action="/account/sessions/end" novalidate>${csrfInput(csrf)}<button type="submit">Log out everywhere else</button></form>
<h2>Delete your account</h2>
<p>This removes your account, subscriptions, channels, API tokens and alert history at once. It cannot be undone.</p>
<form method="post" action="/account/delete" novalidate>${csrfInput(csrf)}
${field({ name: 'confirm', label: 'Type your e-mail address to confirm', type: 'email', required: true }, errors)}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', hint: 'Leave empty if you only log in by e-mailed link.' }, errors)}
<button type="submit" class="danger">Delete my account</button></form>`;
}
