/** E-mail address and webhook pages: add, confirm/resend, remove; secret shown once, rotate, test, re-enable, attempts. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { addEmail, listEmails, removeEmail, resendEmailVerification, resumeEmail } from '../../services/email-addresses.js';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, sendTestEvent, updateWebhook } from '../../services/webhooks.js';
import { emailsPage, webhookDetail, webhooksPage } from '../../views/channel-pages.js';
import { redirectWith, sendPage } from '../../views/page.js';
import { uuidOr404 } from './subscriptions.js';

type IdReq = FastifyRequest<{ Params: { id: string } }>;
const field = (b: unknown, k: string): string => {
  const v = (b as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'string' ? v : '';
};

export async function channelPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.get('/emails', async (req, reply) => {
    const emails = await listEmails(deps, req.user!.id);
    return sendPage(req, reply, 'E-mail addresses', (csrf) => emailsPage(csrf, emails, {}));
  });
  app.post('/emails', async (req, reply) => {
    const address = field(req.body, 'address').trim();
    const show = async (message: string, status: number) => {
      const emails = await listEmails(deps, req.user!.id);
      return sendPage(req, reply, 'E-mail addresses', (csrf) => emailsPage(csrf, emails, { address: message }, address), status);
    };
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) || address.length > 254) return show('Enter an e-mail address like name@example.com.', 400);
    try {
      await addEmail(deps, req.user!.id, address);
    } catch (err) {
      if (err instanceof AppError && err.code === 'CONFLICT') return show('You have already added this address.', 409);
      throw err;
    }
    return redirectWith(req, reply, '/emails', `We have sent a confirmation link to ${address}.`);
  });
  app.post('/emails/:id/resend', async (req: IdReq, reply) => {
    await resendEmailVerification(deps, req.user!.id, uuidOr404(req.params.id));
    return redirectWith(req, reply, '/emails', 'Confirmation link sent again.');
  });
  app.post('/emails/:id/resume', async (req: IdReq, reply) => {
    const e = await resumeEmail(deps, req.user!.id, uuidOr404(req.params.id), req.ip);
    return redirectWith(req, reply, '/emails', `Alert mail goes to ${e.address} again.`);
  });
  app.post('/emails/:id/delete', async (req: IdReq, reply) => {
    await removeEmail(deps, req.user!.id, uuidOr404(req.params.id));
    return redirectWith(req, reply, '/emails', 'Address removed.');
  });

  app.get('/webhooks', async (req, reply) => {
    const hooks = await listWebhooks(deps, req.user!.id);
    return sendPage(req, reply, 'Webhooks', (csrf) => webhooksPage(csrf, hooks, {}));
  });
  app.post('/webhooks', async (req, reply) => {
    const url = field(req.body, 'url');
    try {
      const hook = await createWebhook(deps, req.user!.id, { url, description: field(req.body, 'description').slice(0, 500), includeIncidents: field(req.body, 'includeIncidents') === 'on' });
      const hooks = await listWebhooks(deps, req.user!.id);
      return sendPage(req, reply, 'Webhooks', (csrf) => webhooksPage(csrf, hooks, {}, { url: '' }, { id: hook.id, secret: hook.secret }));
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'VALIDATION') throw err;
      const hooks = await listWebhooks(deps, req.user!.id);
      return sendPage(req, reply, 'Webhooks', (csrf) => webhooksPage(csrf, hooks, { url: err.message.replace(/^url: /, '') }, { url }), 400);
    }
  });
  const detail = async (req: IdReq, secret?: string) => {
    const hook = await getWebhook(deps, req.user!.id, uuidOr404(req.params.id));
    const deliveries = await deps.db.delivery.findMany({ where: { webhookEndpointId: hook.id, userId: req.user!.id }, orderBy: { createdAt: 'desc' }, take: 20, include: { attempts: { orderBy: { number: 'asc' } } } });
    return { hook, deliveries, secret };
  };
  app.get('/webhooks/:id', async (req: IdReq, reply) => {
    const d = await detail(req);
    return sendPage(req, reply, 'Webhook', (csrf) => webhookDetail(csrf, d.hook, d.deliveries));
  });
  app.post('/webhooks/:id/rotate', async (req: IdReq, reply) => {
    const rotated = await rotateWebhookSecret(deps, req.user!.id, uuidOr404(req.params.id));
    const d = await detail(req);
    return sendPage(req, reply, 'Webhook', (csrf) => webhookDetail(csrf, d.hook, d.deliveries, rotated.secret));
  });
  app.post('/webhooks/:id/test', async (req: IdReq, reply) => {
    await sendTestEvent(deps, req.user!.id, uuidOr404(req.params.id));
    return redirectWith(req, reply, `/webhooks/${req.params.id}`, 'Test event queued: reload to see the attempt.');
  });
  app.post('/webhooks/:id/enable', async (req: IdReq, reply) => {
    const hook = await getWebhook(deps, req.user!.id, uuidOr404(req.params.id));
    await updateWebhook(deps, req.user!.id, hook.id, { enabled: !hook.enabled });
    return redirectWith(req, reply, `/webhooks/${hook.id}`, hook.enabled ? 'Webhook disabled.' : 'Webhook enabled.');
  });
  app.post('/webhooks/:id/delete', async (req: IdReq, reply) => {
    await deleteWebhook(deps, req.user!.id, uuidOr404(req.params.id));
    return redirectWith(req, reply, '/webhooks', 'Webhook deleted.');
  });
}
