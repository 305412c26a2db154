/** The worker's own /healthz, /readyz and /metrics (the same contract as the API's). */
import Fastify, { type FastifyInstance } from 'fastify';
import { checkReadiness, type Db } from '@sigwatch/db';
import { registry } from './metrics.js';

export async function startHealthServer(opts: {
  db: Db;
  redis: { ping(): Promise<string> };
  host: string;
  port: number;
}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const { ready, checks } = await checkReadiness(opts);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  await app.listen({ host: opts.host, port: opts.port });
  return app;
}
