/**
 * The API as a plugin (fastify/demo): tests register the same plugin the server runs.
 * External plugins first (forms, cookies + Redis sessions, zod, OpenAPI), then ours (auth), then routes;
 * one error handler and one 404 handler.
 */
import type { FastifyInstance } from 'fastify';
import fastifyFormbody from '@fastify/formbody';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ApiDeps } from './deps.js';
import { errorHandler, sendError } from './error-handler.js';
import { httpRequests } from './metrics.js';
import session from './plugins/external/session.js';
import swagger from './plugins/external/swagger.js';
import auth from './plugins/app/auth.js';
import securityHeaders from './plugins/app/security-headers.js';
import { healthRoutes } from './routes/health.js';
import { pageRoutes } from './routes/pages/index.js';
import { apiV1Routes } from './routes/api/v1/index.js';
import { mailLinkPages } from './routes/pages/mail-links.js';

export async function buildApp(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.addHook('onResponse', async (req, reply) => {
    httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  app.addHook('onClose', async () => {
    await deps.background.idle();
    await deps.mailer.idle();
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, 404, { code: 'NOT_FOUND', message: `No route for ${req.method} ${(req.url.split('?')[0] ?? '').slice(0, 200)}` }),
  );

  await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
  await app.register(session, { deps });
  await app.register(auth, { deps });
  await app.register(securityHeaders);
  await app.register(swagger);

  await healthRoutes(app, deps);
  await app.register(pageRoutes, { deps });
  await app.register(mailLinkPages, { deps });
  await app.register(apiV1Routes, { deps, prefix: '/api/v1' });
}
