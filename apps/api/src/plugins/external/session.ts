/**
 * Cookies and server-side sessions (OWASP Session Management): a `__Host-` cookie, HttpOnly, Secure
 * (relaxed only when PUBLIC_URL is plain-http localhost, where browsers refuse Secure/__Host- cookies),
 * SameSite=Lax; Redis store with the idle timeout as TTL; an absolute lifetime checked on every request.
 * Rotation at login and destroy at logout live in plugins/app/auth.ts.
 */
import fp from 'fastify-plugin';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { RedisSessionStore } from './redis-session-store.js';

export const SESSION_IDLE_SECONDS = 2 * 3600;
export const SESSION_ABSOLUTE_SECONDS = 7 * 24 * 3600;

declare module 'fastify' {
  interface Session {
    userId?: string;
    csrf?: string;
    /** Unix ms when the session was created / last rotated (absolute timeout). */
    createdAt?: number;
    /** Unix ms of the last request that refreshed the idle timer. */
    seenAt?: number;
    flash?: string;
  }
}

/** Plain-http localhost is the one place cookies may go without Secure (and so without `__Host-`). */
export function cookiePolicy(publicUrl: string): { name: string; secure: boolean } {
  const u = new URL(publicUrl);
  const local = u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  return local ? { name: 'sigwatch_session', secure: false } : { name: '__Host-sigwatch_session', secure: true };
}

async function session(app: FastifyInstance, opts: { deps: ApiDeps }): Promise<void> {
  const { config, redis } = opts.deps;
  const policy = cookiePolicy(config.PUBLIC_URL);
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: config.SESSION_SECRET,
    cookieName: policy.name,
    saveUninitialized: false,
    store: new RedisSessionStore(redis, config.REDIS_PREFIX, SESSION_IDLE_SECONDS),
    cookie: { path: '/', httpOnly: true, secure: policy.secure, sameSite: 'lax', maxAge: SESSION_ABSOLUTE_SECONDS * 1000 },
  });

  // Idle and absolute timeouts. The store's TTL already ends idle sessions; this also covers a session
  // whose key outlived its absolute lifetime, and refreshes the idle timer at most once a minute.
  app.addHook('preHandler', async (req) => {
    const s = req.session;
    if (s === undefined) return;
    const now = Date.now();
    const createdAt = s.get('createdAt');
    const seenAt = s.get('seenAt');
    if (createdAt !== undefined && now - createdAt > SESSION_ABSOLUTE_SECONDS * 1000) {
      await s.destroy();
      return;
    }
    if (seenAt !== undefined && now - seenAt > SESSION_IDLE_SECONDS * 1000) {
      await s.destroy();
      return;
    }
    if (s.get('userId') !== undefined && (seenAt === undefined || now - seenAt > 60_000)) s.set('seenAt', now);
  });
}

export default fp(session, { name: 'session' });
