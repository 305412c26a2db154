/** Subscription bodies and views (REST and pages): rules validated by @sigwatch/rules' zod schema. */
import { z } from 'zod';
import { RuleSchema } from '@sigwatch/rules';

const trimmed = (max: number, what: string) => z.string({ error: `${what} is required` }).trim().min(1, `${what} is required`).max(max, `${what} has at most ${max} characters`);

/** The templates of @sigwatch/rules, as a zod union (the package exports the input types only). */
export const TemplateSchema = z.discriminatedUnion('template', [
  z.object({ template: z.literal('github-repository'), repository: trimmed(200, 'repository'), repositoryId: z.string().max(20).optional(), ownerId: z.string().max(20).optional() }),
  z.object({ template: z.literal('github-workflow'), repository: trimmed(200, 'repository'), workflow: trimmed(200, 'workflow'), ref: z.string().max(200).optional() }),
  z.object({ template: z.literal('email'), email: trimmed(254, 'email'), issuer: trimmed(200, 'issuer') }),
  z.object({ template: z.literal('gitlab-project'), project: trimmed(200, 'project'), host: z.string().max(200).optional() }),
  z.object({ template: z.literal('key-fingerprint'), fingerprint: trimmed(200, 'fingerprint') }),
]);
export type TemplateBody = z.infer<typeof TemplateSchema>;

export const ChannelsSchema = z
  .object({
    emailAddressIds: z.array(z.uuid({ error: 'must be an e-mail address id' })).max(20).default([]),
    webhookIds: z.array(z.uuid({ error: 'must be a webhook id' })).max(20).default([]),
  })
  .strict();

export const DIGESTS = ['none', 'hourly', 'daily'] as const;

export const SubscriptionCreateSchema = z
  .object({
    name: trimmed(200, 'name'),
    enabled: z.boolean().default(true),
    digest: z.enum(DIGESTS).default('none'),
    rules: z.array(RuleSchema).min(1, 'give at least one rule').max(50).optional(),
    template: TemplateSchema.optional(),
    channels: ChannelsSchema.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.rules === undefined) === (b.template === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'give either "rules" or "template"' });
    }
  });
export type SubscriptionCreate = z.output<typeof SubscriptionCreateSchema>;

export const SubscriptionUpdateSchema = z
  .object({
    name: trimmed(200, 'name').optional(),
    enabled: z.boolean().optional(),
    digest: z.enum(DIGESTS).optional(),
    muted: z.boolean().optional().describe('Muted subscriptions still match but send nothing'),
    rules: z.array(RuleSchema).min(1, 'give at least one rule').max(50).optional(),
    channels: ChannelsSchema.optional(),
  })
  .strict();
export type SubscriptionUpdate = z.output<typeof SubscriptionUpdateSchema>;

export const LintWarningSchema = z.object({ rule: z.number().int(), code: z.string(), severity: z.string(), field: z.string(), message: z.string() });

export const SubscriptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  digest: z.enum(DIGESTS),
  muted: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  rules: z.array(z.object({ id: z.string(), definition: z.unknown() })),
  channels: z.object({ emailAddressIds: z.array(z.string()), webhookIds: z.array(z.string()) }),
});

export const SubscriptionWithWarningsSchema = SubscriptionSchema.extend({ warnings: z.array(LintWarningSchema) });
