/** Sign-up, log-in, check-your-mail, forgot/reset password forms. */
import { csrfInput, field, formErrors, type FieldErrors } from './forms.js';
import { html, type Html } from './html.js';

export function signUpForm(csrf: string, values: { email?: string | undefined }, errors: FieldErrors = {}): Html {
  return html`<p>Create an account to be told when Sigstore's logs record a signature made with your identity.</p>
<form method="post" action="/signup" novalidate>${csrfInput(csrf)}${formErrors(errors)}
${field({ name: 'email', label: 'E-mail address', type: 'email', value: values.email, autocomplete: 'email', required: true }, errors)}
${field({ name: 'password', label: 'Password', type: 'password', hint: 'At least 10 characters.', autocomplete: 'new-password', required: true }, errors)}
<button type="submit">Sign up</button></form>
<p>Already have an account? <a href="/login">Log in</a>.</p>`;
}

export function checkMail(what: string): Html {
  return html`<p>${what}</p><p>If nothing arrives within a few minutes, check your spam folder, or <a href="/login">try again</a>.</p>`;
}

export function loginForm(csrf: string, values: { email?: string | undefined; next?: string | undefined }, errors: FieldErrors = {}): Html {
  return html`<form method="post" action="/login" novalidate>${csrfInput(csrf)}${formErrors(errors)}
<input type="hidden" name="next" value="${values.next ?? ''}">
${field({ name: 'email', label: 'E-mail address', type: 'email', value: values.email, autocomplete: 'username', required: true }, errors)}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }, errors)}
<button type="submit">Log in</button></form>
<h2>Or log in with an e-mailed link</h2>
<form method="post" action="/login/link/request" novalidate>${csrfInput(csrf)}
${field({ name: 'email', label: 'E-mail address', type: 'email', value: values.email, autocomplete: 'email', required: true }, {})}
<button type="submit">E-mail me a login link</button></form>
<p><a href="/forgot-password">Forgot your password?</a> · <a href="/signup">Sign up</a></p>`;
}

export function confirmLinkLogin(csrf: string, token: string): Html {
  return html`<p>Press the button to log in to Sigwatch. The link works once.</p>
<form method="post" action="/login/link">${csrfInput(csrf)}<input type="hidden" name="token" value="${token}"><button type="submit">Log in</button></form>`;
}

export function forgotForm(csrf: string, values: { email?: string | undefined }, errors: FieldErrors = {}): Html {
  return html`<p>We will e-mail you a link to choose a new password.</p>
<form method="post" action="/forgot-password" novalidate>${csrfInput(csrf)}${formErrors(errors)}
${field({ name: 'email', label: 'E-mail address', type: 'email', value: values.email, autocomplete: 'email', required: true }, errors)}
<button type="submit">Send reset link</button></form>`;
}

export function resetForm(csrf: string, token: string, errors: FieldErrors = {}): Html {
  return html`<form method="post" action="/reset-password" novalidate>${csrfInput(csrf)}${formErrors(errors)}
<input type="hidden" name="token" value="${token}">
${errors['token'] ? html`<p class="error" role="alert">${errors['token']} <a href="/forgot-password">Ask for a new link</a>.</p>` : ''}
${field({ name: 'password', label: 'New password', type: 'password', hint: 'At least 10 characters.', autocomplete: 'new-password', required: true }, errors)}
<button type="submit">Set password</button></form>`;
}
