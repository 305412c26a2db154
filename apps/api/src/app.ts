/**
 * The API as a plugin (fastify/demo): tests register the same plugin the server runs.
 * External plugins first, then our decorators, then routes; one error handler.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { healthRoutes } from './routes/health.js';
import { httpRequests } from './metrics.js';

export async function buildApp(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.addHook('onResponse', async (req, reply) => {
    httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  app.setErrorHandler((err: { statusCode?: number; message: string; code?: string }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, method: req.method, url: req.url }, 'request failed');
      return reply.code(status).send({ code: 'INTERNAL', message: 'Internal Server Error', requestId: req.id });
    }
    return reply.code(status).send({ code: err.code ?? 'BAD_REQUEST', message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'NOT_FOUND', message: `No route for ${req.method} ${req.url.split('?')[0]}` }));

  await healthRoutes(app, deps);
}
