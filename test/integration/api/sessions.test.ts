/** Session cookies and lifetimes, and the per-token API rate limit. */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../apps/api/src/config.js';
import { createDeps } from '../../../apps/api/src/deps.js';
import { buildApp } from '../../../apps/api/src/app.js';
import { LIMITS, RateLimiter } from '../../../apps/api/src/services/rate-limit.js';
import { SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS } from '../../../apps/api/src/plugins/external/session.js';
import { testEnv } from '../../harness/env.js';
import { buildTestApp, createUser, loggedInAgent, tokenUser, type TestApp } from './helper.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('session cookie', () => {
  it('is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/ behind https', async () => {
    const deps = createDeps(loadConfig(testEnv({ PUBLIC_URL: 'https://sigwatch.example' })));
    const app = Fastify({ logger: false, trustProxy: true });
    try {
      await buildApp(app, deps);
      const user = await createUser(deps);
      const page = await app.inject({ method: 'GET', url: '/login', headers: { 'x-forwarded-proto': 'https' } });
      const set = String(page.headers['set-cookie']);
      expect(set).toMatch(/^__Host-sigwatch_session=/);
      expect(set).toMatch(/; Secure/);
      expect(set).toMatch(/; HttpOnly/);
      expect(set).toMatch(/; SameSite=Lax/);
      expect(set).toMatch(/; Path=\//);
      expect(set).not.toMatch(/Domain=/);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const cookie = set.split(';')[0]!;
      const login = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'x-forwarded-proto': 'https', cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, email: user.email, password: user.password }).toString(),
      });
      expect(login.statusCode).toBe(303);
      const rotated = String(login.headers['set-cookie']).split(';')[0]!;
      expect(rotated).toMatch(/^__Host-sigwatch_session=/);
      expect(rotated).not.toBe(cookie); // new id at login
    } finally {
      await app.close();
      await deps.close();
    }
  });

  it('drops Secure and __Host- only for plain-http localhost', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/login' });
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/^sigwatch_session=/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).not.toMatch(/Secure/);
  });

  it('keeps sessions in Redis with the idle timeout as TTL, and ends idle and too-old sessions', async () => {
    const { agent } = await loggedInAgent(t);
    const keys = await t.deps.redis.keys(`${t.deps.config.REDIS_PREFIX}:sess:*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttl = await t.deps.redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(SESSION_IDLE_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(SESSION_IDLE_SECONDS);

    // Age every session of this agent: the next request must find it idle.
    const age = async (field: 'seenAt' | 'createdAt', by: number) => {
      for (const k of await t.deps.redis.keys(`${t.deps.config.REDIS_PREFIX}:sess:*`)) {
        const s = JSON.parse((await t.deps.redis.get(k))!);
        s[field] = Date.now() - by;
        await t.deps.redis.set(k, JSON.stringify(s), 'EX', 600);
      }
    };
    expect((await agent.get('/dashboard')).statusCode).toBe(200);
    await age('seenAt', (SESSION_IDLE_SECONDS + 1) * 1000);
    expect((await agent.get('/dashboard')).statusCode).toBe(303);

    const second = await loggedInAgent(t);
    await age('createdAt', (SESSION_ABSOLUTE_SECONDS + 1) * 1000);
    expect((await second.agent.get('/dashboard')).statusCode).toBe(303);
  });
});

describe('API rate limit', () => {
  it('answers 429 with Retry-After when a token spends its budget', async () => {
    const saved = t.deps.limiter;
    t.deps.limiter = new RateLimiter(t.deps.redis, t.deps.config.REDIS_PREFIX, { ...LIMITS, 'api:token': { max: 5, windowSeconds: 60 } });
    try {
      const { auth } = await tokenUser(t);
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions', headers: auth })).statusCode);
      expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions', headers: auth });
      expect(res.json()).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      const other = await tokenUser(t);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions', headers: other.auth })).statusCode).toBe(200);
    } finally {
      t.deps.limiter = saved;
    }
  });

  it('limits login-link and reset requests per address', async () => {
    const user = await createUser(t.deps);
    const { PageAgent } = await import('./helper.js');
    const link: number[] = [];
    const reset: number[] = [];
    for (let i = 0; i < 4; i++) {
      link.push((await new PageAgent(t.app).post('/login/link/request', { email: user.email })).statusCode);
      reset.push((await new PageAgent(t.app).post('/forgot-password', { email: user.email })).statusCode);
    }
    expect(link).toEqual([303, 303, 303, 429]);
    expect(reset).toEqual([303, 303, 303, 429]);
  });
});
