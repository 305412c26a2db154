/** REST API v1: public log status, then everything behind a bearer token (autohooks.ts). */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../../deps.js';
import { registerTokenAuth } from './autohooks.js';
import { logsRoutes } from './logs.js';
import { subscriptionRoutes } from './subscriptions.js';
import { channelRoutes } from './channels.js';
import { alertRoutes } from './alerts.js';

export async function apiV1Routes(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  const opts = { deps };
  await app.register(logsRoutes, opts);
  await app.register(async (authed) => {
    registerTokenAuth(authed, deps);
    await subscriptionRoutes(authed, opts);
    await channelRoutes(authed, opts);
    await alertRoutes(authed, opts);
  });
}
