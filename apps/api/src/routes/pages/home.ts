/** Home page (what Sigwatch does + public log status) and the stylesheet. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { logStatuses } from '../../services/log-status.js';
import { html } from '../../views/html.js';
import { logStatusTable } from '../../views/log-status.js';
import { sendPage } from '../../views/page.js';
import { STYLESHEET } from '../../views/style.js';

export async function homePages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.get('/assets/style.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  app.get('/', async (req, reply) => {
    const logs = await logStatuses(deps.db);
    return sendPage(req, reply, 'Know when your identity signs something', () =>
      html`<p>Sigwatch follows Sigstore's public transparency logs (Rekor and the Fulcio certificate log), proves they stay
append-only, and tells you within seconds — by e-mail or signed webhook — whenever an entry is signed with one of your
identities: a GitHub repository or workflow, an e-mail address and issuer, a GitLab project or a key fingerprint.</p>
<p>${req.user ? html`<a href="/dashboard">Go to your dashboard</a>` : html`<a href="/signup">Sign up</a> or <a href="/login">log in</a>`}.
Integrators can use the <a href="/docs">REST API</a>.</p>
<h2>Log status</h2>${logStatusTable(logs)}`,
    );
  });
}
