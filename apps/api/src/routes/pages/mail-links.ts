/**
 * Links in alert mail that work without a session (signed by the worker, packages/config signed-token.ts):
 * `/unsubscribe/<token>` (RFC 8058: GET shows a button, POST — also the mail client's one-click
 * `List-Unsubscribe=One-Click` — stops alert mail to that address) and `/mute/<token>` (mute one
 * subscription). The token is the authority, so these forms carry no CSRF token; each token acts once.
 * `/incidents/<id>` shows a log incident's evidence (public: it is about public logs).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignedTokenError, tokenSecret, verifyToken, type SignedTokenClaims, type TokenPurpose } from '@sigwatch/config';
import type { ApiDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { publishRuleChange } from '../../services/rule-changes.js';
import { html } from '../../views/html.js';
import { sendPage } from '../../views/page.js';
import { uuidOr404 } from './subscriptions.js';

// Tokens are ~250 characters, beyond find-my-way's 100-character limit for `:param`s: a wildcard carries them.
type TokenReq = FastifyRequest<{ Params: { '*': string } }>;

export async function mailLinkPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  const secret = tokenSecret(deps.config) ?? deps.config.SESSION_SECRET;

  function claims(req: TokenReq, purpose: TokenPurpose): SignedTokenClaims {
    try {
      return verifyToken(secret, purpose, req.params['*']);
    } catch (err) {
      if (err instanceof SignedTokenError) throw new AppError('NOT_FOUND', 'This link is not valid or has expired.');
      throw err;
    }
  }

  /** True the first time a token is used; the actions are idempotent, this only keeps replays quiet. */
  async function firstUse(c: SignedTokenClaims): Promise<boolean> {
    return (await deps.redis.set(`${deps.config.REDIS_PREFIX}:token-used:${c.jti}`, '1', 'EXAT', c.exp, 'NX')) === 'OK';
  }

  const confirm = (req: TokenReq, reply: FastifyReply, title: string, text: string, button: string) =>
    sendPage(req, reply, title, () => html`<p>${text}</p><form method="post" action="${req.url.split('?')[0] ?? ''}"><button type="submit">${button}</button></form>`);

  app.get('/unsubscribe/*', async (req: TokenReq, reply) => {
    const c = claims(req, 'unsubscribe-alerts');
    const address = await deps.db.emailAddress.findUnique({ where: { id: c.sub } });
    if (address === null) throw new AppError('NOT_FOUND', 'This address is no longer on Sigwatch.');
    return confirm(req, reply, 'Unsubscribe', `Stop all Sigwatch alert mail to ${address.address}?`, 'Unsubscribe');
  });
  app.post('/unsubscribe/*', async (req: TokenReq, reply) => {
    const c = claims(req, 'unsubscribe-alerts');
    await firstUse(c);
    await deps.db.emailAddress.updateMany({ where: { id: c.sub, unsubscribedAt: null }, data: { unsubscribedAt: new Date() } });
    return sendPage(req, reply, 'Unsubscribed', () => html`<p>No more alert mail will go to this address. To receive alerts again, press “Resume alerts” on the <a href="/emails">e-mail addresses</a> page.</p>`);
  });

  app.get('/mute/*', async (req: TokenReq, reply) => {
    const c = claims(req, 'mute-subscription');
    const sub = await deps.db.subscription.findUnique({ where: { id: c.sub } });
    if (sub === null) throw new AppError('NOT_FOUND', 'This subscription no longer exists.');
    return confirm(req, reply, 'Mute subscription', `Stop alerts for "${sub.name}"? You can unmute it on its page.`, 'Mute');
  });
  app.post('/mute/*', async (req: TokenReq, reply) => {
    const c = claims(req, 'mute-subscription');
    await firstUse(c);
    const res = await deps.db.subscription.updateMany({ where: { id: c.sub, mutedAt: null }, data: { mutedAt: new Date() } });
    if (res.count > 0) await publishRuleChange(deps.redis, deps.config.REDIS_PREFIX, c.sub);
    return sendPage(req, reply, 'Muted', () => html`<p>This subscription is muted. <a href="/subscriptions/${c.sub}">Open it</a> to unmute.</p>`);
  });

  app.get('/incidents/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const inc = await deps.db.incident.findUnique({ where: { id: uuidOr404(req.params.id) }, include: { log: { select: { origin: true } } } });
    if (inc === null) throw new AppError('NOT_FOUND', 'No such incident.');
    return sendPage(req, reply, `Incident: ${inc.code}`, () =>
      html`<p>Log <code>${inc.log.origin}</code>: ${inc.message}</p><p>Opened ${inc.openedAt.toISOString()}${inc.resolvedAt ? html`, resolved ${inc.resolvedAt.toISOString()}` : ' — still open'}.</p>
<h2>Evidence</h2><pre>${JSON.stringify(inc.evidence, null, 2)}</pre>`,
    );
  });
}
