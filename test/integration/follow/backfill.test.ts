/** Backfill re-reads an earlier range, verified against the verified position, through the library and the CLI. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { createDb, type Db } from '@sigwatch/db';
import { EntriesToMatchPayload, Producer, QueueName, createRedis } from '@sigwatch/queue';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { loadLogList, loadTrustedRoot, type LogConfig } from '../../../apps/worker/src/logs/log-list.js';
import { Follower } from '../../../apps/worker/src/follow/follower.js';
import { LogStateStore } from '../../../apps/worker/src/follow/log-state-store.js';
import { backfill } from '../../../apps/worker/src/follow/backfill.js';
import { createSource } from '../../../apps/worker/src/follow/role.js';
import { InlinePublisher } from '../../../apps/worker/src/follow/publish.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from '../../harness/env.js';
import { repoRoot } from '../../harness/paths.js';

const exec = promisify(execFile);
const silent = pino({ level: 'silent' });
let sim: Simulator;
let dir: string;
let db: Db;
let redis: Redis;
let logs: LogConfig[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-backfill-'));
  sim = await startSimulator({ dir, port: 0, seed: 21 });
  db = createDb(testDatabaseUrl());
  redis = createRedis(testRedisUrl(), 'producer');
  logs = await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath));
  await db.log.deleteMany({ where: { id: { in: logs.map((l) => l.id) } } });
});
afterAll(async () => {
  redis?.disconnect();
  await db?.$disconnect();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function indexesIn(producer: Producer<typeof QueueName.EntriesToMatch>, logId: string): Promise<number[]> {
  const jobs = await producer.queue.getJobs(['waiting'], 0, -1);
  return jobs.flatMap((j) => EntriesToMatchPayload.parse(j.data)).filter((p) => p.log.id === logId).flatMap((p) => p.events.map((e) => Number(e.globalIndex))).sort((a, b) => a - b);
}

describe('backfill', () => {
  it.each(['rekor-v1', 'rekor-v2', 'ct'] as const)('%s: re-reads [from, verified size) exactly, verified', async (kind) => {
    const l = logs.find((x) => x.kind === kind) as LogConfig;
    const store = new LogStateStore(db);
    await store.ensureLog(l);
    const producer = new Producer(QueueName.EntriesToMatch, redis, testRedisPrefix('backfill'));
    try {
      const deps = { source: createSource(l), store, producer, publisher: new InlinePublisher({ producer }), log: silent };
      await expect(backfill(deps, 0n)).rejects.toMatchObject({ code: 'NOT_FOLLOWED' });
      await sim.append(kind, { count: 300 });
      expect(await new Follower(deps).poll()).toBe('started');
      const size = Number((await store.load(l.id)).position?.treeSize);
      const from = 7;
      const result = await backfill(deps, BigInt(from));
      expect(result).toMatchObject({ from: BigInt(from), to: BigInt(size), malformed: 0 });
      expect(await indexesIn(producer, l.id)).toEqual(Array.from({ length: size - from }, (_, i) => from + i));
      await expect(backfill(deps, BigInt(size))).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    } finally {
      await producer.queue.obliterate({ force: true }).catch(() => {});
      await producer.close();
    }
  });

  it('the CLI prints one JSON result, and exit 2 on bad usage', async () => {
    const l = logs.find((x) => x.kind === 'rekor-v2') as LogConfig;
    const prefix = testRedisPrefix('backfill-cli');
    const env = { ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl(), REDIS_PREFIX: prefix, SIGWATCH_LOGS: sim.logsJsonPath, SIGWATCH_TRUSTED_ROOT: sim.trustedRootPath, LOG_LEVEL: 'silent' };
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'apps/worker/src/cli/main.ts', 'backfill', '--log', l.origin, '--from', '3'], { cwd: repoRoot, env });
    expect(JSON.parse(stdout.trim())).toMatchObject({ ok: true, log: l.origin, from: '3' });
    const bad = await exec(process.execPath, ['--import', 'tsx', 'apps/worker/src/cli/main.ts', 'backfill', '--log', l.origin], { cwd: repoRoot, env }).catch((e: { code: number }) => e);
    expect((bad as { code: number }).code).toBe(2);
    const q = new Producer(QueueName.EntriesToMatch, redis, prefix);
    await q.queue.obliterate({ force: true }).catch(() => {});
    await q.close();
  });
});

describe('a log whose configured key changed', () => {
  it('drops the old position and is followed afresh', async () => {
    const l = logs.find((x) => x.kind === 'rekor-v2') as LogConfig;
    const store = new LogStateStore(db);
    await store.ensureLog(l);
    const producer = new Producer(QueueName.EntriesToMatch, redis, testRedisPrefix('rekey'));
    try {
      const deps = { source: createSource(l), store, producer, publisher: new InlinePublisher({ producer }), log: silent };
      await sim.append('rekor-v2', { count: 2 });
      await new Follower(deps).poll();
      expect((await store.load(l.id)).position).toBeDefined();
      expect(await store.ensureLog(l)).toEqual({ keyChanged: false });
      const other = logs.find((x) => x.kind === 'rekor-v1') as LogConfig;
      expect(await store.ensureLog({ ...l, publicKey: other.publicKey, publicKeyDer: other.publicKeyDer })).toEqual({ keyChanged: true });
      expect((await store.load(l.id)).position).toBeUndefined();
    } finally {
      await producer.close();
    }
  });
});
