/**
 * 6,000 malformed requests across the API and the pages: bad JSON, wrong types, deep nesting, huge
 * bodies, odd content types and encodings, bad ids, cursors and headers. None may answer 5xx, and no
 * answer may carry a stack trace or a source path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, RateLimiter, type Limit, type LimitName } from '../../../apps/api/src/services/rate-limit.js';
import { buildTestApp, loggedInAgent, tokenUser, type TestApp } from './helper.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  const generous = Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, { ...v, max: 1_000_000 }])) as Record<LimitName, Limit>;
  t.deps.limiter = new RateLimiter(t.deps.redis, t.deps.config.REDIS_PREFIX, generous);
});
afterAll(async () => {
  await t.close();
});

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const API_ROUTES: [string, string][] = [
  ['GET', '/api/v1/subscriptions'], ['POST', '/api/v1/subscriptions'], ['POST', '/api/v1/subscriptions/preview'],
  ['GET', '/api/v1/subscriptions/:id'], ['PATCH', '/api/v1/subscriptions/:id'], ['DELETE', '/api/v1/subscriptions/:id'],
  ['GET', '/api/v1/emails'], ['POST', '/api/v1/emails'], ['POST', '/api/v1/emails/:id/resend'], ['DELETE', '/api/v1/emails/:id'],
  ['GET', '/api/v1/webhooks'], ['POST', '/api/v1/webhooks'], ['GET', '/api/v1/webhooks/:id'], ['PATCH', '/api/v1/webhooks/:id'],
  ['DELETE', '/api/v1/webhooks/:id'], ['POST', '/api/v1/webhooks/:id/rotate-secret'], ['POST', '/api/v1/webhooks/:id/test'],
  ['GET', '/api/v1/matches'], ['GET', '/api/v1/matches/:id'], ['GET', '/api/v1/deliveries'], ['GET', '/api/v1/deliveries/:id'],
  ['POST', '/api/v1/deliveries/:id/retry'], ['POST', '/api/v1/import'], ['GET', '/api/v1/logs'],
];
const PAGE_ROUTES: [string, string][] = [
  ['POST', '/signup'], ['POST', '/login'], ['POST', '/login/link'], ['POST', '/login/link/request'], ['POST', '/forgot-password'],
  ['POST', '/reset-password'], ['GET', '/verify-email'], ['GET', '/login/link'], ['GET', '/reset-password'], ['GET', '/emails/verify'],
  ['POST', '/subscriptions/new'], ['POST', '/subscriptions/:id'], ['POST', '/subscriptions/:id/toggle'], ['POST', '/emails'],
  ['POST', '/webhooks'], ['POST', '/webhooks/:id/rotate'], ['POST', '/tokens'], ['POST', '/import'], ['GET', '/alerts'],
  ['GET', '/subscriptions/:id'], ['GET', '/alerts/:id'], ['POST', '/account/delete'], ['GET', '/login'],
  ['POST', '/unsubscribe/:id'], ['GET', '/unsubscribe/:id'], ['POST', '/mute/:id'], ['GET', '/incidents/:id'],
];

const IDS = ['00000000-0000-4000-8000-000000000000', 'x', '1', '..%2f..%2fetc%2fpasswd', 'a'.repeat(3000), '%00', '%E0%A4%A', "'; DROP TABLE \"User\";--", '-1', '9'.repeat(40), '%F0%9F%98%80'];

function deep(n: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = { a: [v] };
  return v;
}

const WEIRD_VALUES: unknown[] = [null, true, 0, -1, 1e308, 'x', '', [], {}, [[[]]], { name: 1 }, 'é\u0000\uffff', '\ud800', deep(200), Array(500).fill('x'), { __proto__: { admin: true } }, { constructor: { prototype: {} } }];

function body(r: () => number): { payload: string | Buffer; contentType: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  switch (Math.floor(r() * 12)) {
    case 0:
      return { payload: pick(['{', '{"name":', '[1,2', 'nul', '{"a":1}}', '"\\u12"', '{"name":"\\ud800"}', '\u0000', '']), contentType: 'application/json' };
    case 1:
      return { payload: JSON.stringify(pick(WEIRD_VALUES)), contentType: 'application/json' };
    case 2: {
      const o: Record<string, unknown> = {};
      for (const k of ['name', 'rules', 'template', 'channels', 'url', 'address', 'yaml', 'enabled', 'digest', 'email', 'password', 'token', 'dryRun', 'anchoring']) if (r() < 0.5) o[k] = pick(WEIRD_VALUES);
      return { payload: JSON.stringify(o), contentType: 'application/json' };
    }
    case 3:
      return { payload: JSON.stringify({ name: 'x', rules: [{ san: { type: pick(['regex', 'glob', 'exact', 'nope']), value: pick(['(a', '*'.repeat(300), '\\p{Greek}', '(?=x)', 'a{1000}{1000}', '\\1', '']) } }] }), contentType: 'application/json' };
    case 4:
      return { payload: Buffer.alloc(1024 * 1024 + 10 + Math.floor(r() * 1000), 0x7b), contentType: 'application/json' };
    case 5:
      return { payload: Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x22, 0x00, 0xc3, 0x28, 0xa0, 0xa1]), contentType: pick(['application/json; charset=utf-16', 'application/json', 'application/x-www-form-urlencoded']) };
    case 6:
      return { payload: '\ufeff{"name":"bom"}', contentType: 'application/json' };
    case 7:
      return { payload: pick(['<xml/>', 'hello', '--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--']), contentType: pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=b', 'application/octet-stream', 'application/jso\u00f1', '']) };
    case 8:
      return { payload: pick(['a=1&a=2&a=3', 'name[]=x&rules[0][san]=y', '%', '%zz=%zz', '_csrf=x&email=' + 'a'.repeat(5000), 'email=a@b.c&password=' + 'p'.repeat(300000), '&&&==', 'mode=rules&rules=[{"san":1}]&name=x']), contentType: 'application/x-www-form-urlencoded' };
    case 9:
      return { payload: JSON.stringify({ template: { template: pick(['github-repository', 'email', 'nope', 1]), repository: pick(WEIRD_VALUES), email: pick(WEIRD_VALUES), issuer: pick(WEIRD_VALUES) }, name: 'x' }), contentType: 'application/json' };
    case 10:
      return { payload: JSON.stringify({ yaml: pick(['a: [', '!!binary x', '&a [*a]', 'monitoredValues: {certIdentities: [{certSubject: "("}]}', 'x: ' + '['.repeat(5000), 'monitoredValues:\n  fingerprints: [1, 2]']), dryRun: r() < 0.5 }), contentType: 'application/json' };
    default:
      return { payload: Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256))), contentType: pick(['application/json', 'application/x-www-form-urlencoded']) };
  }
}

function query(r: () => number): string {
  const parts = ['cursor=' + ['x', '%%%', 'eyJ9', Buffer.from('["x","y"]').toString('base64url'), 'a'.repeat(500)][Math.floor(r() * 5)], 'limit=' + ['-1', '0', '1e9', 'abc', '50.5', '[]'][Math.floor(r() * 6)], 'since=' + ['yesterday', '2020-13-45T00:00:00Z', ''][Math.floor(r() * 3)], 'subscriptionId=nope', 'status=exploded', 'token=' + 'x'.repeat(Math.floor(r() * 300)), 'next=//evil.example', 'subscription=zzz'];
  return parts.filter(() => r() < 0.4).join('&');
}

const STACK = /\n\s+at\s|node_modules|\.ts:\d+|\/work\/|Prisma|PrismaClient/;

describe('fuzz', () => {
  it('survives 6,000 malformed requests without a 5xx or a stack trace', async () => {
    const { auth } = await tokenUser(t);
    const { agent } = await loggedInAgent(t);
    const csrf = await agent.csrf();
    const r = rng(20261122);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const N = 6000;
    for (let i = 0; i < N; i++) {
      const api = r() < 0.55;
      const [method, path] = (api ? API_ROUTES : PAGE_ROUTES)[Math.floor(r() * (api ? API_ROUTES : PAGE_ROUTES).length)]!;
      const url = path.replace(':id', IDS[Math.floor(r() * IDS.length)]!) + (r() < 0.4 ? `?${query(r)}` : '');
      const headers: Record<string, string> = {};
      if (api) {
        const a = r();
        headers['authorization'] = a < 0.8 ? auth.authorization : a < 0.9 ? 'Bearer sgw_' + 'x'.repeat(Math.floor(r() * 200)) : ['Basic Zm9v', 'Bearer', 'bearer  ', '\u00e9'][Math.floor(r() * 4)]!;
      } else if (r() < 0.7) {
        headers['cookie'] = agent.cookieHeader;
      }
      let payload: string | Buffer | undefined;
      if (method !== 'GET' && method !== 'DELETE') {
        const b = body(r);
        payload = b.payload;
        if (b.contentType !== '') headers['content-type'] = b.contentType;
        if (!api && r() < 0.8 && b.contentType === 'application/x-www-form-urlencoded' && typeof payload === 'string') payload += `&_csrf=${csrf}`;
      }
      if (r() < 0.3) headers['accept'] = 'text/html';
      const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}), remoteAddress: `10.9.${i % 250}.${(i >> 8) % 250}` });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500 || STACK.test(res.body)) failures.push(`${method} ${url.slice(0, 120)} [${headers['content-type'] ?? ''}] → ${res.statusCode}: ${res.body.slice(0, 300)}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(N);
    // The fuzz must reach the handlers, not only the front door.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(500);
  });
});
