/**
 * The whole path on real services: the simulator appends a Rekor v1 entry signed by a subscribed identity →
 * the follower verifies it → the matcher writes Match + Deliveries → the e-mail reaches the SMTP server
 * with the alert and RFC 8058 headers, and the webhook arrives signed (checked without our signer).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createDb, type Db } from '@sigwatch/db';
import { createRedis } from '@sigwatch/queue';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../../apps/worker/src/config.js';
import { startRoles, type RunningRoles } from '../../../apps/worker/src/roles.js';
import { WorkerRegistry } from '../../../apps/worker/src/workers.js';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { loadLogList, loadTrustedRoot } from '../../../apps/worker/src/logs/log-list.js';
import { testEnv, testRedisPrefix } from '../../harness/env.js';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../harness/webhook-receiver.js';
import { SECRET } from './fixtures.js';

const IDENTITY = 'https://github.com/acme/e2e/.github/workflows/release.yml@refs/tags/v9.9.9';

/** Standard Webhooks check written from the spec (not our signer). */
function verifies(secret: string, id: string, ts: string, body: string, header: string): boolean {
  const want = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${ts}.${body}`).digest();
  return header.split(' ').some((e) => {
    const [v, sig] = e.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return v === 'v1' && got.length === want.length && timingSafeEqual(got, want);
  });
}

let dir: string;
let sim: Simulator;
let smtp: SmtpCapture;
let rx: WebhookReceiver;
let db: Db;
let redis: Redis;
let workerConn: Redis;
let registry: WorkerRegistry;
let roles: RunningRoles;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-e2e-'));
  sim = await startSimulator({ dir, port: 0, seed: 31 });
  smtp = await startSmtpCapture();
  rx = await startWebhookReceiver();
  const prefix = testRedisPrefix('e2e');
  const config = loadConfig(
    testEnv({
      REDIS_PREFIX: prefix,
      SMTP_URL: smtp.url,
      SIGWATCH_LOGS: sim.logsJsonPath,
      SIGWATCH_TRUSTED_ROOT: sim.trustedRootPath,
      POLL_INTERVAL_MS: '200',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WORKER_ROLES: 'follow,match,deliver',
    }),
  );
  db = createDb(config.DATABASE_URL);
  redis = createRedis(config.REDIS_URL, 'client');
  workerConn = createRedis(config.REDIS_URL, 'worker');
  const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
  registry = new WorkerRegistry(workerConn, prefix, log);

  const user = await db.user.create({ data: { email: `e2e-${prefix}@example.test`, verifiedAt: new Date() } });
  const address = await db.emailAddress.create({ data: { userId: user.id, address: `e2e-alerts-${prefix}@example.test`, verifiedAt: new Date() } });
  const endpoint = await db.webhookEndpoint.create({ data: { userId: user.id, url: rx.url('/e2e'), secret: SECRET } });
  const sub = await db.subscription.create({ data: { userId: user.id, name: 'acme e2e releases' } });
  await db.rule.create({ data: { subscriptionId: sub.id, definition: { san: { type: 'exact', value: IDENTITY } } } });
  await db.subscriptionChannel.create({ data: { subscriptionId: sub.id, type: 'email', emailAddressId: address.id } });
  await db.subscriptionChannel.create({ data: { subscriptionId: sub.id, type: 'webhook', webhookEndpointId: endpoint.id } });
  roles = await startRoles({ config, db, redis, workers: registry, log });
}, 120_000);

afterAll(async () => {
  await roles?.stop();
  await registry?.closeAll();
  workerConn?.disconnect();
  redis?.disconnect();
  await db?.$disconnect();
  await rx?.close();
  await smtp?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function waitForPosition(): Promise<void> {
  // Only this simulator's logs: other test files leave positions of their own logs in the database.
  const logs = await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath));
  const ids = logs.map((l) => l.id);
  const keys = logs.map((l) => Buffer.from(l.publicKeyDer).toString('base64'));
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const n = await db.logPosition.count({ where: { logId: { in: ids }, log: { publicKey: { in: keys } } } });
    if (n >= 3) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the followers never stored a position');
}

describe('simulator → follower → matcher → e-mail + webhook', () => {
  it('delivers the alert for a subscribed identity by mail and by signed webhook, and nothing for others', async () => {
    await waitForPosition();
    await sim.append('rekor-v1', { count: 5 });
    const t0 = Date.now();
    const [index] = await sim.append('rekor-v1', { count: 1, identity: IDENTITY });
    await sim.append('rekor-v1', { count: 5 });

    const req = await rx.waitFor(() => true, 30_000);
    const mail = await smtp.waitFor(() => true, 30_000);
    const webhookMs = req.receivedAt - t0;
    const mailMs = Date.now() - t0;

    const body = JSON.parse(req.body);
    expect(body.type).toBe('match.created');
    expect(body.data.event.certificate.sans[0].value).toBe(IDENTITY);
    expect(body.data.event.index).toBe(String(index));
    expect(verifies(SECRET, String(req.headers['webhook-id']), String(req.headers['webhook-timestamp']), req.body, String(req.headers['webhook-signature']))).toBe(true);

    expect(mail.subject).toContain('acme e2e releases');
    expect(mail.text).toContain(IDENTITY);
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.headers.get('list-unsubscribe')).toMatch(/^<http:\/\/localhost:8080\/unsubscribe\/sw1\.[^>]+>, <mailto:/);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');

    await new Promise((r) => setTimeout(r, 1_000));
    expect(rx.requests).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
    process.stdout.write(`end to end: append → webhook ${webhookMs} ms, append → SMTP ≤ ${mailMs} ms\n`);
  });
});
