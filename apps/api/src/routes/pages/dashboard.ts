/** The dashboard: alert destinations that fail (bounced addresses, disabled webhooks), subscriptions, recent alerts and log status at a glance. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { logStatuses } from '../../services/log-status.js';
import { html } from '../../views/html.js';
import { logStatusTable } from '../../views/log-status.js';
import { sendPage } from '../../views/page.js';

export async function dashboardPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.get('/dashboard', async (req, reply) => {
    const userId = req.user!.id;
    const [subs, matches, logs, bounced, disabledHooks] = await Promise.all([
      deps.db.subscription.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, take: 20, include: { _count: { select: { rules: true, matches: true } } } }),
      deps.db.match.findMany({ where: { subscription: { userId } }, orderBy: { createdAt: 'desc' }, take: 10, include: { subscription: { select: { name: true } } } }),
      logStatuses(deps.db),
      deps.db.emailAddress.findMany({ where: { userId, bouncedAt: { not: null } }, orderBy: { bouncedAt: 'desc' } }),
      deps.db.webhookEndpoint.findMany({ where: { userId, enabled: false }, orderBy: { updatedAt: 'desc' } }),
    ]);
    // Alerts that cannot reach their user: said first, since the mail that would tell them is what fails.
    const problems = html`${bounced.map(
      (e) => html`<div role="alert" class="notice-problem"><p><strong>Alert mail to ${e.address} bounced</strong> on ${e.bouncedAt!.toISOString().slice(0, 10)}: <small>${e.bounceReason ?? ''}</small>. No alert mail goes there until you fix the mailbox and press “Resume alerts” on the <a href="/emails">e-mail addresses</a> page.</p></div>`,
    )}${disabledHooks.map(
      (w) => html`<div role="alert" class="notice-problem"><p><strong>Webhook ${w.url} is disabled</strong>${w.disabledReason ? html`: <small>${w.disabledReason}</small>` : ''}. <a href="/webhooks/${w.id}">Re-enable it</a> once it answers again.</p></div>`,
    )}`;
    return sendPage(req, reply, 'Dashboard', () => html`${problems}
<h2>Subscriptions</h2>
${subs.length === 0 ? html`<p>You have no subscriptions yet.</p>` : html`<table><thead><tr><th>Name</th><th>Rules</th><th>Alerts</th><th>State</th></tr></thead><tbody>
${subs.map((s) => html`<tr><td><a href="/subscriptions/${s.id}">${s.name}</a></td><td>${s._count.rules}</td><td>${s._count.matches}</td><td>${s.enabled ? 'enabled' : 'disabled'}</td></tr>`)}</tbody></table>`}
<p><a href="/subscriptions/new">New subscription</a> · <a href="/import">Import a rekor-monitor file</a></p>
<h2>Recent alerts</h2>
${matches.length === 0 ? html`<p>No alerts yet.</p>` : html`<ul>${matches.map((m) => html`<li><a href="/alerts/${m.id}">${m.subscription.name}</a>: ${m.field} = <code>${m.value}</code> (${m.createdAt.toISOString()})</li>`)}</ul>`}
<p><a href="/alerts">All alerts</a></p>
<h2>Logs</h2>${logStatusTable(logs)}`);
  });
}
