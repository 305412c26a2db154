/** API tokens (created and shown once, revoked), rekor-monitor import, ending other sessions, and account deletion. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { logIn, logOut } from '../../plugins/app/auth.js';
import { deleteAccount, endSessions } from '../../services/accounts.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../services/api-tokens.js';
import { audit } from '../../services/audit.js';
import { importSubscription } from '../../services/import.js';
import { verifyPassword } from '../../services/passwords.js';
import { accountPage, importPage, tokensPage } from '../../views/account-pages.js';
import { redirectWith, sendPage } from '../../views/page.js';
import { uuidOr404 } from './subscriptions.js';

const str = (b: unknown, k: string): string => {
  const v = (b as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'string' ? v : '';
};

export async function accountPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.get('/tokens', async (req, reply) => {
    const tokens = await listApiTokens(deps.db, req.user!.id);
    return sendPage(req, reply, 'API tokens', (csrf) => tokensPage(csrf, tokens, {}));
  });
  app.post('/tokens', async (req, reply) => {
    const name = str(req.body, 'name').trim();
    if (name === '' || name.length > 100) {
      const tokens = await listApiTokens(deps.db, req.user!.id);
      return sendPage(req, reply, 'API tokens', (csrf) => tokensPage(csrf, tokens, { name: 'Give the token a name of at most 100 characters.' }), 400);
    }
    const { token } = await createApiToken(deps.db, req.user!.id, name);
    await audit(deps.db, req.user!.id, 'token.create', req.ip, { name });
    const tokens = await listApiTokens(deps.db, req.user!.id);
    return sendPage(req, reply, 'API tokens', (csrf) => tokensPage(csrf, tokens, {}, token));
  });
  app.post('/tokens/:id/revoke', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    await revokeApiToken(deps.db, req.user!.id, uuidOr404(req.params.id));
    await audit(deps.db, req.user!.id, 'token.revoke', req.ip, { id: req.params.id });
    return redirectWith(req, reply, '/tokens', 'Token revoked.');
  });

  app.get('/import', async (req, reply) => sendPage(req, reply, 'Import a rekor-monitor file', (csrf) => importPage(csrf, {}, {})));
  app.post('/import', async (req, reply) => {
    const values = { name: str(req.body, 'name').trim() || 'Imported from rekor-monitor', yaml: str(req.body, 'yaml'), anchoring: str(req.body, 'anchoring') === 'preserve' ? ('preserve' as const) : ('strict' as const) };
    const dryRun = str(req.body, 'action') !== 'import';
    try {
      const res = await importSubscription(deps, req.user!.id, { ...values, name: values.name.slice(0, 200), dryRun });
      if (res.subscription !== null) return redirectWith(req, reply, `/subscriptions/${res.subscription.id}`, `Imported ${res.rules.length} rule(s) with ${res.notes.length} note(s).`);
      return sendPage(req, reply, 'Import a rekor-monitor file', (csrf) => importPage(csrf, values, {}, res));
    } catch (err) {
      if (err instanceof AppError && err.code === 'VALIDATION') return sendPage(req, reply, 'Import a rekor-monitor file', (csrf) => importPage(csrf, values, { yaml: err.message.replace(/^yaml: /, '') }), 400);
      throw err;
    }
  });

  app.get('/account', async (req, reply) => sendPage(req, reply, 'Account', (csrf) => accountPage(csrf, req.user!.email, {})));
  app.post('/account/sessions/end', async (req, reply) => {
    await endSessions(deps, req.user!.id, req.ip);
    // This browser goes on in a new session, started after the cut-off.
    await logIn(req, req.user!);
    return redirectWith(req, reply, '/account', 'Every other session is logged out.');
  });
  app.post('/account/delete', async (req, reply) => {
    const user = await deps.db.user.findUniqueOrThrow({ where: { id: req.user!.id } });
    const confirm = str(req.body, 'confirm').trim().toLowerCase();
    const passwordOk = user.passwordHash === null || (await verifyPassword(user.passwordHash, str(req.body, 'password')));
    if (confirm !== user.email || !passwordOk) {
      const errors = confirm !== user.email ? { confirm: 'Type your e-mail address exactly to confirm.' } : { password: 'That password is not right.' };
      return sendPage(req, reply, 'Account', (csrf) => accountPage(csrf, user.email, errors), 400);
    }
    await deleteAccount(deps, user.id);
    await logOut(req, reply, deps.config.PUBLIC_URL);
    return reply.redirect('/?deleted=1', 303);
  });
}
