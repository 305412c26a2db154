/** Subscription list, the new/edit form (templates or raw rules, channels) and the preview table. */
import type { LintView, SubscriptionView } from '../services/subscriptions.js';
import type { PreviewResult } from '../services/preview.js';
import { buttonForm, csrfInput, field, formErrors, textarea, type FieldErrors } from './forms.js';
import { html, type Html } from './html.js';

export interface ChannelChoices {
  emails: { id: string; address: string; verified: boolean }[];
  webhooks: { id: string; url: string }[];
}

export interface SubscriptionFormValues {
  name?: string;
  mode?: 'template' | 'rules';
  template?: string;
  fields?: Record<string, string>;
  rules?: string;
  emailAddressIds?: string[];
  webhookIds?: string[];
}

export function subscriptionList(csrf: string, subs: SubscriptionView[]): Html {
  if (subs.length === 0) return html`<p>No subscriptions yet. <a href="/subscriptions/new">Create one</a>.</p>`;
  return html`<p><a href="/subscriptions/new">New subscription</a> · <a href="/import">Import a rekor-monitor file</a></p>
<table><thead><tr><th>Name</th><th>Rules</th><th>Channels</th><th>State</th><th></th></tr></thead><tbody>
${subs.map(
  (s) => html`<tr><td><a href="/subscriptions/${s.id}">${s.name}</a></td><td>${s.rules.length}</td><td>${s.channels.emailAddressIds.length + s.channels.webhookIds.length}</td>
<td>${s.enabled ? 'enabled' : 'disabled'}</td><td>${buttonForm(`/subscriptions/${s.id}/toggle`, s.enabled ? 'Disable' : 'Enable', csrf)}</td></tr>`,
)}</tbody></table>`;
}

const TEMPLATES: { id: string; label: string; fields: { name: string; label: string; hint?: string }[] }[] = [
  { id: 'github-repository', label: 'GitHub repository (any workflow)', fields: [{ name: 'repository', label: 'Repository', hint: 'owner/repo, e.g. acme/widget' }] },
  {
    id: 'github-workflow',
    label: 'GitHub workflow file',
    fields: [
      { name: 'repository', label: 'Repository', hint: 'owner/repo' },
      { name: 'workflow', label: 'Workflow file', hint: 'release.yml or .github/workflows/release.yml' },
      { name: 'ref', label: 'Git ref (optional)', hint: 'refs/heads/main or refs/tags/v1.0.0; empty = any ref' },
    ],
  },
  {
    id: 'email',
    label: 'E-mail address and identity provider',
    fields: [
      { name: 'email', label: 'Signer e-mail address' },
      { name: 'issuer', label: 'OIDC issuer', hint: 'https://accounts.google.com, https://github.com/login/oauth, https://login.microsoftonline.com' },
    ],
  },
  { id: 'gitlab-project', label: 'GitLab project', fields: [{ name: 'project', label: 'Project path', hint: 'group/project' }, { name: 'host', label: 'GitLab URL (optional)', hint: 'default https://gitlab.com' }] },
  { id: 'key-fingerprint', label: 'Key or certificate fingerprint', fields: [{ name: 'fingerprint', label: 'SHA-256 fingerprint', hint: '64 hex digits' }] },
];

export const TEMPLATE_FIELDS = [...new Set(TEMPLATES.flatMap((t) => t.fields.map((f) => f.name)))];

