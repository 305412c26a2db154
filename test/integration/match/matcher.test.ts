/**
 * The matcher against real PostgreSQL and Redis: a rule created through the database is live within a
 * second of its change notice; a batch processed twice, or by two matchers at once, writes one Match and
 * one Delivery per channel, and enqueues each delivery job once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { createDb, type Db } from '@sigwatch/db';
import { Producer, QueueName, createRedis } from '@sigwatch/queue';
import type { SigningEvent } from '@sigwatch/rules';
import { LiveRuleIndex } from '../../../apps/worker/src/match/live-index.js';
import { createMatchProcessor } from '../../../apps/worker/src/match/match-worker.js';
import { publishRuleChange } from '../../../apps/api/src/services/rule-changes.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from '../../harness/env.js';

const log = pino({ level: 'silent' });
let db: Db;
let redis: Redis;
let prefix: string;
let deliveries: Producer<typeof QueueName.Deliveries>;
const logId = `match-test-${randomUUID().slice(0, 8)}`;

function event(index: number, san: string): SigningEvent {
  return {
    log: { origin: 'sim.test/rekor-v1', kind: 'rekor-v1' },
    index: String(index),
    globalIndex: String(index),
    leafHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    digests: [{ algorithm: 'sha256', value: 'ab'.repeat(32) }],
    certificate: {
      sans: [{ type: 'uri', value: san }],
      issuer: 'https://token.actions.githubusercontent.com',
      // Unique values: other test files' subscriptions (acme/widget templates…) live in the same database.
      extensions: { '1.3.6.1.4.1.57264.1.12': `https://github.com/matcher-test/${randomUUID()}` },
      serial: '01',
      notBefore: '2026-11-22T00:00:00.000Z',
      notAfter: '2026-11-22T00:10:00.000Z',
      fingerprintSha256: 'cd'.repeat(32),
      publicKeySha256: 'ef'.repeat(32),
      chain: 'unknown',
    },
  };
}

const job = (events: SigningEvent[], from: number) =>
  ({ data: { log: { id: logId, origin: 'sim.test/rekor-v1' }, from: String(from), to: String(from + events.length), events } }) as unknown as Job;

async function subscriber(san: string): Promise<{ subscriptionId: string }> {
  const user = await db.user.create({ data: { email: `u-${randomUUID()}@example.test`, verifiedAt: new Date() } });
  const email = await db.emailAddress.create({ data: { userId: user.id, address: user.email, verifiedAt: new Date() } });
  const hook = await db.webhookEndpoint.create({ data: { userId: user.id, url: 'https://hooks.example.test/x', secret: 'whsec_dGVzdA==' } });
  const unverified = await db.emailAddress.create({ data: { userId: user.id, address: `other-${user.email}` } });
  const sub = await db.subscription.create({
    data: {
      userId: user.id,
      name: 'widget releases',
      rules: { create: [{ definition: { san: { type: 'exact', value: san } } }] },
      channels: {
        create: [
          { type: 'email', emailAddressId: email.id },
          { type: 'email', emailAddressId: unverified.id },
          { type: 'webhook', webhookEndpointId: hook.id },
        ],
      },
    },
  });
  return { subscriptionId: sub.id };
}

/** `n` subscribers, each to its own workflow SAN. */
async function subscribers(n: number, tag: string): Promise<{ sans: string[]; subs: string[] }> {
  const sans = Array.from({ length: n }, () => `https://github.com/acme/${tag}-${randomUUID()}/.github/workflows/r.yml@refs/tags/v1`);
  const subs: string[] = [];
  for (const san of sans) subs.push((await subscriber(san)).subscriptionId);
  return { sans, subs };
}

/** One batch with an entry for each SAN, from log index `from`: each subscription matches exactly once. */
async function expectOneMatchEach(index: LiveRuleIndex, { sans, subs }: { sans: string[]; subs: string[] }, from: number): Promise<void> {
  await createMatchProcessor({ db, index, deliveries, log })(job(sans.map((san, i) => event(from + i, san)), from));
  for (const id of subs) expect(await db.match.count({ where: { subscriptionId: id } })).toBe(1);
}

beforeAll(async () => {
  db = createDb(testDatabaseUrl());
  redis = createRedis(testRedisUrl(), 'producer');
  prefix = testRedisPrefix('match');
  deliveries = new Producer(QueueName.Deliveries, redis, prefix);
  await db.log.create({ data: { id: logId, origin: `origin-${logId}`, kind: 'rekor_v1', url: 'http://127.0.0.1', publicKey: '', keyId: '' } });
});

afterAll(async () => {
  await deliveries?.queue.obliterate({ force: true }).catch(() => {});
  await deliveries?.close();
  redis?.disconnect();
  await db?.$disconnect();
});

