/** /api/v1 e-mails, webhooks (secret once, rotate, test event), matches, deliveries (retry), import, logs, docs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryJobId } from '@sigwatch/queue';
import { linkIn } from '../../harness/smtp-capture.js';
import { buildTestApp, loggedInAgent, tokenUser, type TestApp } from './helper.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

const rule = { issuers: [{ type: 'exact', value: 'https://token.actions.githubusercontent.com' }], extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: 'https://github.com/acme/widget' } }] };

/** A Log, a Match and a failed Delivery for the user's new subscription, as the worker would write them. */
async function seedAlert(userId: string, subscriptionId: string) {
  const log = await t.deps.db.log.upsert({
    where: { id: 'test-log' },
    create: { id: 'test-log', origin: 'rekor.test - 1', kind: 'rekor_v1', url: 'http://127.0.0.1:1', publicKey: 'AA==', keyId: 'AA==' },
    update: {},
  });
  const n = BigInt(Math.floor(Math.random() * 1e12));
  const match = await t.deps.db.match.create({ data: { subscriptionId, logId: log.id, logIndex: n, field: 'extension', value: 'https://github.com/acme/widget', event: { index: String(n) } } });
  const delivery = await t.deps.db.delivery.create({ data: { kind: 'match', matchId: match.id, userId, channel: 'webhook', channelKey: `webhook:x${n}`, status: 'failed', attemptCount: 1, lastError: 'HTTP 500' } });
  await t.deps.db.deliveryAttempt.create({ data: { deliveryId: delivery.id, number: 1, durationMs: 12, ok: false, statusCode: 500, error: 'HTTP 500' } });
  return { match, delivery };
}

describe('e-mail addresses', () => {
  it('adds, verifies by link, refuses duplicates, and removes', async () => {
    const { auth } = await tokenUser(t);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/emails', headers: auth, payload: { address: 'Alerts@Example.com' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ address: 'alerts@example.com', verified: false });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/emails', headers: auth, payload: { address: 'alerts@example.com' } })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/emails', headers: auth, payload: { address: 'nope' } })).json().field).toBe('address');
    const mail = await t.smtp.waitFor((m) => m.to.includes('alerts@example.com'));
    const link = new URL(linkIn(mail, '/emails/verify'));
    expect((await t.app.inject({ method: 'GET', url: link.pathname + link.search })).statusCode).toBe(303);
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/emails', headers: auth })).json().items;
    expect(list.find((e: { address: string }) => e.address === 'alerts@example.com').verified).toBe(true);
    const other = await tokenUser(t);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/emails/${res.json().id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/emails/${res.json().id}`, headers: auth })).statusCode).toBe(204);
  });

  it('shows a bounced address with the reason, and resumes it (REST and page), audited; others cannot', async () => {
    const { auth, user } = await tokenUser(t);
    const bouncedAt = new Date('2026-12-07T02:30:00Z');
    const e = await t.deps.db.emailAddress.create({
      data: { userId: user.id, address: `bounced-${user.id}@example.com`, verifiedAt: new Date(), bouncedAt, bounceReason: '550 5.1.1 <x>: User unknown' },
    });
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/emails', headers: auth })).json().items;
    expect(listed.find((x: { id: string }) => x.id === e.id)).toMatchObject({ verified: true, unsubscribed: false, bounce: { at: bouncedAt.toISOString(), reason: '550 5.1.1 <x>: User unknown' } });
    const other = await tokenUser(t);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/emails/${e.id}/resume`, headers: other.auth })).statusCode).toBe(404);
    const resumed = await t.app.inject({ method: 'POST', url: `/api/v1/emails/${e.id}/resume`, headers: auth });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ bounce: null, unsubscribed: false });
    expect(await t.deps.db.emailAddress.findUniqueOrThrow({ where: { id: e.id } })).toMatchObject({ bouncedAt: null, bounceReason: null });
    expect(await t.deps.db.auditEvent.findFirst({ where: { userId: user.id, action: 'email.resumed' } })).toMatchObject({ detail: { address: e.address, bounced: bouncedAt.toISOString() } });

    // the page: state with the reason (escaped), a Resume button that works
    const { agent, user: pageUser } = await loggedInAgent(t);
    const p = await t.deps.db.emailAddress.create({
      data: { userId: pageUser.id, address: `page-${pageUser.id}@example.com`, verifiedAt: new Date(), bouncedAt, bounceReason: '5.7.1 <script>blocked</script>' },
    });
    // the dashboard says it first: the mail that would tell the user is what fails
    const dash = (await agent.get('/dashboard')).body;
    expect(dash).toContain(`<strong>Alert mail to ${p.address} bounced</strong> on 2026-12-07`);
    expect(dash).toContain('5.7.1 &lt;script&gt;blocked&lt;/script&gt;');
    const hook = await t.deps.db.webhookEndpoint.create({ data: { userId: pageUser.id, url: 'https://hooks.example.com/x', secret: 'whsec_x', enabled: false, disabledReason: 'it answered 410 Gone' } });
    expect((await agent.get('/dashboard')).body).toContain(`<strong>Webhook https://hooks.example.com/x is disabled</strong>: <small>it answered 410 Gone</small>. <a href="/webhooks/${hook.id}">`);
    const page = (await agent.get('/emails')).body;
    expect(page).toContain('bounced</span> on 2026-12-07');
    expect(page).toContain('5.7.1 &lt;script&gt;blocked&lt;/script&gt;');
    expect(page).toContain(`action="/emails/${p.id}/resume"`);
    expect((await agent.post(`/emails/${p.id}/resume`, {})).statusCode).toBe(303);
    expect((await t.deps.db.emailAddress.findUniqueOrThrow({ where: { id: p.id } })).bouncedAt).toBeNull();
    expect((await agent.get('/emails')).body).not.toContain(`action="/emails/${p.id}/resume"`);
    expect((await agent.get('/dashboard')).body).not.toContain('bounced</strong>');
  });

  it('never lets an unverified address be a channel', async () => {
    const { auth } = await tokenUser(t);
    const e = (await t.app.inject({ method: 'POST', url: '/api/v1/emails', headers: auth, payload: { address: 'pending@example.com' } })).json();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: auth, payload: { name: 'x', rules: [rule], channels: { emailAddressIds: [e.id] } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('channels.emailAddressIds');
  });
});

