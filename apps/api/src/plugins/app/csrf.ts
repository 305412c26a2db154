/**
 * CSRF tokens (synchronizer pattern): one random token per session, put in every form as `_csrf` and
 * required, compared in constant time, on every state-changing page request. SameSite=Lax is the second
 * line. Anonymous forms (sign-up, login) get a session just for the token.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { randomToken, safeEqual } from '../../services/secrets.js';

export function csrfToken(req: FastifyRequest): string {
  let token = req.session.get('csrf');
  if (token === undefined) {
    token = randomToken(24);
    req.session.set('csrf', token);
    req.session.set('createdAt', Date.now());
  }
  return token;
}

/** preHandler for page routes: every non-GET request must carry the session's token. */
export async function checkCsrf(req: FastifyRequest): Promise<void> {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const sent = (req.body as Record<string, unknown> | undefined)?.['_csrf'];
  const expected = req.session.get('csrf');
  if (typeof sent !== 'string' || expected === undefined || !safeEqual(sent, expected)) {
    throw new AppError('CSRF', 'This form has expired or did not come from Sigwatch. Reload the page and try again.');
  }
}
