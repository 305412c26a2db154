/** The API's long-lived connections, built once from config and closed on shutdown. */
import type { Redis } from 'ioredis';
import { createDb, type Db } from '@sigwatch/db';
import { createProducers, createRedis, type Producers } from '@sigwatch/queue';
import type { ApiConfig } from './config.js';

export interface ApiDeps {
  config: ApiConfig;
  db: Db;
  redis: Redis;
  producers: Producers;
  close(): Promise<void>;
}

export function createDeps(config: ApiConfig): ApiDeps {
  const db = createDb(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, 'client');
  // Redis being down must not crash the process: readiness reports it instead.
  redis.on('error', () => {});
  const producers = createProducers(redis, config.REDIS_PREFIX);
  return {
    config,
    db,
    redis,
    producers,
    async close() {
      await producers.close().catch(() => {});
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
