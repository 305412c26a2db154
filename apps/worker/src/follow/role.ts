/**
 * The `follow` role: one follower per configured log, each under a PostgreSQL advisory lock so that only
 * one worker process follows a log; the others stand by and take over when the leader dies.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { Producer, QueueName } from '@sigwatch/queue';
import type { RoleDeps } from '../roles.js';
import { tileTailWaitMs } from '../config.js';
import { loadLogList, loadTrustedRoot, type LogConfig } from '../logs/log-list.js';
import type { LogSource } from '../logs/log-source.js';
import type { HttpOptions } from '../logs/http.js';
import { RekorV1Source } from '../logs/rekor-v1.js';
import { RekorV2Source } from '../logs/rekor-v2.js';
import { CtSource } from '../logs/ct.js';
import { Follower } from './follower.js';
import { LeaderLock } from './leader-lock.js';
import { alertIncident } from './incident-alerts.js';
import { LogStateStore } from './log-state-store.js';
import { DEFAULT_JOB_SIZE, InlinePublisher, type EventPublisher } from './publish.js';
import { ThreadedPublisher } from './publish-threads.js';
import { recentEventsRecorder } from './recent-events.js';

export interface SourceOptions {
  http?: HttpOptions;
  /** Tile logs: how long the partial tile at the tree's end waits before it is read (0, the default: at once). */
  tileTailWaitMs?: number;
}

export function createSource(config: LogConfig, options: SourceOptions = {}): LogSource {
  switch (config.kind) {
    case 'rekor-v1':
      return new RekorV1Source(config, options.http);
    case 'rekor-v2':
      return new RekorV2Source(config, { ...(options.http !== undefined ? { http: options.http } : {}), tailWaitMs: options.tileTailWaitMs ?? 0 });
    case 'ct':
      return new CtSource(config, options.http);
  }
}

export interface PublisherOptions {
  redisUrl: string;
  prefix: string;
  /** Publish threads; 0 parses and queues on the caller's thread. */
  threads: number;
  /** Keep the API preview's recent-events list. */
  recordRecentEvents: boolean;
  jobSize?: number;
}

/**
 * The follower's publisher: worker threads when `threads` > 0 (each with its own Redis connection), else
 * inline on `redis`.
 */
export function createPublisher(redis: Redis, options: PublisherOptions): EventPublisher {
  const jobSize = options.jobSize ?? DEFAULT_JOB_SIZE;
  if (options.threads > 0) {
    return new ThreadedPublisher({ threads: options.threads, redisUrl: options.redisUrl, prefix: options.prefix, jobSize, recordRecentEvents: options.recordRecentEvents });
  }
  const producer = new Producer(QueueName.EntriesToMatch, redis, options.prefix);
  const inline = new InlinePublisher({ producer, jobSize, ...(options.recordRecentEvents ? { onEvents: recentEventsRecorder(redis, options.prefix) } : {}) });
  return { publish: (b) => inline.publish(b), close: () => producer.close() };
}

export interface FollowOptions {
  pollIntervalMs: number;
  /** Wait between polls of a halted log. */
  haltedRetryMs?: number;
  /** Wait before trying again for a log another worker leads. */
  standbyMs?: number;
}

export async function startFollowRole(deps: RoleDeps, opts?: Partial<FollowOptions>): Promise<() => Promise<void>> {
  const { config, db, redis, log } = deps;
  const options: FollowOptions = { pollIntervalMs: config.POLL_INTERVAL_MS, haltedRetryMs: 30_000, standbyMs: 5_000, ...opts };
  const root = await loadTrustedRoot(config.SIGWATCH_TRUSTED_ROOT);
  const logs = await loadLogList(config.SIGWATCH_LOGS, root);
  const store = new LogStateStore(db);
  const publisher = createPublisher(redis, { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, threads: config.PARSE_THREADS, recordRecentEvents: true });
  const deliveries = new Producer(QueueName.Deliveries, redis, config.REDIS_PREFIX);
  // Logs no longer configured stay in the database for their history, but are not shown as followed.
  await db.log.updateMany({ where: { id: { notIn: logs.map((l) => l.id) } }, data: { active: false } });
  const stop = new AbortController();
  const loops = logs.map(async (logConfig) => {
    if ((await store.ensureLog(logConfig)).keyChanged) {
      log.warn({ logId: logConfig.id, origin: logConfig.origin }, 'the configured key of this log changed: its old position is dropped and it is followed from its head');
    }
    const onIncident = async (incidentId: string) => {
      await alertIncident(db, deliveries, incidentId);
    };
    const follower = new Follower({ source: createSource(logConfig, { tileTailWaitMs: tileTailWaitMs(config) }), store, publisher, log, onIncident });
    const lock = new LeaderLock(config.DATABASE_URL, logConfig.id);
    while (!stop.signal.aborted) {
      try {
        if (!(await lock.tryAcquire())) {
          await sleep(options.standbyMs, undefined, { signal: stop.signal }).catch(() => {});
          continue;
        }
        const outcome = await follower.poll();
        const wait = outcome === 'halted' ? (options.haltedRetryMs ?? 30_000) : outcome === 'error' ? options.pollIntervalMs * 2 : options.pollIntervalMs;
        await sleep(wait, undefined, { signal: stop.signal }).catch(() => {});
      } catch (e) {
        log.error({ logId: logConfig.id, err: e instanceof Error ? e.message : String(e) }, 'follower loop error');
        await sleep(options.pollIntervalMs, undefined, { signal: stop.signal }).catch(() => {});
      }
    }
    await lock.release();
  });
  log.info({ logs: logs.map((l) => `${l.kind} ${l.origin}`) }, 'following logs');
  return async () => {
    stop.abort();
    await Promise.all(loops);
    await publisher.close();
    await deliveries.close();
  };
}
