/**
 * `pnpm bench:api`: requests/s and p99 latency of the real API (real PostgreSQL and Redis, token auth,
 * zod validation) for `GET /api/v1/subscriptions` and `POST /api/v1/subscriptions` with 10,000
 * subscriptions in the database, beside a bare Fastify hello-world in the same run on the same machine.
 * autocannon, 10 connections, BENCH_SECONDS (default 10) per target. Needs PostgreSQL and Redis.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../apps/api/src/config.js';
import { createDeps } from '../apps/api/src/deps.js';
import { buildApp } from '../apps/api/src/app.js';
import { createApiToken } from '../apps/api/src/services/api-tokens.js';
import { LIMITS, RateLimiter, type Limit, type LimitName } from '../apps/api/src/services/rate-limit.js';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const SUBSCRIPTIONS = Number(process.env['BENCH_SUBSCRIPTIONS'] ?? 10_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const base = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/sigwatch';
const dbName = `sigwatch_bench_api_${randomBytes(4).toString('hex')}`;
const withDb = (name: string) => {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
};

const RULE = {
  issuers: [{ type: 'exact', value: 'https://token.actions.githubusercontent.com' }],
  extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: 'https://github.com/acme/widget' } }],
};

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: withDb('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = withDb(dbName);
  execFileSync('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: dbUrl }, stdio: 'ignore' });

  const deps = createDeps(
    loadConfig({
      ...process.env,
      DATABASE_URL: dbUrl,
      REDIS_PREFIX: `bench-api-${randomBytes(3).toString('hex')}`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
    }),
  );
  // Measure the request path, not the per-token budget.
  deps.limiter = new RateLimiter(deps.redis, deps.config.REDIS_PREFIX, Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, { ...v, max: 1e9 }])) as Record<LimitName, Limit>);

  const user = await deps.db.user.create({ data: { email: 'bench@example.com', verifiedAt: new Date() } });
  const { token } = await createApiToken(deps.db, user.id, 'bench');
  process.stdout.write(`seeding ${SUBSCRIPTIONS} subscriptions … `);
  for (let i = 0; i < SUBSCRIPTIONS; i += 1000) {
    const n = Math.min(1000, SUBSCRIPTIONS - i);
    const ids = Array.from({ length: n }, () => crypto.randomUUID());
    await deps.db.subscription.createMany({ data: ids.map((id, j) => ({ id, userId: user.id, name: `sub ${i + j}` })) });
    await deps.db.rule.createMany({ data: ids.map((subscriptionId) => ({ subscriptionId, definition: RULE })) });
  }
  process.stdout.write('done\n');

  const api = Fastify({ logger: false });
  await buildApp(api, deps);
  const apiUrl = await listen(api);
  const hello = Fastify({ logger: false });
  hello.get('/', async () => ({ hello: 'world' }));
  const helloUrl = await listen(hello);

  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const targets: [string, Record<string, unknown>][] = [
    ['bare Fastify hello-world   GET /', { url: `${helloUrl}/` }],
    ['GET  /api/v1/subscriptions', { url: `${apiUrl}/api/v1/subscriptions`, headers: auth }],
    ['POST /api/v1/subscriptions', { url: `${apiUrl}/api/v1/subscriptions`, method: 'POST', headers: auth, body: JSON.stringify({ name: 'bench', rules: [RULE] }) }],
  ];
  const rows: string[] = [];
  for (const [name, opts] of targets) {
    const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: SECONDS });
    rows.push(`${name.padEnd(36)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`);
  }
  const count = await deps.db.subscription.count();
  console.log(`\nAPI benchmark: ${CONNECTIONS} connections, ${SECONDS} s each, ${SUBSCRIPTIONS.toLocaleString('en')} subscriptions seeded (${count.toLocaleString('en')} after the POST run), Node ${process.version}`);
  for (const row of rows) console.log(row);

  await api.close();
  await hello.close();
  await deps.close();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