export function subscriptionForm(
  csrf: string,
  action: string,
  v: SubscriptionFormValues,
  choices: ChannelChoices,
  errors: FieldErrors = {},
  extra: { warnings?: LintView[]; preview?: PreviewResult; submitLabel?: string } = {},
): Html {
  const mode = v.mode ?? 'template';
  const chosenTemplate = v.template ?? 'github-repository';
  return html`<form method="post" action="${action}" novalidate>${csrfInput(csrf)}${formErrors(errors)}
${field({ name: 'name', label: 'Name', value: v.name, required: true }, errors)}
<fieldset><legend>What to watch</legend>
<p><label><input type="radio" name="mode" value="template"${mode === 'template' ? html` checked` : ''}> From a template</label>
<label><input type="radio" name="mode" value="rules"${mode === 'rules' ? html` checked` : ''}> Raw rules (JSON)</label></p>
<div class="field"><label for="f-template">Template</label><select id="f-template" name="template">
${TEMPLATES.map((t) => html`<option value="${t.id}"${t.id === chosenTemplate ? html` selected` : ''}>${t.label}</option>`)}</select></div>
${errors['template'] ? html`<p class="error">${errors['template']}</p>` : ''}
${TEMPLATES.map(
  (t) => html`<fieldset><legend>${t.label}</legend>${t.fields.map((f) =>
    field({ name: f.name === 'repository' ? `${t.id}.repository` : f.name, label: f.label, value: v.fields?.[f.name === 'repository' ? `${t.id}.repository` : f.name], ...(f.hint ? { hint: f.hint } : {}) }, errors),
  )}</fieldset>`,
)}
${textarea({ name: 'rules', label: 'Rules (JSON array)', value: v.rules ?? '', hint: 'Each rule is an object like {"san": {"type": "exact", "value": "…"}, "issuers": [{"type": "exact", "value": "…"}]}. Used when "Raw rules" is chosen.' }, errors)}
</fieldset>
<fieldset><legend>Send alerts to</legend>
${choices.emails.length + choices.webhooks.length === 0 ? html`<p>Add an <a href="/emails">e-mail address</a> or a <a href="/webhooks">webhook</a> first; alerts are kept in your history meanwhile.</p>` : ''}
${choices.emails.map(
  (e) => html`<p><label><input type="checkbox" name="emailAddressIds" value="${e.id}"${v.emailAddressIds?.includes(e.id) ? html` checked` : ''}${e.verified ? '' : html` disabled`}> ${e.address}${e.verified ? '' : ' (not verified yet)'}</label></p>`,
)}
${choices.webhooks.map((w) => html`<p><label><input type="checkbox" name="webhookIds" value="${w.id}"${v.webhookIds?.includes(w.id) ? html` checked` : ''}> Webhook ${w.url}</label></p>`)}
${errors['channels'] ? html`<p class="error">${errors['channels']}</p>` : ''}
</fieldset>
<button type="submit" name="action" value="preview">Preview matches</button> <button type="submit" name="action" value="save">${extra.submitLabel ?? 'Create subscription'}</button>
</form>
${extra.warnings ? warningsList(extra.warnings) : ''}
${extra.preview ? previewTable(extra.preview) : ''}`;
}

export function warningsList(warnings: LintView[]): Html {
  if (warnings.length === 0) return html``;
  return html`<h2>Warnings</h2><ul class="warn">${warnings.map((w) => html`<li>Rule ${w.rule + 1}${w.field ? html`, <code>${w.field}</code>` : ''}: ${w.message}</li>`)}</ul>`;
}

export function previewTable(p: PreviewResult): Html {
  return html`<h2>Preview</h2><p role="status">${p.matched} of the ${p.scanned} most recent entries would have matched.</p>
${p.matches.length === 0 ? '' : html`<table><thead><tr><th>Log</th><th>Index</th><th>Kind</th><th>Identity</th><th>Matched</th></tr></thead><tbody>
${p.matches.map((m) => html`<tr><td><code>${m.log}</code></td><td>${m.index}</td><td>${m.kind}</td><td><code>${m.identity ?? ''}</code></td><td>${m.field} = <code>${m.value}</code></td></tr>`)}</tbody></table>`}`;
}

export function subscriptionDetail(csrf: string, s: SubscriptionView): Html {
  return html`${s.muted ? html`<p class="warn">Muted from an alert mail: nothing is sent. ${buttonForm(`/subscriptions/${s.id}/unmute`, 'Unmute', csrf)}</p>` : ''}
<p>State: ${s.enabled ? 'enabled' : 'disabled'} ${buttonForm(`/subscriptions/${s.id}/toggle`, s.enabled ? 'Disable' : 'Enable', csrf)}
· <a href="/alerts?subscription=${s.id}">Alerts</a></p>`;
}
