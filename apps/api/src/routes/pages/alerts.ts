/** Alert history (filter by subscription), one alert with its event, deliveries and attempts, and retry. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { getMatch, listMatches, retryDelivery } from '../../services/alerts.js';
import { alertDetail, alertList } from '../../views/alert-pages.js';
import { redirectWith, sendPage } from '../../views/page.js';
import { uuidOr404 } from './subscriptions.js';

export async function alertPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.get<{ Querystring: { subscription?: string; cursor?: string } }>('/alerts', async (req, reply) => {
    const sub = req.query.subscription;
    const page = await listMatches(deps, req.user!.id, {
      limit: 50,
      cursor: req.query.cursor,
      ...(sub !== undefined && sub !== '' ? { subscriptionId: uuidOr404(sub) } : {}),
    });
    return sendPage(req, reply, 'Alert history', (csrf) => alertList(csrf, page.items, page.nextCursor, sub));
  });
  app.get('/alerts/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const m = await getMatch(deps, req.user!.id, uuidOr404(req.params.id));
    return sendPage(req, reply, `Alert: ${m.subscriptionName}`, (csrf) => alertDetail(csrf, m));
  });
  app.post('/deliveries/:id/retry', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    await retryDelivery(deps, req.user!.id, uuidOr404(req.params.id));
    const back = (req.body as Record<string, unknown> | undefined)?.['back'];
    return redirectWith(req, reply, typeof back === 'string' && /^\/alerts(\/[0-9a-f-]{36})?$/.test(back) ? back : '/alerts', 'Delivery queued again.');
  });
}
