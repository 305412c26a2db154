/** /readyz answers 200 with the real services and 503, naming Redis, when Redis is unreachable. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/api/src/config.js';
import { createDeps } from '../../apps/api/src/deps.js';
import { buildApp } from '../../apps/api/src/app.js';
import { testEnv } from '../harness/env.js';
import { freePort } from '../harness/ports.js';

async function readyz(env: Record<string, string>) {
  const deps = createDeps(loadConfig(env));
  const app = Fastify({ logger: false });
  try {
    await buildApp(app, deps);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    return { status: res.statusCode, body: res.json() as { checks: Record<string, { ok: boolean; error?: string }> } };
  } finally {
    await app.close();
    await deps.close();
  }
}

describe('API readiness', () => {
  it('is 200 with PostgreSQL, Redis and migrations all good', async () => {
    const res = await readyz(testEnv());
    expect(res.body.checks).toEqual({ database: { ok: true }, migrations: { ok: true }, redis: { ok: true } });
    expect(res.status).toBe(200);
  });

  it('is 503 when Redis is unreachable, and says so', async () => {
    const res = await readyz(testEnv({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }));
    expect(res.status).toBe(503);
    expect(res.body.checks['redis']?.ok).toBe(false);
    expect(res.body.checks['database']?.ok).toBe(true);
  });

  it('answers /healthz and /metrics', async () => {
    const deps = createDeps(loadConfig(testEnv()));
    const app = Fastify({ logger: false });
    try {
      await buildApp(app, deps);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain('sigwatch_api_http_requests_total');
    } finally {
      await app.close();
      await deps.close();
    }
  });
});
