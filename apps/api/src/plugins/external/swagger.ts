/**
 * OpenAPI 3 generated from the routes' zod schemas (fastify-type-provider-zod's transform): the JSON at
 * /docs/json and a readable, script-free listing at /docs.
 */
import fp from 'fastify-plugin';
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { apiDocsPage, type OpenApiDoc } from '../../views/api-docs.js';

async function swagger(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Sigwatch API',
        version: '1.0.0',
        description:
          'Manage Sigwatch subscriptions, channels and alerts. Authenticate with `Authorization: Bearer sgw_…` (create a token on the API tokens page). Errors are `{code, message, field?}`. Lists are paginated with `cursor` / `nextCursor`.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    // Only the REST API (tagged routes) is documented; pages and probes are not.
    hideUntagged: true,
  });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(apiDocsPage(app.swagger() as unknown as OpenApiDoc).toString()),
  );
}

export default fp(swagger, { name: 'swagger' });
