/**
 * The worker's follow role in this process, as `main.ts` starts it (real PostgreSQL and Redis, the given
 * environment on top of the test defaults), and the position queries the role tests wait on.
 */
import { pino } from 'pino';
import { createDb, type Db } from '@sigwatch/db';
import { createRedis } from '@sigwatch/queue';
import { loadConfig, type WorkerConfig } from '../../../apps/worker/src/config.js';
import { startFollowRole, type FollowOptions } from '../../../apps/worker/src/follow/role.js';
import { WorkerRegistry } from '../../../apps/worker/src/workers.js';
import { testEnv, testRedisPrefix } from '../../harness/env.js';

export interface RunningFollowRole {
  config: WorkerConfig;
  stop(): Promise<void>;
}

export async function startTestFollowRole(env: Record<string, string>, timing?: Partial<FollowOptions>): Promise<RunningFollowRole> {
  const config = loadConfig(testEnv({ REDIS_PREFIX: testRedisPrefix('follow-role'), WORKER_ROLES: 'follow', PARSE_THREADS: '0', ...env }));
  const db = createDb(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, 'client');
  const workerConn = createRedis(config.REDIS_URL, 'worker');
  const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
  const stopRole = await startFollowRole({ config, db, redis, workers: new WorkerRegistry(workerConn, config.REDIS_PREFIX, log), log }, timing);
  return {
    config,
    stop: async () => {
      await stopRole();
      workerConn.disconnect();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}

/** The verified size of a log, or undefined before its follower stored a position. */
export async function verifiedSize(db: Db, logId: string): Promise<bigint | undefined> {
  return (await db.logPosition.findUnique({ where: { logId }, select: { treeSize: true } }))?.treeSize;
}

/** Polls `check` every 25 ms until it returns true; throws with `what` after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
