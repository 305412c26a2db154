/** E-mail address, webhook, alert and delivery bodies and views for the REST API. */
import { z } from 'zod';

export const EmailCreateSchema = z.object({ address: z.string().trim().max(254).pipe(z.email({ error: 'must be an e-mail address' })) }).strict();
export const EmailSchema = z.object({
  id: z.string(),
  address: z.string(),
  verified: z.boolean(),
  unsubscribed: z.boolean(),
  /** Set when mail to the address bounced permanently; alerts resume with POST /emails/{id}/resume. */
  bounce: z.object({ at: z.string(), reason: z.string() }).nullable(),
  createdAt: z.string(),
});

export const WebhookCreateSchema = z
  .object({ url: z.string().min(1).max(2000), description: z.string().max(500).optional(), includeIncidents: z.boolean().optional() })
  .strict();
export const WebhookUpdateSchema = z
  .object({ url: z.string().min(1).max(2000).optional(), description: z.string().max(500).optional(), includeIncidents: z.boolean().optional(), enabled: z.boolean().optional() })
  .strict();
export const WebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  includeIncidents: z.boolean(),
  enabled: z.boolean(),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
  previousSecretExpiresAt: z.string().nullable(),
  createdAt: z.string(),
});
export const WebhookWithSecretSchema = WebhookSchema.extend({ secret: z.string().describe('Shown once: store it now') });

export const AttemptSchema = z.object({ number: z.number(), startedAt: z.string(), durationMs: z.number(), ok: z.boolean(), statusCode: z.number().nullable(), error: z.string().nullable() });
export const DeliverySchema = z.object({
  id: z.string(),
  kind: z.string(),
  channel: z.string(),
  target: z.string().nullable(),
  status: z.string(),
  attemptCount: z.number(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  attempts: z.array(AttemptSchema),
});
export const MatchSchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  subscriptionName: z.string(),
  logId: z.string(),
  logIndex: z.string(),
  field: z.string(),
  value: z.string(),
  event: z.unknown(),
  createdAt: z.string(),
  deliveries: z.array(DeliverySchema),
});

const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).transform((s) => new Date(s));
export const MatchQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  subscriptionId: z.uuid().optional(),
  logId: z.string().max(200).optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
});
export const DeliveryQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  status: z.enum(['pending', 'sent', 'retrying', 'failed', 'disabled', 'digested']).optional(),
  webhookId: z.uuid().optional().describe('Only deliveries to this webhook endpoint'),
});

export const ImportSchema = z
  .object({
    name: z.string().trim().min(1).max(200).default('Imported from rekor-monitor'),
    yaml: z.string().min(1, 'give the YAML text').max(131072),
    anchoring: z.enum(['strict', 'preserve']).default('strict'),
    dryRun: z.boolean().default(false),
    channels: z.object({ emailAddressIds: z.array(z.uuid()).max(20).default([]), webhookIds: z.array(z.uuid()).max(20).default([]) }).strict().optional(),
  })
  .strict();