describe('webhooks', () => {
  it('shows the secret once, rotates it, sends a test event, re-enables', async () => {
    const { auth, user } = await tokenUser(t);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: auth, payload: { url: 'https://hooks.example.com/sigwatch' } });
    expect(res.statusCode).toBe(201);
    const hook = res.json();
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(hook.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    const got = (await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}`, headers: auth })).json();
    expect(got.secret).toBeUndefined();
    const rotated = (await t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${hook.id}/rotate-secret`, headers: auth })).json();
    expect(rotated.secret).not.toBe(hook.secret);
    const row = await t.deps.db.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.id } });
    expect(row.previousSecret).toBe(hook.secret);
    expect(row.previousSecretExpiresAt!.getTime() - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    const test = await t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${hook.id}/test`, headers: auth });
    expect(test.statusCode).toBe(202);
    const d = await t.deps.db.delivery.findUniqueOrThrow({ where: { id: test.json().deliveryId } });
    expect(d).toMatchObject({ kind: 'test', status: 'pending', webhookEndpointId: hook.id, userId: user.id });
    expect(await t.deps.producers.deliveries.queue.getJob(deliveryJobId(d.id))).toBeDefined();
    const forHook = (await t.app.inject({ method: 'GET', url: `/api/v1/deliveries?webhookId=${hook.id}`, headers: auth })).json();
    expect(forHook.items.map((x: { id: string }) => x.id)).toEqual([d.id]);

    await t.deps.db.webhookEndpoint.update({ where: { id: hook.id }, data: { enabled: false, disabledAt: new Date(), disabledReason: '10 failures' } });
    const re = await t.app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${hook.id}`, headers: auth, payload: { enabled: true } });
    expect(re.json()).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('refuses non-https URLs where private targets are not allowed, naming the field', async () => {
    const strict = await buildTestAppStrict();
    const { auth } = await tokenUser(strict);
    const res = await strict.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: auth, payload: { url: 'http://example.com/x' } });
    expect(res.json()).toMatchObject({ code: 'VALIDATION', field: 'url' });
    await strict.close();
  });

  it("keeps other users' webhooks out of reach", async () => {
    const a = await tokenUser(t);
    const b = await tokenUser(t);
    const hook = (await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: a.auth, payload: { url: 'https://a.example.com/' } })).json();
    for (const [method, url] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/rotate-secret'], ['POST', '/test']] as const) {
      const res = await t.app.inject({ method, url: `/api/v1/webhooks/${hook.id}${url}`, headers: b.auth, ...(method === 'PATCH' ? { payload: { enabled: true } } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
  });
});

