/** /api/v1/emails and /api/v1/webhooks: alert destinations. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../../../deps.js';
import { EmailCreateSchema, EmailSchema, WebhookCreateSchema, WebhookSchema, WebhookUpdateSchema, WebhookWithSecretSchema } from '../../../schemas/channels.js';
import { errorResponses, IdParams } from '../../../schemas/common.js';
import { addEmail, listEmails, removeEmail, resendEmailVerification, resumeEmail } from '../../../services/email-addresses.js';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, sendTestEvent, updateWebhook } from '../../../services/webhooks.js';
import { userOf } from './autohooks.js';

const security = [{ bearerAuth: [] }];
const errors = { ...errorResponses, 409: errorResponses[400] };

export async function channelRoutes(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const e = { tags: ['e-mail addresses'], security };
  r.get('/emails', { schema: { ...e, summary: 'Your alert e-mail addresses', response: { 200: z.object({ items: z.array(EmailSchema) }), ...errors } } }, async (req) => ({ items: await listEmails(deps, userOf(req)) }));
  r.post('/emails', { schema: { ...e, summary: 'Add an address; a confirmation link is mailed to it', body: EmailCreateSchema, response: { 201: EmailSchema, ...errors } } }, async (req, reply) =>
    reply.code(201).send(await addEmail(deps, userOf(req), req.body.address)),
  );
  r.post('/emails/:id/resend', { schema: { ...e, summary: 'Mail the confirmation link again', params: IdParams, response: { 202: z.null(), ...errors } } }, async (req, reply) => {
    await resendEmailVerification(deps, userOf(req), req.params.id);
    return reply.code(202).send(null);
  });
  r.post('/emails/:id/resume', { schema: { ...e, summary: 'Send alert mail to the address again after it bounced or unsubscribed', params: IdParams, response: { 200: EmailSchema, ...errors } } }, async (req) =>
    resumeEmail(deps, userOf(req), req.params.id, req.ip),
  );
  r.delete('/emails/:id', { schema: { ...e, summary: 'Remove an address', params: IdParams, response: { 204: z.null(), ...errors } } }, async (req, reply) => {
    await removeEmail(deps, userOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  const w = { tags: ['webhooks'], security };
  r.get('/webhooks', { schema: { ...w, summary: 'Your webhook endpoints', response: { 200: z.object({ items: z.array(WebhookSchema) }), ...errors } } }, async (req) => ({ items: await listWebhooks(deps, userOf(req)) }));
  r.post('/webhooks', { schema: { ...w, summary: 'Add an endpoint; the signing secret is returned once', body: WebhookCreateSchema, response: { 201: WebhookWithSecretSchema, ...errors } } }, async (req, reply) =>
    reply.code(201).send(await createWebhook(deps, userOf(req), req.body)),
  );
  r.get('/webhooks/:id', { schema: { ...w, summary: 'One endpoint', params: IdParams, response: { 200: WebhookSchema, ...errors } } }, async (req) => getWebhook(deps, userOf(req), req.params.id));
  r.patch('/webhooks/:id', { schema: { ...w, summary: 'Change url/description/incidents, or enable (re-enable) / disable', params: IdParams, body: WebhookUpdateSchema, response: { 200: WebhookSchema, ...errors } } }, async (req) =>
    updateWebhook(deps, userOf(req), req.params.id, req.body),
  );
  r.delete('/webhooks/:id', { schema: { ...w, summary: 'Delete an endpoint', params: IdParams, response: { 204: z.null(), ...errors } } }, async (req, reply) => {
    await deleteWebhook(deps, userOf(req), req.params.id);
    return reply.code(204).send(null);
  });
  r.post('/webhooks/:id/rotate-secret', { schema: { ...w, summary: 'New secret (returned once); the old one keeps signing for 24 hours', params: IdParams, response: { 200: WebhookWithSecretSchema, ...errors } } }, async (req) =>
    rotateWebhookSecret(deps, userOf(req), req.params.id),
  );
  r.post('/webhooks/:id/test', { schema: { ...w, summary: 'Send a signed test event', params: IdParams, response: { 202: z.object({ deliveryId: z.string() }), ...errors } } }, async (req, reply) =>
    reply.code(202).send(await sendTestEvent(deps, userOf(req), req.params.id)),
  );
}
