/** The signed-in pages: login required, CSRF required, other users' things are 404, and each flow works. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, loggedInAgent, PageAgent, type TestApp } from './helper.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

const ZERO = '00000000-0000-4000-8000-000000000000';
const GET_PAGES = ['/dashboard', '/subscriptions', '/subscriptions/new', `/subscriptions/${ZERO}`, '/emails', '/webhooks', `/webhooks/${ZERO}`, '/alerts', `/alerts/${ZERO}`, '/tokens', '/import', '/account'];
const POST_PAGES = ['/subscriptions/new', `/subscriptions/${ZERO}`, `/subscriptions/${ZERO}/toggle`, `/subscriptions/${ZERO}/delete`, '/emails', `/emails/${ZERO}/resend`, `/emails/${ZERO}/delete`, '/webhooks', `/webhooks/${ZERO}/rotate`, `/webhooks/${ZERO}/test`, `/webhooks/${ZERO}/enable`, `/webhooks/${ZERO}/delete`, `/deliveries/${ZERO}/retry`, '/tokens', `/tokens/${ZERO}/revoke`, '/import', '/account/sessions/end', '/account/delete'];

describe('page access', () => {
  it('sends visitors to the login page', async () => {
    const agent = new PageAgent(t.app);
    for (const url of GET_PAGES) {
      const res = await agent.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe(`/login?next=${encodeURIComponent(url)}`);
    }
  });

  it('requires the CSRF token on every form post', async () => {
    const { agent } = await loggedInAgent(t);
    for (const url of [...POST_PAGES, '/logout', '/signup', '/login', '/login/link', '/login/link/request', '/forgot-password', '/reset-password']) {
      const res = await agent.post(url, { name: 'x' }, { csrf: false });
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toContain('This form has expired');
    }
  });

  it("answers 404 for another user's things, and for malformed ids", async () => {
    const a = await loggedInAgent(t);
    const b = await loggedInAgent(t);
    const created = await a.agent.post('/subscriptions/new', { name: 'A', mode: 'template', template: 'github-repository', 'github-repository.repository': 'acme/a', action: 'save' });
    expect(created.statusCode).toBe(303);
    const id = /\/subscriptions\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1]!;
    expect((await b.agent.get(`/subscriptions/${id}`)).statusCode).toBe(404);
    expect((await b.agent.post(`/subscriptions/${id}/delete`, {})).statusCode).toBe(404);
    expect((await b.agent.post(`/subscriptions/${id}/toggle`, {})).statusCode).toBe(404);
    expect((await b.agent.get('/subscriptions/not-a-uuid')).statusCode).toBe(404);
    expect((await a.agent.get(`/subscriptions/${id}`)).statusCode).toBe(200);
    for (const url of GET_PAGES) expect((await a.agent.get(url)).statusCode, url).toBe(url.includes(ZERO) ? 404 : 200);
  });
});

describe('subscription pages', () => {
  it('previews, then creates from the GitHub template, shows warnings for raw rules, toggles and deletes', async () => {
    const { agent } = await loggedInAgent(t);
    const preview = await agent.post('/subscriptions/new', { name: 'w', mode: 'template', template: 'github-repository', 'github-repository.repository': 'acme/widget', action: 'preview' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toMatch(/would have matched/);
    const bad = await agent.post('/subscriptions/new', { name: 'w', mode: 'template', template: 'github-repository', 'github-repository.repository': 'not a repo', action: 'save' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="f-github-repository.repository-error"');
    const raw = await agent.post('/subscriptions/new', { name: 'raw', mode: 'rules', rules: '[{"issuers":[{"type":"exact","value":"https://accounts.google.com"}]}]', action: 'save' });
    expect(raw.statusCode).toBe(303);
    const page = await agent.get(raw.headers.location as string);
    expect(page.body).toContain('only an issuer');
    const badJson = await agent.post('/subscriptions/new', { name: 'raw', mode: 'rules', rules: '[{"san":{"type":"regex","value":"(a"}}]', action: 'save' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.body).toMatch(/id="f-rules-error">rule 1, san.value/);
    const id = /\/subscriptions\/([0-9a-f-]{36})/.exec(raw.headers.location as string)![1]!;
    expect((await agent.post(`/subscriptions/${id}/toggle`, {})).statusCode).toBe(303);
    expect((await t.deps.db.subscription.findUniqueOrThrow({ where: { id } })).enabled).toBe(false);
    expect((await agent.post(`/subscriptions/${id}/delete`, {})).statusCode).toBe(303);
    expect(await t.deps.db.subscription.count({ where: { id } })).toBe(0);
  });
});

describe('channels, tokens, import, account', () => {
  it('adds an e-mail address and shows an error next to a bad one', async () => {
    const { agent } = await loggedInAgent(t);
    const bad = await agent.post('/emails', { address: 'nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="f-address-error"');
    expect((await agent.post('/emails', { address: 'team@example.org' })).statusCode).toBe(303);
    expect((await agent.get('/emails')).body).toContain('waiting for confirmation');
  });

  it('shows a webhook secret once and queues a test event', async () => {
    const { agent } = await loggedInAgent(t);
    const res = await agent.post('/webhooks', { url: 'https://hooks.example.com/x' });
    expect(res.statusCode).toBe(200);
    const secret = /id="webhook-secret">(whsec_[^<]+)</.exec(res.body)?.[1];
    expect(secret).toBeDefined();
    const list = await agent.get('/webhooks');
    expect(list.body).not.toContain(secret!);
    const id = /href="\/webhooks\/([0-9a-f-]{36})"/.exec(list.body)![1]!;
    expect((await agent.post(`/webhooks/${id}/test`, {})).statusCode).toBe(303);
    expect(await t.deps.db.delivery.count({ where: { webhookEndpointId: id, kind: 'test' } })).toBe(1);
    const rotated = await agent.post(`/webhooks/${id}/rotate`, {});
    expect(rotated.body).toMatch(/id="webhook-secret">whsec_/);
    expect((await agent.post('/webhooks', { url: 'ftp://x' })).body).toContain('id="f-url-error"');
  });

  it('creates an API token shown once that works on the API, and revokes it', async () => {
    const { agent } = await loggedInAgent(t);
    const res = await agent.post('/tokens', { name: 'ci' });
    const token = /id="api-token">(sgw_[^<]+)</.exec(res.body)?.[1];
    expect(token).toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const row = await t.deps.db.apiToken.findFirstOrThrow({ where: { name: 'ci', user: { email: { not: '' } } }, orderBy: { createdAt: 'desc' } });
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await agent.post(`/tokens/${row.id}/revoke`, {})).statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });

  it('imports a rekor-monitor file through the form', async () => {
    const { agent } = await loggedInAgent(t);
    const yaml = 'monitoredValues:\n  certIdentities:\n    - certSubject: https://github\\.com/acme/.*\n';
    const check = await agent.post('/import', { yaml, action: 'check' });
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('rule(s) would be created');
    expect((await agent.post('/import', { yaml, action: 'import', name: 'rm' })).statusCode).toBe(303);
    expect((await agent.post('/import', { yaml: 'nothing: here', action: 'import' })).body).toContain('id="f-yaml-error"');
  });

  it('deletes the account and everything in it', async () => {
    const { agent, user } = await loggedInAgent(t);
    await agent.post('/subscriptions/new', { name: 'gone', mode: 'template', template: 'github-repository', 'github-repository.repository': 'acme/gone', action: 'save' });
    const wrong = await agent.post('/account/delete', { confirm: 'someone@else.com', password: user.password });
    expect(wrong.statusCode).toBe(400);
    const res = await agent.post('/account/delete', { confirm: user.email, password: user.password });
    expect(res.statusCode).toBe(303);
    expect(await t.deps.db.user.count({ where: { id: user.id } })).toBe(0);
    expect(await t.deps.db.subscription.count({ where: { userId: user.id } })).toBe(0);
    expect((await agent.get('/dashboard')).statusCode).toBe(303);
  });

  it('serves the home page, webhook docs and stylesheet publicly', async () => {
    const agent = new PageAgent(t.app);
    const home = await agent.get('/');
    expect(home.body).toContain('Log status');
    expect(home.headers['content-security-policy']).toContain("default-src 'none'");
    expect(home.headers['referrer-policy']).toBe('no-referrer');
    expect(home.headers['x-frame-options']).toBe('DENY');
    const docs = await agent.get('/docs/webhooks');
    expect(docs.body).toContain('webhook-signature');
    expect(docs.body).toContain('match.created');
    expect(docs.body).toContain('log.incident');
    expect((await t.app.inject({ method: 'GET', url: '/assets/style.css' })).headers['content-type']).toContain('text/css');
  });
});