describe('matcher', () => {
  it('a rule created through the database is live within a second of its change notice', async () => {
    const index = new LiveRuleIndex(db, redis, prefix, log);
    await index.start();
    try {
      const process = createMatchProcessor({ db, index, deliveries, log });
      const san = `https://github.com/acme/live-${randomUUID()}/.github/workflows/release.yml@refs/tags/v1`;
      await process(job([event(1, san)], 1));
      const { subscriptionId } = await subscriber(san);
      expect(await db.match.count({ where: { subscriptionId } })).toBe(0);
      await publishRuleChange(redis, prefix, subscriptionId);
      const t0 = Date.now();
      const result = await process(job([event(2, san)], 2));
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect(result.matches).toBeGreaterThanOrEqual(1);
      const match = await db.match.findFirstOrThrow({ where: { subscriptionId } });
      expect(match).toMatchObject({ field: 'san', value: san, logIndex: 2n });
    } finally {
      await index.stop();
    }
  });

  it('the same batch twice, and by two matchers at once, writes one Match and one Delivery per verified channel', async () => {
    const san = `https://github.com/acme/dup-${randomUUID()}/.github/workflows/release.yml@refs/tags/v2`;
    const { subscriptionId } = await subscriber(san);
    await publishRuleChange(redis, prefix, subscriptionId);
    const a = new LiveRuleIndex(db, redis, prefix, log);
    const b = new LiveRuleIndex(db, redis, prefix, log);
    await Promise.all([a.start(), b.start()]);
    try {
      const batch = job([event(10, san), event(11, 'https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main'), event(12, san)], 10);
      const pa = createMatchProcessor({ db, index: a, deliveries, log });
      const pb = createMatchProcessor({ db, index: b, deliveries, log });
      await Promise.all([pa(batch), pb(batch)]);
      await pa(batch);
      const matches = await db.match.findMany({ where: { subscriptionId }, orderBy: { logIndex: 'asc' } });
      expect(matches.map((m) => m.logIndex)).toEqual([10n, 12n]);
      const rows = await db.delivery.findMany({ where: { matchId: { in: matches.map((m) => m.id) } } });
      // Two matches × (verified e-mail + webhook); the unverified address gets nothing.
      expect(rows).toHaveLength(4);
      expect(new Set(rows.map((r) => `${r.matchId}/${r.channelKey}`)).size).toBe(4);
      const jobs = await deliveries.queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'], 0, -1);
      const ids = jobs.map((j) => j.id).filter((id) => rows.some((r) => id === `delivery-${r.id}`));
      expect(ids.sort()).toEqual(rows.map((r) => `delivery-${r.id}`).sort());
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a change whose message was lost (counter moved, no message) is still picked up: full rebuild', async () => {
    const index = new LiveRuleIndex(db, redis, prefix, log);
    await index.start();
    try {
      const san = `https://github.com/acme/lost-${randomUUID()}/.github/workflows/release.yml@refs/tags/v1`;
      const { subscriptionId } = await subscriber(san);
      await redis.incr(`${prefix}:rules:version`);
      await createMatchProcessor({ db, index, deliveries, log })(job([event(30, san)], 30));
      expect(await db.match.count({ where: { subscriptionId } })).toBe(1);
    } finally {
      await index.stop();
    }
  });

  it('batches that find the counter moved at once share one rebuild', async () => {
    const index = new LiveRuleIndex(db, redis, prefix, log);
    await index.start();
    try {
      let rebuilds = 0;
      const rebuild = index.rebuild.bind(index);
      index.rebuild = async () => {
        rebuilds++;
        await rebuild();
      };
      await redis.incr(`${prefix}:rules:version`); // a change whose message was lost
      await Promise.all([index.ensureFresh(), index.ensureFresh(), index.ensureFresh()]);
      expect(rebuilds).toBe(1);
    } finally {
      await index.stop();
    }
  });

  it('a rebuild that fails part way is done again before a batch is matched', async () => {
    const made = await subscribers(4, 'flaky');
    let failPage = 0;
    let pages = 0;
    const subscription = new Proxy(db.subscription, {
      get(target, key, receiver) {
        if (key !== 'findMany') return Reflect.get(target, key, receiver);
        return async (args: Parameters<typeof target.findMany>[0]) => {
          if (failPage > 0 && ++pages === failPage) throw new Error('connection lost');
          return target.findMany(args);
        };
      },
    });
    const flaky = new Proxy(db, { get: (target, key, receiver) => (key === 'subscription' ? subscription : Reflect.get(target, key, receiver)) });
    const index = new LiveRuleIndex(flaky, redis, prefix, log, 2);
    await index.start();
    try {
      failPage = 2; // the second page of the next rebuild fails
      await redis.incr(`${prefix}:rules:version`); // a change whose message is late
      await expect(index.ensureFresh()).rejects.toThrow('connection lost');
      // The late message arrives: counter − applied − waiting messages is 0 again, so the counter alone
      // would say "apply the one change"; it must not be applied to the half-built index.
      await redis.publish(`${prefix}:rules:changed`, made.subs[0]!);
      await new Promise((r) => setTimeout(r, 50));
      await expectOneMatchEach(index, made, 60);
    } finally {
      await index.stop();
    }
  });

  it('a full build pages through the subscriptions and misses none', async () => {
    const made = await subscribers(7, 'paged');
    const index = new LiveRuleIndex(db, redis, prefix, log, 3);
    await index.start();
    try {
      await expectOneMatchEach(index, made, 40);
    } finally {
      await index.stop();
    }
  });

  it('a muted or disabled subscription matches nothing', async () => {
    const san = `https://github.com/acme/muted-${randomUUID()}/.github/workflows/release.yml@refs/tags/v3`;
    const { subscriptionId } = await subscriber(san);
    await db.subscription.update({ where: { id: subscriptionId }, data: { mutedAt: new Date() } });
    await publishRuleChange(redis, prefix, subscriptionId);
    const index = new LiveRuleIndex(db, redis, prefix, log);
    await index.start();
    try {
      await createMatchProcessor({ db, index, deliveries, log })(job([event(20, san)], 20));
      expect(await db.match.count({ where: { subscriptionId } })).toBe(0);
    } finally {
      await index.stop();
    }
  });
});
