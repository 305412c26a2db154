/**
 * `pnpm bench:latency`: time from the simulator's append to the webhook's arrival and to the SMTP server's
 * acceptance, under steady traffic (default 100 entries/s on the Rekor v1 log, 1 % of them signed by the
 * subscribed identity), with the follower polling every second (POLL_INTERVAL_MS) and the follow, match and
 * deliver roles in this process. Prints p50/p95/p99/max. Needs PostgreSQL and Redis (DATABASE_URL /
 * REDIS_URL); uses a throwaway database and Redis prefix.
 *
 *   BENCH_SECONDS=60 BENCH_RATE=100 BENCH_MATCH_EVERY=100 BENCH_POLL_MS=1000 pnpm bench:latency
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { createDb } from '@sigwatch/db';
import { createRedis } from '@sigwatch/queue';
import { loadConfig } from '../apps/worker/src/config.js';
import { startRoles } from '../apps/worker/src/roles.js';
import { WorkerRegistry } from '../apps/worker/src/workers.js';
import { startSimulator } from '../test/sim/server.js';
import { startWebhookReceiver } from '../test/harness/webhook-receiver.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
const RATE = Number(process.env['BENCH_RATE'] ?? 100);
const MATCH_EVERY = Number(process.env['BENCH_MATCH_EVERY'] ?? 100);
const POLL_MS = process.env['BENCH_POLL_MS'] ?? '1000';
const IDENTITY = 'https://github.com/acme/bench/.github/workflows/release.yml@refs/heads/main';
const TICK_MS = 100;

const base = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/sigwatch';
const dbName = `sigwatch_bench_${randomBytes(4).toString('hex')}`;
const withDb = (name: string): string => {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function report(name: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  return `${name.padEnd(22)} n=${String(s.length).padStart(4)}  p50 ${percentile(s, 50).toFixed(0).padStart(5)} ms  p95 ${percentile(s, 95).toFixed(0).padStart(5)} ms  p99 ${percentile(s, 99).toFixed(0).padStart(5)} ms  max ${percentile(s, 100).toFixed(0).padStart(5)} ms`;
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: withDb('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dir = await mkdtemp(join(tmpdir(), 'sigwatch-bench-latency-'));
  try {
    execFileSync('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], {
      env: { ...process.env, DATABASE_URL: withDb(dbName), npm_config_manage_package_manager_versions: 'false' },
      stdio: 'ignore',
    });
    const sim = await startSimulator({ dir, port: 0, seed: 5 });
    const rx = await startWebhookReceiver();
    // SMTP acceptance time per Message-ID (delivery id), stamped when the message's data has arrived.
    const accepted = new Map<string, number>();
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        let head = '';
        stream.on('data', (c: Buffer) => {
          if (head.length < 4096) head += c.toString('utf8');
        });
        stream.on('end', () => {
          const id = /^message-id:\s*<delivery-([0-9a-f-]{36})@/im.exec(head)?.[1];
          if (id !== undefined) accepted.set(id, Date.now());
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    const prefix = `bench-latency-${randomBytes(3).toString('hex')}`;
    const config = loadConfig({
      DATABASE_URL: withDb(dbName),
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SIGWATCH_LOGS: sim.logsJsonPath,
      SIGWATCH_TRUSTED_ROOT: sim.trustedRootPath,
      POLL_INTERVAL_MS: POLL_MS,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      EMAIL_HOURLY_CAP: '10000',
      UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
    });
    const db = createDb(config.DATABASE_URL);
    const redis = createRedis(config.REDIS_URL, 'client');
    const workerConn = createRedis(config.REDIS_URL, 'worker');
    const log = pino({ level: 'warn' });
    const registry = new WorkerRegistry(workerConn, prefix, log);
    const user = await db.user.create({ data: { email: 'bench@example.test', verifiedAt: new Date() } });
    const address = await db.emailAddress.create({ data: { userId: user.id, address: 'bench@example.test', verifiedAt: new Date() } });
    const endpoint = await db.webhookEndpoint.create({ data: { userId: user.id, url: rx.url('/bench'), secret: `whsec_${randomBytes(32).toString('base64')}` } });
    const sub = await db.subscription.create({ data: { userId: user.id, name: 'bench' } });
    await db.rule.create({ data: { subscriptionId: sub.id, definition: { san: { type: 'exact', value: IDENTITY } } } });
    await db.subscriptionChannel.create({ data: { subscriptionId: sub.id, type: 'email', emailAddressId: address.id } });
    await db.subscriptionChannel.create({ data: { subscriptionId: sub.id, type: 'webhook', webhookEndpointId: endpoint.id } });
    const roles = await startRoles({ config, db, redis, workers: registry, log });
    while ((await db.logPosition.count()) < 3) await new Promise((r) => setTimeout(r, 100));

    // Steady traffic: every tick, RATE/10 entries; every MATCH_EVERY-th entry is the subscribed identity.
    const appendedAt = new Map<string, number>();
    let sent = 0;
    const perTick = (RATE * TICK_MS) / 1000;
    let due = 0;
    const t0 = Date.now();
    console.log(`latency bench: ${RATE} entries/s for ${SECONDS} s, 1 in ${MATCH_EVERY} matching, follower polling every ${POLL_MS} ms`);
    while (Date.now() - t0 < SECONDS * 1000) {
      const tick = Date.now();
      due += perTick;
      while (due >= 1) {
        const untilMatch = MATCH_EVERY - (sent % MATCH_EVERY) - 1;
        if (untilMatch === 0) {
          const at = Date.now();
          const [index] = await sim.append('rekor-v1', { count: 1, identity: IDENTITY });
          appendedAt.set(String(index), at);
          sent += 1;
          due -= 1;
        } else {
          const n = Math.min(Math.floor(due), untilMatch);
          await sim.append('rekor-v1', { count: n });
          sent += n;
          due -= n;
        }
      }
      await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (Date.now() - tick))));
    }
    const drainUntil = Date.now() + 30_000;
    while (Date.now() < drainUntil && (rx.requests.length < appendedAt.size || accepted.size < appendedAt.size)) {
      await new Promise((r) => setTimeout(r, 200));
    }

    const webhook: number[] = [];
    for (const r of rx.requests) {
      const index = (JSON.parse(r.body) as { data: { event: { index: string } } }).data.event.index;
      const at = appendedAt.get(index);
      if (at !== undefined) webhook.push(r.receivedAt - at);
    }
    const mail: number[] = [];
    const deliveries = await db.delivery.findMany({ where: { id: { in: [...accepted.keys()] } }, select: { id: true, match: { select: { logIndex: true } } } });
    for (const d of deliveries) {
      const at = appendedAt.get(String(d.match?.logIndex));
      const acc = accepted.get(d.id);
      if (at !== undefined && acc !== undefined) mail.push(acc - at);
    }
    // Where the time goes: follow + match (append → Match row) and deliver (Delivery row → sent).
    const rows = await db.delivery.findMany({ where: { channel: 'webhook', status: 'sent' }, select: { createdAt: true, sentAt: true, match: { select: { logIndex: true, createdAt: true } } } });
    const toMatch: number[] = [];
    const toSent: number[] = [];
    for (const r of rows) {
      const at = appendedAt.get(String(r.match?.logIndex));
      if (at !== undefined && r.match !== null) toMatch.push(r.match.createdAt.getTime() - at);
      if (r.sentAt !== null) toSent.push(r.sentAt.getTime() - r.createdAt.getTime());
    }
    console.log(`appended ${sent} entries (${appendedAt.size} matching) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    console.log(report('append → webhook', webhook));
    console.log(report('append → SMTP accepted', mail));
    console.log(report('  append → Match row', toMatch));
    console.log(report('  Delivery row → sent', toSent));
    if (webhook.length < appendedAt.size || mail.length < appendedAt.size) console.log(`MISSING: webhook ${webhook.length}/${appendedAt.size}, mail ${mail.length}/${appendedAt.size}`);

    await roles.stop();
    await registry.closeAll();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    workerConn.disconnect();
    redis.disconnect();
    await db.$disconnect();
    await rx.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    await sim.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
