/**
 * Sign up → check your mail → verify → log in (password or e-mailed link) → log out; forgot/reset.
 * Answers never tell whether an address has an account.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { EmailOnlyForm, LoginForm, ResetForm, SignUpForm, TokenForm } from '../../schemas/account.js';
import {
  logInWithLink,
  logInWithPassword,
  requestLoginLink,
  requestPasswordReset,
  resetPassword,
  signUp,
  verifySignup,
} from '../../services/accounts.js';
import { logIn, logOut } from '../../plugins/app/auth.js';
import { checkMail, confirmLinkLogin, forgotForm, loginForm, resetForm, signUpForm } from '../../views/auth-pages.js';
import { html } from '../../views/html.js';
import { parseForm, redirectWith, safeNext, sendPage } from '../../views/page.js';

type Q = { Querystring: Record<string, string | undefined> };

export async function authPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.get('/signup', async (req, reply) => sendPage(req, reply, 'Sign up', (csrf) => signUpForm(csrf, {})));
  app.post('/signup', async (req, reply) => {
    const form = parseForm(SignUpForm, req.body);
    if (!form.ok) return sendPage(req, reply, 'Sign up', (csrf) => signUpForm(csrf, { email: str(req.body, 'email') }, form.errors), 400);
    await signUp(deps, form.data.email, form.data.password, req.ip);
    return redirectWith(req, reply, '/check-mail');
  });
  app.get('/check-mail', async (req, reply) =>
    sendPage(req, reply, 'Check your mail', () => checkMail('If the address can be used, we have sent it a message with a link. Open it to continue.')),
  );

  app.get<Q>('/verify-email', async (req, reply) => {
    const ok = await verifySignup(deps, req.query.token ?? '');
    if (ok) return redirectWith(req, reply, '/login', 'Your e-mail address is confirmed. You can log in now.');
    return sendPage(req, reply, 'Link not valid', () => html`<p>This link is invalid, used or expired. <a href="/login">Log in</a> to get a new one.</p>`, 400);
  });

  app.get<Q>('/login', async (req, reply) => {
    if (req.user !== null) return reply.redirect(safeNext(req.query.next), 303);
    return sendPage(req, reply, 'Log in', (csrf) => loginForm(csrf, { next: safeNext(req.query.next) }));
  });
  app.post('/login', async (req, reply) => {
    const form = parseForm(LoginForm, req.body);
    const values = { email: str(req.body, 'email'), next: safeNext(str(req.body, 'next')) };
    if (!form.ok) return sendPage(req, reply, 'Log in', (csrf) => loginForm(csrf, values, form.errors), 400);
    const res = await logInWithPassword(deps, form.data.email, form.data.password, req.ip);
    if (!res.ok) {
      const message =
        res.reason === 'unverified'
          ? 'Confirm your e-mail address first: we have sent you a new link.'
          : 'That e-mail address and password do not match an account.';
      return sendPage(req, reply, 'Log in', (csrf) => loginForm(csrf, values, { _form: message }), 401);
    }
    await logIn(req, res.user);
    return reply.redirect(values.next, 303);
  });

  app.post('/login/link/request', async (req, reply) => {
    const form = parseForm(EmailOnlyForm, req.body);
    if (!form.ok) return sendPage(req, reply, 'Log in', (csrf) => loginForm(csrf, { email: str(req.body, 'email') }, form.errors), 400);
    await requestLoginLink(deps, form.data.email, req.ip);
    return redirectWith(req, reply, '/check-mail');
  });
  // GET only shows a button: mail scanners that follow links must not use up (or use) the login.
  app.get<Q>('/login/link', async (req, reply) => sendPage(req, reply, 'Log in', (csrf) => confirmLinkLogin(csrf, req.query.token ?? '')));
  app.post('/login/link', async (req, reply) => {
    const form = parseForm(TokenForm, req.body);
    const user = form.ok ? await logInWithLink(deps, form.data.token, req.ip) : null;
    if (user === null) {
      return sendPage(req, reply, 'Link not valid', () => html`<p>This login link is invalid, used or expired. <a href="/login">Ask for a new one</a>.</p>`, 400);
    }
    await logIn(req, user);
    return reply.redirect('/dashboard', 303);
  });

  app.post('/logout', async (req, reply) => {
    await logOut(req, reply, deps.config.PUBLIC_URL);
    return reply.redirect('/', 303);
  });

  app.get('/forgot-password', async (req, reply) => sendPage(req, reply, 'Forgot your password?', (csrf) => forgotForm(csrf, {})));
  app.post('/forgot-password', async (req, reply) => {
    const form = parseForm(EmailOnlyForm, req.body);
    if (!form.ok) return sendPage(req, reply, 'Forgot your password?', (csrf) => forgotForm(csrf, { email: str(req.body, 'email') }, form.errors), 400);
    await requestPasswordReset(deps, form.data.email, req.ip);
    return redirectWith(req, reply, '/check-mail');
  });
  app.get<Q>('/reset-password', async (req, reply) => sendPage(req, reply, 'Choose a new password', (csrf) => resetForm(csrf, req.query.token ?? '')));
  app.post('/reset-password', async (req, reply) => {
    const token = str(req.body, 'token') ?? '';
    const form = parseForm(ResetForm, req.body);
    if (!form.ok) return sendPage(req, reply, 'Choose a new password', (csrf) => resetForm(csrf, token, form.errors), 400);
    const user = await resetPassword(deps, form.data.token, form.data.password, req.ip).catch((err: unknown) => err as Error);
    if (user instanceof Error) {
      if ((user as { code?: string }).code !== 'VALIDATION') throw user;
      return sendPage(req, reply, 'Choose a new password', (csrf) => resetForm(csrf, token, { token: user.message }), 400);
    }
    await logIn(req, user);
    return redirectWith(req, reply, '/dashboard', 'Your password is changed.');
  });
}

function str(body: unknown, key: string): string | undefined {
  const v = (body as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
}
