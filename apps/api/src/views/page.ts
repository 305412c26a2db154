/** Send a server-rendered page with the request's user, CSRF token and one-shot flash message. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { csrfToken } from '../plugins/app/csrf.js';
import type { FieldErrors } from './forms.js';
import type { Html } from './html.js';
import { layout } from './layout.js';

export function sendPage(req: FastifyRequest, reply: FastifyReply, title: string, body: (csrf: string) => Html, status = 200): FastifyReply {
  const csrf = csrfToken(req);
  const flash = req.session.get('flash');
  if (flash !== undefined) req.session.set('flash', undefined);
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(layout({ user: req.user, csrf, flash }, title, body(csrf)).toString());
}

/** Redirect after a successful POST, with a message for the next page. */
export function redirectWith(req: FastifyRequest, reply: FastifyReply, to: string, flash?: string): FastifyReply {
  if (flash !== undefined) req.session.set('flash', flash);
  return reply.redirect(to, 303);
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validate a submitted form; every issue becomes a message next to its field. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '_form';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Only same-site paths, never `//host` or absolute URLs (no open redirect). */
export function safeNext(next: unknown, fallback = '/dashboard'): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : fallback;
}
