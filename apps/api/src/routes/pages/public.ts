/** Pages that need no login: alert-address confirmation links. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { verifyEmail } from '../../services/email-addresses.js';
import { html } from '../../views/html.js';
import { redirectWith, sendPage } from '../../views/page.js';

export async function publicPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.get<{ Querystring: { token?: string } }>('/emails/verify', async (req, reply) => {
    if (await verifyEmail(deps, req.query.token ?? '')) return redirectWith(req, reply, req.user ? '/emails' : '/', 'The address is confirmed: alerts can go to it now.');
    return sendPage(req, reply, 'Link not valid', () => html`<p>This confirmation link is invalid, used or expired. Ask for a new one on the <a href="/emails">e-mail addresses</a> page.</p>`, 400);
  });
}
