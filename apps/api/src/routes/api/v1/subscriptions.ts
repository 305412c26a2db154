/** /api/v1/subscriptions: list, create (rules or template), get, update, delete, preview. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RuleSchema } from '@sigwatch/rules';
import type { ApiDeps } from '../../../deps.js';
import { errorResponses, IdParams, page, PageQuery } from '../../../schemas/common.js';
import {
  LintWarningSchema,
  SubscriptionCreateSchema,
  SubscriptionSchema,
  SubscriptionUpdateSchema,
  SubscriptionWithWarningsSchema,
  TemplateSchema,
} from '../../../schemas/subscription.js';
import { previewRules } from '../../../services/preview.js';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  lintRules,
  listSubscriptions,
  templateRules,
  updateSubscription,
} from '../../../services/subscriptions.js';
import { userOf } from './autohooks.js';

const tags = ['subscriptions'];
const security = [{ bearerAuth: [] }];

const PreviewBody = z
  .object({ rules: z.array(RuleSchema).min(1).max(50).optional(), template: TemplateSchema.optional() })
  .strict()
  .refine((b) => (b.rules === undefined) !== (b.template === undefined), { message: 'give either "rules" or "template"', path: ['rules'] });

const PreviewSchema = z.object({
  scanned: z.number(),
  matched: z.number(),
  matches: z.array(
    z.object({ rule: z.number(), field: z.string(), value: z.string(), log: z.string(), index: z.string(), kind: z.string(), identity: z.string().nullable(), integratedTime: z.number().nullable() }),
  ),
  warnings: z.array(LintWarningSchema),
});

export async function subscriptionRoutes(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/subscriptions', { schema: { tags, security, summary: 'List your subscriptions (newest first)', querystring: PageQuery, response: { 200: page(SubscriptionSchema), ...errorResponses } } }, async (req) =>
    listSubscriptions(deps, userOf(req), req.query),
  );
  r.post(
    '/subscriptions',
    { schema: { tags, security, summary: 'Create a subscription from rules or a template; lint warnings are returned', body: SubscriptionCreateSchema, response: { 201: SubscriptionWithWarningsSchema, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await createSubscription(deps, userOf(req), req.body)),
  );
  r.post('/subscriptions/preview', { schema: { tags, security, summary: 'What rules would have matched among the most recent entries', body: PreviewBody, response: { 200: PreviewSchema, ...errorResponses } } }, async (req) => {
    const rules = req.body.rules ?? templateRules(req.body.template!);
    return { ...(await previewRules(deps.redis, deps.config.REDIS_PREFIX, rules)), warnings: lintRules(rules) };
  });
  r.get('/subscriptions/:id', { schema: { tags, security, summary: 'One subscription', params: IdParams, response: { 200: SubscriptionSchema, ...errorResponses } } }, async (req) =>
    getSubscription(deps, userOf(req), req.params.id),
  );
  r.patch(
    '/subscriptions/:id',
    { schema: { tags, security, summary: 'Change name, enabled, digest, rules (replaced) or channels (replaced)', params: IdParams, body: SubscriptionUpdateSchema, response: { 200: SubscriptionWithWarningsSchema, ...errorResponses } } },
    async (req) => updateSubscription(deps, userOf(req), req.params.id, req.body),
  );
  r.delete('/subscriptions/:id', { schema: { tags, security, summary: 'Delete a subscription', params: IdParams, response: { 204: z.null(), ...errorResponses } } }, async (req, reply) => {
    await deleteSubscription(deps, userOf(req), req.params.id);
    return reply.code(204).send(null);
  });
}
