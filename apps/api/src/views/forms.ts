/** Form pieces with labels, hints and the error next to its field (aria-invalid + aria-describedby). */
import { html, type Html } from './html.js';

export type FieldErrors = Record<string, string>;

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'url' | 'number' | 'hidden';
  value?: string | undefined;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
}

export function field(spec: FieldSpec, errors: FieldErrors = {}): Html {
  const id = `f-${spec.name}`;
  const err = errors[spec.name];
  const described = [spec.hint ? `${id}-hint` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${err ? ' has-error' : ''}"><label for="${id}">${spec.label}</label>
${spec.hint ? html`<small id="${id}-hint">${spec.hint}</small>` : ''}
<input id="${id}" name="${spec.name}" type="${spec.type ?? 'text'}" value="${spec.value ?? ''}"${spec.autocomplete ? html` autocomplete="${spec.autocomplete}"` : ''}${spec.required ? html` required` : ''}${err ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}>
${err ? html`<p class="error" id="${id}-error">${err}</p>` : ''}</div>`;
}

export function textarea(spec: { name: string; label: string; value?: string; hint?: string; rows?: number }, errors: FieldErrors = {}): Html {
  const id = `f-${spec.name}`;
  const err = errors[spec.name];
  return html`<div class="field${err ? ' has-error' : ''}"><label for="${id}">${spec.label}</label>
${spec.hint ? html`<small id="${id}-hint">${spec.hint}</small>` : ''}
<textarea id="${id}" name="${spec.name}" rows="${spec.rows ?? 8}"${err ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>${spec.value ?? ''}</textarea>
${err ? html`<p class="error" id="${id}-error">${err}</p>` : ''}</div>`;
}

export function csrfInput(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A one-button form (delete, revoke, retry …): POST with the CSRF token. */
export function buttonForm(action: string, label: string, csrf: string, opts: { danger?: boolean; hidden?: Record<string, string> } = {}): Html {
  const hidden = Object.entries(opts.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return html`<form method="post" action="${action}" class="inline">${csrfInput(csrf)}${hidden}<button type="submit"${opts.danger ? html` class="danger"` : ''}>${label}</button></form>`;
}

export function formErrors(errors: FieldErrors): Html {
  const form = errors['_form'];
  return form ? html`<p class="error" role="alert">${form}</p>` : html``;
}
