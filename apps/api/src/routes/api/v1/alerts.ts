/** /api/v1/matches (alerts), /api/v1/deliveries (+ attempts, retry) and /api/v1/import. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../../../deps.js';
import { DeliveryQuery, DeliverySchema, ImportSchema, MatchQuery, MatchSchema } from '../../../schemas/channels.js';
import { errorResponses, IdParams, page } from '../../../schemas/common.js';
import { LintWarningSchema, SubscriptionWithWarningsSchema } from '../../../schemas/subscription.js';
import { getDelivery, getMatch, listDeliveries, listMatches, retryDelivery } from '../../../services/alerts.js';
import { importSubscription } from '../../../services/import.js';
import { userOf } from './autohooks.js';

const security = [{ bearerAuth: [] }];
const errors = { ...errorResponses, 409: errorResponses[400] };

export async function alertRoutes(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const m = { tags: ['alerts'], security };
  r.get('/matches', { schema: { ...m, summary: 'Alerts, newest first; filter by subscription, log and time', querystring: MatchQuery, response: { 200: page(MatchSchema), ...errors } } }, async (req) =>
    listMatches(deps, userOf(req), req.query),
  );
  r.get('/matches/:id', { schema: { ...m, summary: 'One alert with its deliveries and attempts', params: IdParams, response: { 200: MatchSchema, ...errors } } }, async (req) => getMatch(deps, userOf(req), req.params.id));
  r.get('/deliveries', { schema: { ...m, summary: 'Deliveries (alerts, tests, notices) with their attempts', querystring: DeliveryQuery, response: { 200: page(DeliverySchema), ...errors } } }, async (req) =>
    listDeliveries(deps, userOf(req), req.query),
  );
  r.get('/deliveries/:id', { schema: { ...m, summary: 'One delivery with every attempt', params: IdParams, response: { 200: DeliverySchema, ...errors } } }, async (req) => getDelivery(deps, userOf(req), req.params.id));
  r.post('/deliveries/:id/retry', { schema: { ...m, summary: 'Send a failed delivery again', params: IdParams, response: { 202: DeliverySchema, ...errors } } }, async (req, reply) =>
    reply.code(202).send(await retryDelivery(deps, userOf(req), req.params.id)),
  );
  r.post(
    '/import',
    {
      schema: {
        tags: ['subscriptions'],
        security,
        summary: 'Import a rekor-monitor monitoredValues YAML as a subscription (dryRun shows the rules and notes only)',
        body: ImportSchema,
        response: {
          200: z.object({ subscription: z.null(), rules: z.array(z.unknown()), notes: z.array(z.object({ kind: z.string(), source: z.string(), message: z.string() })), warnings: z.array(LintWarningSchema) }),
          201: z.object({ subscription: SubscriptionWithWarningsSchema, rules: z.array(z.unknown()), notes: z.array(z.object({ kind: z.string(), source: z.string(), message: z.string() })), warnings: z.array(LintWarningSchema) }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const res = await importSubscription(deps, userOf(req), req.body);
      return reply.code(res.subscription === null ? 200 : 201).send(res as never);
    },
  );
}