describe('alerts and deliveries', () => {
  it('lists matches with deliveries and attempts, filters, and retries a failed delivery', async () => {
    const { auth, user } = await tokenUser(t);
    const sub = (await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: auth, payload: { name: 'w', rules: [rule] } })).json();
    const { match, delivery } = await seedAlert(user.id, sub.id);
    const list = (await t.app.inject({ method: 'GET', url: `/api/v1/matches?subscriptionId=${sub.id}`, headers: auth })).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0].deliveries[0].attempts[0]).toMatchObject({ number: 1, ok: false, statusCode: 500 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/matches?logId=nope`, headers: auth })).json().items).toHaveLength(0);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/matches?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, headers: auth })).json().items).toHaveLength(0);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/matches?since=yesterday`, headers: auth })).json().field).toBe('since');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/matches/${match.id}`, headers: auth })).statusCode).toBe(200);
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/deliveries/${delivery.id}/retry`, headers: auth });
    expect(retry.statusCode).toBe(202);
    expect(retry.json().status).toBe('pending');
    expect(await t.deps.producers.deliveries.queue.getJob(deliveryJobId(delivery.id))).toBeDefined();
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/deliveries/${delivery.id}/retry`, headers: auth })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/deliveries/${delivery.id}`, headers: auth })).json().attempts).toHaveLength(1);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/deliveries?status=pending`, headers: auth })).json().items.length).toBeGreaterThan(0);

    const other = await tokenUser(t);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/matches/${match.id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/deliveries/${delivery.id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/deliveries/${delivery.id}/retry`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/matches`, headers: other.auth })).json().items).toHaveLength(0);
  });
});

describe('import, logs and docs', () => {
  it('imports a rekor-monitor file (dry run, then for real) and reports anchoring changes', async () => {
    const { auth } = await tokenUser(t);
    const yaml = 'monitoredValues:\n  certIdentities:\n    - certSubject: user@example\\.com\n      issuers:\n        - https://accounts\\.google\\.com\n';
    const dry = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: auth, payload: { yaml, dryRun: true } });
    expect(dry.statusCode).toBe(200);
    expect(dry.json().subscription).toBeNull();
    expect(dry.json().notes.map((n: { kind: string }) => n.kind)).toContain('anchoring-changed');
    const real = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: auth, payload: { yaml, name: 'from rekor-monitor' } });
    expect(real.statusCode).toBe(201);
    expect(real.json().subscription.name).toBe('from rekor-monitor');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: auth, payload: { yaml: 'a: [' } });
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', field: 'yaml' });
  });

  it('serves the public log status without a token', async () => {
    await t.deps.db.log.upsert({ where: { id: 'status-log' }, create: { id: 'status-log', origin: 'status.test - 9', kind: 'rekor_v2', url: 'http://x', publicKey: 'AA==', keyId: 'AA==', status: 'halted' }, update: {} });
    await t.deps.db.logPosition.upsert({ where: { logId: 'status-log' }, create: { logId: 'status-log', treeSize: 100n, latestSize: 130n, rootHash: 'ab'.repeat(32), checkpoint: 'x', compactRange: [], lastSuccessAt: new Date() }, update: {} });
    await t.deps.db.incident.create({ data: { logId: 'status-log', code: 'ROOT_MISMATCH', message: 'root differs', evidence: {} } });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/logs' });
    expect(res.statusCode).toBe(200);
    const log = res.json().items.find((l: { id: string }) => l.id === 'status-log');
    expect(log).toMatchObject({ kind: 'rekor-v2', status: 'halted', verifiedSize: '100', backlog: '30', openIncident: { code: 'ROOT_MISMATCH' } });
  });

  it('publishes OpenAPI 3 generated from the schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/subscriptions', '/api/v1/subscriptions/{id}', '/api/v1/webhooks/{id}/test', '/api/v1/matches', '/api/v1/logs', '/api/v1/import']));
    expect(doc.paths['/api/v1/subscriptions'].post.requestBody).toBeDefined();
    const html = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(html.body).toContain('/api/v1/subscriptions');
  });
});

async function buildTestAppStrict(): Promise<TestApp> {
  return buildTestApp({ WEBHOOK_ALLOW_PRIVATE: 'false' });
}
