/**
 * Who is asking: the session's user for pages (`req.user`), loaded once per request; `logIn` rotates the
 * session id (no fixation) and `logOut` destroys the session in Redis and clears the cookie. A session
 * that started before the user's `sessionsValidFrom` (moved by a password reset) is dropped.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import type { SessionUser } from '../../services/accounts.js';
import { randomToken } from '../../services/secrets.js';
import { cookiePolicy } from '../external/session.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
  }
}

export async function logIn(req: FastifyRequest, user: SessionUser): Promise<void> {
  await req.session.regenerate();
  const now = Date.now();
  req.session.set('userId', user.id);
  req.session.set('createdAt', now);
  req.session.set('seenAt', now);
  req.session.set('csrf', randomToken(24));
  req.user = user;
}

export async function logOut(req: FastifyRequest, reply: FastifyReply, publicUrl: string): Promise<void> {
  await req.session.destroy();
  reply.clearCookie(cookiePolicy(publicUrl).name, { path: '/' });
  req.user = null;
}

/** preHandler for pages that need a user: send visitors to the login page, then back. */
export async function requireUser(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.user === null) {
    const next = req.method === 'GET' ? req.url : '/dashboard';
    await reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
  }
}

async function auth(app: FastifyInstance, opts: { deps: ApiDeps }): Promise<void> {
  const { db } = opts.deps;
  app.decorateRequest('user', null);
  app.addHook('preHandler', async (req) => {
    const userId = req.session?.get('userId');
    if (userId === undefined) return;
    const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, sessionsValidFrom: true } });
    const startedAt = req.session.get('createdAt');
    // The account was deleted, or its sessions were ended (password reset) after this one started.
    const cutOff = user?.sessionsValidFrom?.getTime();
    if (user === null || (cutOff !== undefined && (startedAt === undefined || startedAt < cutOff))) await req.session.regenerate();
    else req.user = { id: user.id, email: user.email };
  });
}

export default fp(auth, { name: 'auth', dependencies: ['session'] });
