/** The API's long-lived connections and services, built once from config and closed on shutdown. */
import type { Redis } from 'ioredis';
import { createDb, type Db } from '@sigwatch/db';
import { createProducers, createRedis, type Producers } from '@sigwatch/queue';
import type { ApiConfig } from './config.js';
import { loadDkim } from '@sigwatch/config';
import { createAccountMailer, type AccountMailer } from './services/account-mailer.js';
import { BackgroundTasks } from './services/background.js';
import { OneTimeTokens } from './services/one-time-tokens.js';
import { RateLimiter } from './services/rate-limit.js';

export interface ApiDeps {
  config: ApiConfig;
  db: Db;
  redis: Redis;
  producers: Producers;
  mailer: AccountMailer;
  tokens: OneTimeTokens;
  limiter: RateLimiter;
  background: BackgroundTasks;
  close(): Promise<void>;
}

export function createDeps(config: ApiConfig): ApiDeps {
  const db = createDb(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, 'client');
  // Redis being down must not crash the process: readiness reports it instead.
  redis.on('error', () => {});
  const producers = createProducers(redis, config.REDIS_PREFIX);
  const mailer = createAccountMailer(config.SMTP_URL, config.MAIL_FROM, undefined, loadDkim(config));
  return {
    config,
    db,
    redis,
    producers,
    mailer,
    tokens: new OneTimeTokens(redis, config.REDIS_PREFIX),
    limiter: new RateLimiter(redis, config.REDIS_PREFIX),
    background: new BackgroundTasks((err, what) => process.stderr.write(`sigwatch api: background ${what} failed: ${String(err)}\n`)),
    async close() {
      await this.background.idle().catch(() => {});
      await mailer.close().catch(() => {});
      await producers.close().catch(() => {});
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
