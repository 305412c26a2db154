/** Every server-rendered page. A CSRF token is required on every state-changing request here. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { checkCsrf } from '../../plugins/app/csrf.js';
import { requireUser } from '../../plugins/app/auth.js';
import { authPages } from './auth.js';
import { homePages } from './home.js';
import { dashboardPages } from './dashboard.js';
import { subscriptionPages } from './subscriptions.js';
import { publicPages } from './public.js';
import { channelPages } from './channels.js';
import { alertPages } from './alerts.js';
import { accountPages } from './account.js';
import { webhookDocsPage } from './webhook-docs.js';

export async function pageRoutes(app: FastifyInstance, opts: { deps: ApiDeps }): Promise<void> {
  app.addHook('preHandler', checkCsrf);
  await homePages(app, opts);
  await authPages(app, opts);
  await publicPages(app, opts);
  await webhookDocsPage(app);
  await app.register(async (signedIn) => {
    signedIn.addHook('preHandler', requireUser);
    await dashboardPages(signedIn, opts);
    await subscriptionPages(signedIn, opts);
    await channelPages(signedIn, opts);
    await alertPages(signedIn, opts);
    await accountPages(signedIn, opts);
  });
}
