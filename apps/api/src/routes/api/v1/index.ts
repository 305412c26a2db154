/** REST API v1: public log status, then everything behind a bearer token (autohooks.ts). */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../../deps.js';
import { registerTokenAuth } from './autohooks.js';
import { logsRoutes } from './logs.js';
import { subscriptionRoutes } from './subscriptions.js';

export async function apiV1Routes(app: FastifyInstance, opts: { deps: ApiDeps }): Promise<void> {
  await app.register(logsRoutes, opts);
  await app.register(async (authed) => {
    registerTokenAuth(authed, opts.deps);
    await subscriptionRoutes(authed, opts);
  });
}
