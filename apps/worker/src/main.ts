/**
 * The worker process: load config once, build dependencies, start the followers (one per log, under a
 * lock), the matcher and the delivery workers, and the health server. SIGTERM/SIGINT drain and exit.
 */
import 'reflect-metadata';
import { pino } from 'pino';
import { ConfigError } from '@sigwatch/config';
import { createDb } from '@sigwatch/db';
import { createRedis } from '@sigwatch/queue';
import { loadConfig, type WorkerConfig } from './config.js';
import { WorkerRegistry } from './workers.js';
import { startHealthServer } from './health-server.js';
import { startRoles } from './roles.js';

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`sigwatch worker: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = pino({ level: config.LOG_LEVEL, base: { app: 'worker' } });
  const db = createDb(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, 'client');
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const workerConnection = createRedis(config.REDIS_URL, 'worker');
  workerConnection.on('error', () => {});
  const workers = new WorkerRegistry(workerConnection, config.REDIS_PREFIX, log);
  const health = await startHealthServer({ db, redis, host: config.WORKER_HOST, port: config.WORKER_PORT });
  const roles = await startRoles({ config, db, redis, workers, log });
  log.info({ roles: config.WORKER_ROLES, port: config.WORKER_PORT }, 'worker started');

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'draining');
    const force = setTimeout(() => {
      log.error('drain took over 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    await roles.stop();
    await workers.closeAll();
    await health.close();
    workerConnection.disconnect();
    redis.disconnect();
    await db.$disconnect();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
