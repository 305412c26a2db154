/** Links from alert mail: RFC 8058 one-click unsubscribe, mute, incident evidence; forged links are 404. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '@sigwatch/config';
import { buildTestApp, createUser, loggedInAgent, type TestApp } from './helper.js';

let t: TestApp;
let secret: string;
beforeAll(async () => {
  t = await buildTestApp();
  secret = t.deps.config.UNSUBSCRIBE_SECRET ?? t.deps.config.SESSION_SECRET;
});
afterAll(async () => {
  await t.close();
});

describe('mail links', () => {
  it('unsubscribes an address with a one-click POST (no session, no CSRF token)', async () => {
    const user = await createUser(t.deps);
    const address = await t.deps.db.emailAddress.findFirstOrThrow({ where: { userId: user.id } });
    const token = signToken(secret, 'unsubscribe-alerts', { sub: address.id, ctx: { deliveryId: 'd' } });
    const page = await t.app.inject({ method: 'GET', url: `/unsubscribe/${token}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(address.address);
    expect((await t.deps.db.emailAddress.findUniqueOrThrow({ where: { id: address.id } })).unsubscribedAt).toBeNull(); // GET changes nothing
    const res = await t.app.inject({ method: 'POST', url: `/unsubscribe/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(200);
    expect((await t.deps.db.emailAddress.findUniqueOrThrow({ where: { id: address.id } })).unsubscribedAt).not.toBeNull();
    expect((await t.app.inject({ method: 'POST', url: `/unsubscribe/${token}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(200);
  });

  it('refuses forged, foreign-purpose and garbage tokens', async () => {
    const other = signToken(secret, 'mute-subscription', { sub: '00000000-0000-4000-8000-000000000000' });
    const forged = signToken('y'.repeat(40), 'unsubscribe-alerts', { sub: '00000000-0000-4000-8000-000000000000' });
    for (const tok of [other, forged, 'garbage', 'sw1.x.y']) {
      expect((await t.app.inject({ method: 'POST', url: `/unsubscribe/${tok}` })).statusCode).toBe(404);
    }
  });

  it('mutes a subscription; its owner can unmute it', async () => {
    const { agent, user } = await loggedInAgent(t);
    const created = await agent.post('/subscriptions/new', { name: 'loud', mode: 'template', template: 'github-repository', 'github-repository.repository': 'acme/loud', action: 'save' });
    const id = /\/subscriptions\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1]!;
    const token = signToken(secret, 'mute-subscription', { sub: id });
    expect((await t.app.inject({ method: 'POST', url: `/mute/${token}` })).statusCode).toBe(200);
    expect((await t.deps.db.subscription.findUniqueOrThrow({ where: { id } })).mutedAt).not.toBeNull();
    expect((await agent.get(`/subscriptions/${id}`)).body).toContain('Muted from an alert mail');
    expect((await agent.post(`/subscriptions/${id}/unmute`, {})).statusCode).toBe(303);
    expect((await t.deps.db.subscription.findFirstOrThrow({ where: { id, userId: user.id } })).mutedAt).toBeNull();
  });

  it('shows an incident with its evidence', async () => {
    await t.deps.db.log.upsert({ where: { id: 'incident-log' }, create: { id: 'incident-log', origin: 'incident.test - 1', kind: 'ct', url: 'http://x', publicKey: 'AA==', keyId: 'AA==' }, update: {} });
    const inc = await t.deps.db.incident.create({ data: { logId: 'incident-log', code: 'INCONSISTENT_TREE', message: 'the new root is not consistent', evidence: { old: '<checkpoint>' } } });
    const res = await t.app.inject({ method: 'GET', url: `/incidents/${inc.id}`, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('INCONSISTENT_TREE');
    expect(res.body).toContain('&lt;checkpoint&gt;');
    expect((await t.app.inject({ method: 'GET', url: '/incidents/nope', headers: { accept: 'text/html' } })).statusCode).toBe(404);
  });
});
