/** /docs/webhooks: the public description of the webhook format and how to verify a signature. */
import type { FastifyInstance } from 'fastify';
import { webhookDocs } from '../../views/webhook-docs.js';
import { sendPage } from '../../views/page.js';

export async function webhookDocsPage(app: FastifyInstance): Promise<void> {
  app.get('/docs/webhooks', async (req, reply) => sendPage(req, reply, 'Webhook format', () => webhookDocs()));
}
