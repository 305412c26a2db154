/**
 * Rows and a running deliver role for the delivery tests: users, addresses, endpoints, subscriptions,
 * matches and deliveries are inserted directly (no follower or matcher needed), jobs enqueued with the
 * real producer, and the real role processes them against real Postgres, Redis, SMTP and HTTP.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createDb, type Db } from '@sigwatch/db';
import { createProducers, createRedis, deliveryJobId, type Producers } from '@sigwatch/queue';
import type { SigningEvent } from '@sigwatch/rules';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../../apps/worker/src/config.js';
import { startDeliverRole, type DeliverRoleOptions } from '../../../apps/worker/src/deliver/role.js';
import { WorkerRegistry } from '../../../apps/worker/src/workers.js';
import { testEnv, testRedisPrefix } from '../../harness/env.js';

export const OID = (n: number): string => `1.3.6.1.4.1.57264.1.${n}`;

export function sampleEvent(index: number, overrides: Partial<SigningEvent> = {}): SigningEvent {
  return {
    log: { origin: 'rekor.sim.local', kind: 'rekor-v1' },
    index: String(index),
    globalIndex: String(index + 1000),
    leafHash: 'ab'.repeat(32),
    uuid: `24296fb24b8ad77a${'ab'.repeat(32)}`,
    integratedTime: 1_767_225_600,
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    digests: [{ algorithm: 'sha256', value: 'cd'.repeat(32) }],
    certificate: {
      sans: [{ type: 'uri', value: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3' }],
      issuer: 'https://token.actions.githubusercontent.com',
      extensions: {
        [OID(8)]: 'https://token.actions.githubusercontent.com',
        [OID(12)]: 'https://github.com/acme/widget',
        [OID(14)]: 'refs/tags/v1.2.3',
        [OID(18)]: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3',
        [OID(21)]: 'https://github.com/acme/widget/actions/runs/42/attempts/1',
      },
      serial: '01',
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: '2026-01-01T00:10:00Z',
      fingerprintSha256: 'ef'.repeat(32),
      publicKeySha256: '12'.repeat(32),
      chain: 'valid',
    },
    ...overrides,
  };
}

export interface Harness {
  db: Db;
  redis: Redis;
  producers: Producers;
  prefix: string;
  /** Starts the role (again) with these env overrides and options; stops a running one first. */
  start(env?: Record<string, string>, options?: DeliverRoleOptions): Promise<void>;
  stopRole(): Promise<void>;
  close(): Promise<void>;
  enqueue(deliveryId: string): Promise<void>;
  waitForStatus(deliveryId: string, statuses: string[], timeoutMs?: number): Promise<Awaited<ReturnType<Db['delivery']['findUniqueOrThrow']>>>;
}

export async function startHarness(baseEnv: Record<string, string>): Promise<Harness> {
  const prefix = testRedisPrefix('deliver');
  const env = testEnv({ REDIS_PREFIX: prefix, DIGEST_SWEEP_INTERVAL_MS: '200', ...baseEnv });
  const db = createDb(env['DATABASE_URL'] as string, { max: 5 });
  const redis = createRedis(env['REDIS_URL'] as string, 'client');
  const workerConn = createRedis(env['REDIS_URL'] as string, 'worker');
  const producers = createProducers(redis, prefix);
  let registry: WorkerRegistry | undefined;
  let stop: (() => Promise<void>) | undefined;
  const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });

  const stopRole = async (): Promise<void> => {
    await stop?.();
    await registry?.closeAll();
    stop = undefined;
    registry = undefined;
  };
  return {
    db,
    redis,
    producers,
    prefix,
    async start(overrides = {}, options = {}) {
      await stopRole();
      const config = loadConfig({ ...env, ...overrides });
      registry = new WorkerRegistry(workerConn, prefix, log);
      stop = await startDeliverRole({ config, db, redis, workers: registry, log }, options);
    },
    stopRole,
    async close() {
      await stopRole();
      await producers.close();
      redis.disconnect();
      workerConn.disconnect();
      await db.$disconnect();
    },
    enqueue: (id) => producers.deliveries.add(deliveryJobId(id), { deliveryId: id }),
    async waitForStatus(id, statuses, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const d = await db.delivery.findUniqueOrThrow({ where: { id } });
        if (statuses.includes(d.status)) return d;
        if (Date.now() > until) throw new Error(`delivery ${id} is ${d.status} (lastError ${d.lastError}), expected ${statuses.join('/')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const LOG_ID = 'sim-rekor-v1';

export async function ensureLog(db: Db): Promise<string> {
  await db.log.upsert({
    where: { id: LOG_ID },
    create: { id: LOG_ID, origin: 'rekor.sim.local', kind: 'rekor_v1', url: 'http://127.0.0.1:1', publicKey: 'AA==', keyId: 'AA==' },
    update: {},
  });
  return LOG_ID;
}

export async function makeUser(db: Db, opts: { verified?: boolean } = {}) {
  const email = `u-${randomBytes(5).toString('hex')}@example.test`;
  const user = await db.user.create({ data: { email, verifiedAt: opts.verified === false ? null : new Date() } });
  return user;
}

export async function makeAddress(db: Db, userId: string, address: string, opts: { verified?: boolean; unsubscribed?: boolean } = {}) {
  return db.emailAddress.create({
    data: {
      userId,
      address,
      verifiedAt: opts.verified === false ? null : new Date(),
      unsubscribedAt: opts.unsubscribed === true ? new Date() : null,
    },
  });
}

export const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export async function makeEndpoint(db: Db, userId: string, url: string, extra: { previousSecret?: string; previousSecretExpiresAt?: Date; includeIncidents?: boolean } = {}) {
  return db.webhookEndpoint.create({ data: { userId, url, secret: SECRET, ...extra } });
}

export async function makeSubscription(db: Db, userId: string, opts: { digest?: 'none' | 'hourly' | 'daily'; name?: string } = {}) {
  return db.subscription.create({ data: { userId, name: opts.name ?? 'acme releases', digest: opts.digest ?? 'none' } });
}

let nextIndex = Number(process.pid) * 10_000;

/** A Match of `subscriptionId` and one Delivery to the given channel; returns the delivery. */
export async function makeMatchDelivery(
  db: Db,
  sub: { id: string; userId: string },
  channel: { emailAddressId: string } | { webhookEndpointId: string },
  event?: SigningEvent,
) {
  const logId = await ensureLog(db);
  const index = nextIndex++;
  const ev = event ?? sampleEvent(index);
  const match = await db.match.create({
    data: { subscriptionId: sub.id, logId, logIndex: BigInt(index), ruleId: randomUUID(), field: 'certSubject', value: ev.certificate?.sans[0]?.value ?? 'x', event: ev as object },
  });
  return 'emailAddressId' in channel
    ? db.delivery.create({ data: { kind: 'match', matchId: match.id, userId: sub.userId, channel: 'email', channelKey: `email:${channel.emailAddressId}`, emailAddressId: channel.emailAddressId } })
    : db.delivery.create({ data: { kind: 'match', matchId: match.id, userId: sub.userId, channel: 'webhook', channelKey: `webhook:${channel.webhookEndpointId}`, webhookEndpointId: channel.webhookEndpointId } });
}
