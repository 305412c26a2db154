/** /api/v1/subscriptions: auth, validation naming the field, ownership, pagination, rule-change notice, preview. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../harness/env.js';
import { buildTestApp, tokenUser, type TestApp } from './helper.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

const githubRule = { issuers: [{ type: 'exact', value: 'https://token.actions.githubusercontent.com' }], extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: 'https://github.com/acme/widget' } }] };

describe('subscriptions API', () => {
  it('requires a bearer token', async () => {
    for (const [method, url] of [['GET', '/api/v1/subscriptions'], ['POST', '/api/v1/subscriptions'], ['GET', '/api/v1/subscriptions/00000000-0000-4000-8000-000000000000'], ['PATCH', '/api/v1/subscriptions/00000000-0000-4000-8000-000000000000'], ['DELETE', '/api/v1/subscriptions/00000000-0000-4000-8000-000000000000'], ['POST', '/api/v1/subscriptions/preview']] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      const bad = await t.app.inject({ method, url, headers: { authorization: 'Bearer sgw_nope' } });
      expect(bad.statusCode).toBe(401);
    }
  });

  it('creates from rules, returns lint warnings, and notifies the matcher', async () => {
    const { auth } = await tokenUser(t);
    const sub = new Redis(testRedisUrl());
    const got: string[] = [];
    await sub.subscribe(`${t.deps.config.REDIS_PREFIX}:rules:changed`);
    sub.on('message', (_c, m) => got.push(m));
    const before = Number((await t.deps.redis.get(`${t.deps.config.REDIS_PREFIX}:rules:version`)) ?? 0);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: auth, payload: { name: 'widget', rules: [githubRule, { issuers: [{ type: 'exact', value: 'https://accounts.google.com' }] }] } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.rules).toHaveLength(2);
    expect(body.warnings.map((w: { code: string }) => w.code)).toContain('ISSUER_ONLY');
    expect(Number(await t.deps.redis.get(`${t.deps.config.REDIS_PREFIX}:rules:version`))).toBe(before + 1);
    await expect.poll(() => got).toContain(body.id);
    sub.disconnect();
  });

  it('creates from the GitHub repository template', async () => {
    const { auth } = await tokenUser(t);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: auth, payload: { name: 'repo', template: { template: 'github-repository', repository: 'acme/widget' } } });
    expect(res.statusCode).toBe(201);
    expect(res.json().rules[0].definition.extensions[0].value.value).toBe('https://github.com/acme/widget');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: auth, payload: { name: 'repo', template: { template: 'github-repository', repository: 'not a repo' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', field: 'template.repository' });
  });

  it('names the field of a validation error', async () => {
    const { auth } = await tokenUser(t);
    const cases: [unknown, string][] = [
      [{ rules: [githubRule] }, 'name'],
      [{ name: 'x', rules: [{ san: { type: 'regex', value: '(a' } }] }, 'rules.0.san.value'],
      [{ name: 'x', rules: [{ san: { type: 'fuzzy', value: 'a' } }] }, 'rules.0.san.type'],
      [{ name: 'x', rules: [{ kinds: ['dsse'] }] }, 'rules.0'],
      [{ name: 'x' }, 'rules'],
      [{ name: 'x', rules: [githubRule], channels: { emailAddressIds: ['00000000-0000-4000-8000-000000000000'] } }, 'channels.emailAddressIds'],
    ];
    for (const [payload, field] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: auth, payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().field, JSON.stringify(payload)).toBe(field);
    }
  });

  it("answers 404 for another user's subscription", async () => {
    const a = await tokenUser(t);
    const b = await tokenUser(t);
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: a.auth, payload: { name: 'mine', rules: [githubRule] } })).json();
    const url = `/api/v1/subscriptions/${created.id}`;
    expect((await t.app.inject({ method: 'GET', url, headers: b.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url, headers: b.auth, payload: { enabled: false } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url, headers: b.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url, headers: a.auth })).statusCode).toBe(200);
    const patched = await t.app.inject({ method: 'PATCH', url, headers: a.auth, payload: { enabled: false, name: 'renamed' } });
    expect(patched.json()).toMatchObject({ enabled: false, name: 'renamed' });
    expect((await t.app.inject({ method: 'DELETE', url, headers: a.auth })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url, headers: a.auth })).statusCode).toBe(404);
  });

  it('paginates with cursors', async () => {
    const { auth } = await tokenUser(t);
    for (let i = 0; i < 5; i++) await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: auth, payload: { name: `s${i}`, rules: [githubRule] } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/subscriptions?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: auth });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { name: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((s) => s.name));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(['s4', 's3', 's2', 's1', 's0']);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions?cursor=garbage', headers: auth });
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', field: 'cursor' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions?limit=0', headers: auth })).json().field).toBe('limit');
  });

  it('previews rules against the recent events the worker keeps', async () => {
    const { auth } = await tokenUser(t);
    const key = `${t.deps.config.REDIS_PREFIX}:recent-events`;
    const ev = (repo: string, i: number) => ({
      log: { origin: 'rekor.sigstore.dev - 1', kind: 'rekor-v1' }, index: String(i), globalIndex: String(i), leafHash: 'ab', kind: 'hashedrekord', apiVersion: '0.0.1', digests: [],
      certificate: { sans: [{ type: 'uri', value: `https://github.com/${repo}/.github/workflows/r.yml@refs/heads/main` }], issuer: 'https://token.actions.githubusercontent.com', extensions: { '1.3.6.1.4.1.57264.1.12': `https://github.com/${repo}` }, serial: '01', notBefore: '', notAfter: '', fingerprintSha256: 'aa', publicKeySha256: 'bb', chain: 'unknown' },
    });
    await t.deps.redis.lpush(key, JSON.stringify(ev('acme/widget', 1)), JSON.stringify(ev('other/thing', 2)), 'not json', JSON.stringify(ev('acme/widget', 3)));
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscriptions/preview', headers: auth, payload: { template: { template: 'github-repository', repository: 'acme/widget' } } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ scanned: 3, matched: 2 });
    expect(res.json().matches.map((m: { index: string }) => m.index).sort()).toEqual(['1', '3']);
  });
});
