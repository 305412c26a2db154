/**
 * Webhook endpoints: created with a `whsec_` secret shown once; rotation keeps the previous secret
 * signing for 24 hours; "send test event" writes a `test` Delivery and enqueues it for the delivery
 * worker; re-enable clears an auto-disable.
 */
import { deliveryJobId } from '@sigwatch/queue';
import type { ApiDeps } from '../deps.js';
import { invalid, notFound } from '../errors.js';
import { newWebhookSecret } from './secrets.js';

type Deps = Pick<ApiDeps, 'db' | 'config' | 'producers'>;

export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

type Row = {
  id: string;
  url: string;
  description: string;
  includeIncidents: boolean;
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
};

export function webhookView(w: Row) {
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    includeIncidents: w.includeIncidents,
    enabled: w.enabled,
    disabledAt: w.disabledAt?.toISOString() ?? null,
    disabledReason: w.disabledReason,
    previousSecretExpiresAt: w.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: w.createdAt.toISOString(),
  };
}
export type WebhookView = ReturnType<typeof webhookView>;

/** http(s) only; plain http and literal private hosts only where the operator allows private targets. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw invalid('url', 'url: not a URL; give an https:// address');
  }
  if (u.protocol !== 'https:' && !(allowPrivate && u.protocol === 'http:')) throw invalid('url', 'url: must be an https:// address');
  if (u.username !== '' || u.password !== '') throw invalid('url', 'url: must not contain a user name or password');
  if (raw.length > 2000) throw invalid('url', 'url: at most 2000 characters');
  return u.toString();
}

async function owned(deps: Deps, userId: string, id: string) {
  const w = await deps.db.webhookEndpoint.findFirst({ where: { id, userId } });
  if (w === null) throw notFound('Webhook');
  return w;
}

export async function listWebhooks(deps: Deps, userId: string): Promise<WebhookView[]> {
  return (await deps.db.webhookEndpoint.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } })).map(webhookView);
}

export async function getWebhook(deps: Deps, userId: string, id: string): Promise<WebhookView> {
  return webhookView(await owned(deps, userId, id));
}

export async function createWebhook(deps: Deps, userId: string, body: { url: string; description?: string | undefined; includeIncidents?: boolean | undefined }) {
  const url = checkWebhookUrl(body.url, deps.config.WEBHOOK_ALLOW_PRIVATE);
  const secret = newWebhookSecret();
  const w = await deps.db.webhookEndpoint.create({ data: { userId, url, description: body.description ?? '', includeIncidents: body.includeIncidents ?? false, secret } });
  return { ...webhookView(w), secret };
}

export async function updateWebhook(deps: Deps, userId: string, id: string, body: { url?: string | undefined; description?: string | undefined; includeIncidents?: boolean | undefined; enabled?: boolean | undefined }) {
  await owned(deps, userId, id);
  const url = body.url === undefined ? undefined : checkWebhookUrl(body.url, deps.config.WEBHOOK_ALLOW_PRIVATE);
  const w = await deps.db.webhookEndpoint.update({
    where: { id },
    data: {
      ...(url !== undefined ? { url } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.includeIncidents !== undefined ? { includeIncidents: body.includeIncidents } : {}),
      // Re-enabling clears the reason it was switched off.
      ...(body.enabled === true ? { enabled: true, disabledAt: null, disabledReason: null } : {}),
      ...(body.enabled === false ? { enabled: false, disabledAt: new Date(), disabledReason: 'disabled by the user' } : {}),
    },
  });
  return webhookView(w);
}

export async function rotateWebhookSecret(deps: Deps, userId: string, id: string) {
  const old = await owned(deps, userId, id);
  const secret = newWebhookSecret();
  const w = await deps.db.webhookEndpoint.update({
    where: { id },
    data: { secret, previousSecret: old.secret, previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS) },
  });
  return { ...webhookView(w), secret };
}

export async function deleteWebhook(deps: Deps, userId: string, id: string): Promise<void> {
  const res = await deps.db.webhookEndpoint.deleteMany({ where: { id, userId } });
  if (res.count === 0) throw notFound('Webhook');
}

/** A `test` delivery to this endpoint, sent by the delivery worker like any alert. */
export async function sendTestEvent(deps: Deps, userId: string, id: string): Promise<{ deliveryId: string }> {
  const w = await owned(deps, userId, id);
  const d = await deps.db.delivery.create({
    data: {
      kind: 'test',
      userId,
      channel: 'webhook',
      channelKey: `webhook:${w.id}`,
      webhookEndpointId: w.id,
      payload: { message: 'This is a test event from Sigwatch.', endpoint_id: w.id },
    },
  });
  await deps.producers.deliveries.add(deliveryJobId(d.id), { deliveryId: d.id });
  return { deliveryId: d.id };
}
