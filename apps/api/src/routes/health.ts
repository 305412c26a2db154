/**
 * Liveness (/healthz: the process answers), readiness (/readyz: PostgreSQL and Redis reachable and every
 * migration applied) and Prometheus metrics (/metrics).
 */
import type { FastifyInstance } from 'fastify';
import { checkReadiness } from '@sigwatch/db';
import type { ApiDeps } from '../deps.js';
import { registry } from '../metrics.js';

export async function healthRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'db' | 'redis'>): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const { ready, checks } = await checkReadiness(deps);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
