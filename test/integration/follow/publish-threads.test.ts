/**
 * The publish stage in worker threads gives exactly what the inline one gives: the same jobs (ids and
 * events) and the same malformed positions, for a batch split across threads; and a bad request to a
 * thread is a clear error, not a crash.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { hashLeaf } from '@sigwatch/tlog';
import { EntriesToMatchPayload, Producer, QueueName, createRedis } from '@sigwatch/queue';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { loadLogList, loadTrustedRoot } from '../../../apps/worker/src/logs/log-list.js';
import type { FetchedLeaf } from '../../../apps/worker/src/logs/log-source.js';
import { createSource } from '../../../apps/worker/src/follow/role.js';
import { InlinePublisher, type VerifiedBatch } from '../../../apps/worker/src/follow/publish.js';
import { ThreadedPublisher } from '../../../apps/worker/src/follow/publish-threads.js';
import { PublishRequest, packBatch, unpackBatch } from '../../../apps/worker/src/follow/publish-wire.js';
import { testRedisPrefix, testRedisUrl } from '../../harness/env.js';

let sim: Simulator;
let dir: string;
let redis: Redis;
let batch: VerifiedBatch;
const GARBAGE = [7, 250, 251];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-publish-'));
  sim = await startSimulator({ dir, port: 0, seed: 33 });
  redis = createRedis(testRedisUrl(), 'producer');
  const logs = await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath));
  const log = logs.find((l) => l.kind === 'rekor-v1');
  if (log === undefined) throw new Error('no rekor-v1 log');
  await sim.append('rekor-v1', { count: 600, identity: 'https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' });
  const fetched = await createSource(log).fetchLeaves(0n, 600n, { offset: 0n });
  // Some leaves that are not Rekor entries: recorded as malformed, wherever they fall in the split.
  const leaves: FetchedLeaf[] = fetched.map((l, i) => (GARBAGE.includes(i) ? { ...l, leaf: new TextEncoder().encode(`not an entry ${i}`) } : l));
  batch = { log: { id: log.id, origin: log.origin, kind: log.kind }, from: 1000n, offset: 5n, leaves, hashes: leaves.map((l) => hashLeaf(l.leaf)), recentFrom: 0 };
});

afterAll(async () => {
  redis?.disconnect();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function queued(prefix: string): Promise<Map<string, unknown>> {
  const producer = new Producer(QueueName.EntriesToMatch, redis, prefix);
  const jobs = await producer.queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'], 0, -1);
  await producer.queue.obliterate({ force: true });
  await producer.close();
  return new Map(jobs.map((j) => [j.id as string, EntriesToMatchPayload.parse(j.data)]));
}

describe('ThreadedPublisher', () => {
  it('queues the same jobs and reports the same malformed leaves as the inline publisher, split across threads', async () => {
    const inlinePrefix = testRedisPrefix('publish-inline');
    const producer = new Producer(QueueName.EntriesToMatch, redis, inlinePrefix);
    const inline = await new InlinePublisher({ producer, jobSize: 100 }).publish(batch);
    await producer.close();

    const threadedPrefix = testRedisPrefix('publish-threads');
    const threaded = new ThreadedPublisher({ threads: 2, redisUrl: testRedisUrl(), prefix: threadedPrefix, jobSize: 100, recordRecentEvents: true });
    const result = await threaded.publish(batch).finally(() => threaded.close());

    expect(inline.published).toBe(600 - GARBAGE.length);
    expect(inline.jobs).toBe(6);
    expect(inline.malformed.map((m) => m.position)).toEqual(GARBAGE);
    expect(result.published).toBe(inline.published);
    expect(result.jobs).toBe(inline.jobs);
    expect([...result.malformed].sort((a, b) => a.position - b.position)).toEqual(inline.malformed);

    const a = await queued(inlinePrefix);
    const b = await queued(threadedPrefix);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [id, payload] of a) expect(b.get(id)).toEqual(payload);
    const first = ([...a.values()] as EntriesToMatchPayload[]).reduce((x, y) => (BigInt(y.from) < BigInt(x.from) ? y : x));
    expect(first.from).toBe('1005'); // tree index 1000 + offset 5
    expect(first.events[0]?.certificate?.sans[0]?.value).toBe('https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main');
    // The thread kept the API preview's recent-events list (the batch ends at the head).
    expect(await redis.llen(`${threadedPrefix}:recent-events`)).toBe(600 - GARBAGE.length);
    await redis.del(`${threadedPrefix}:recent-events`);
  });

  it('feeds the recent-events list only from recentFrom on, across the split', async () => {
    const prefix = testRedisPrefix('publish-recent');
    const threaded = new ThreadedPublisher({ threads: 2, redisUrl: testRedisUrl(), prefix, jobSize: 100, recordRecentEvents: true });
    try {
      const { recentFrom: _, ...noRecent } = batch;
      await threaded.publish(noRecent);
      expect(await redis.llen(`${prefix}:recent-events`)).toBe(0);
      // From 240 on: 360 leaves, two of them garbage (250, 251), spanning two jobs and both slices.
      await threaded.publish({ ...batch, from: 5000n, recentFrom: 240 });
      const listed = (await redis.lrange(`${prefix}:recent-events`, 0, -1)).map((j) => BigInt((JSON.parse(j) as { index: string }).index));
      expect(listed).toHaveLength(358);
      expect(listed.every((i) => i >= 5240n)).toBe(true);
    } finally {
      await threaded.close();
      await redis.del(`${prefix}:recent-events`);
      await queued(prefix);
    }
  });

  it('a batch survives the trip to a thread byte for byte', () => {
    const { request, transfer } = packBatch(1, batch);
    expect(transfer).toHaveLength(3);
    const back = unpackBatch(PublishRequest.parse(request));
    expect(back.from).toBe(batch.from);
    expect(back.offset).toBe(batch.offset);
    expect(back.recentFrom).toBe(0);
    back.leaves.forEach((l, i) => {
      const original = batch.leaves[i] as FetchedLeaf;
      expect(Buffer.from(l.leaf).equals(Buffer.from(original.leaf))).toBe(true);
      expect(l.uuid).toBe(original.uuid);
      expect(l.integratedTime).toBe(original.integratedTime);
      expect(Buffer.from(back.hashes[i] as Uint8Array).equals(Buffer.from(batch.hashes[i] as Uint8Array))).toBe(true);
    });
  });

  it('rejects a request whose buffers do not add up, with a message', () => {
    const { request } = packBatch(2, batch);
    const bad = PublishRequest.safeParse({ ...request, hashes: new Uint8Array(31) });
    expect(bad.success).toBe(false);
    expect(bad.error?.message).toContain('hash bytes');
    const unordered = PublishRequest.safeParse({ ...request, ends: Uint32Array.from([5, 3]), hashes: new Uint8Array(64), data: new Uint8Array(3) });
    expect(unordered.success).toBe(false);
  });
});
