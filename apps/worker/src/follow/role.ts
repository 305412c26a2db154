/**
 * The `follow` role: one follower per configured log, each under a PostgreSQL advisory lock so that only
 * one worker process follows a log; the others stand by and take over when the leader dies. The list of
 * logs is re-read every LOGS_REFRESH_INTERVAL_MS: a new log (a new Rekor v2 shard in the trusted root) is
 * followed from then on, a removed one is stopped and marked inactive (followed-logs.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { Producer, QueueName } from '@sigwatch/queue';
import type { RoleDeps } from '../roles.js';
import { tileTailWaitMs } from '../config.js';
import { loadLogList, type LogConfig } from '../logs/log-list.js';
import { trustedRootSource } from '../logs/trusted-root-source.js';
import type { LogSource } from '../logs/log-source.js';
import type { HttpOptions } from '../logs/http.js';
import { RekorV1Source } from '../logs/rekor-v1.js';
import { RekorV2Source } from '../logs/rekor-v2.js';
import { CtSource } from '../logs/ct.js';
import { Follower } from './follower.js';
import { FollowedLogs } from './followed-logs.js';
import { startLogLoop, type LoopTiming } from './log-loop.js';
import { alertIncident } from './incident-alerts.js';
import { LogStateStore } from './log-state-store.js';
import { DEFAULT_JOB_SIZE, InlinePublisher, type EventPublisher } from './publish.js';
import { ThreadedPublisher } from './publish-threads.js';

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
  return InlinePublisher.onRedis(redis, { prefix: options.prefix, jobSize, recordRecentEvents: options.recordRecentEvents });
}

export type FollowOptions = LoopTiming;

export async function startFollowRole(deps: RoleDeps, opts?: Partial<FollowOptions>): Promise<() => Promise<void>> {
  const { config, db, redis, log } = deps;
  const timing: FollowOptions = { pollIntervalMs: config.POLL_INTERVAL_MS, haltedRetryMs: 30_000, standbyMs: 5_000, ...opts };
  const roots = deps.trustedRoot ?? trustedRootSource(config, log);
  const readLogs = async () => loadLogList(config.SIGWATCH_LOGS, await roots.load());
  const logs = await readLogs();
  const store = new LogStateStore(db);
  const publisher = createPublisher(redis, { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, threads: config.PARSE_THREADS, recordRecentEvents: true });
  const deliveries = new Producer(QueueName.Deliveries, redis, config.REDIS_PREFIX);
  const onIncident = async (incidentId: string) => {
    await alertIncident(db, deliveries, incidentId);
  };
  const followed = new FollowedLogs({
    db,
    store,
    log,
    start: (logConfig) => {
      const source = createSource(logConfig, { tileTailWaitMs: tileTailWaitMs(config) });
      const follower = new Follower({ source, store, publisher, log, onIncident });
      return startLogLoop({ logId: logConfig.id, follower, databaseUrl: config.DATABASE_URL, timing, log });
    },
  });
  await followed.sync(logs);
  log.info({ logs: logs.map((l) => `${l.kind} ${l.origin}`) }, 'following logs');

  const stop = new AbortController();
  const refresh = (async () => {
    if (config.LOGS_REFRESH_INTERVAL_MS === 0) return;
    while (!stop.signal.aborted) {
      await sleep(config.LOGS_REFRESH_INTERVAL_MS, undefined, { signal: stop.signal }).catch(() => {});
      if (stop.signal.aborted) return;
      try {
        const next = await readLogs();
        const { started, stopped } = await followed.sync(next);
        if (started.length > 0 || stopped.length > 0) log.info({ started, stopped, logs: next.map((l) => `${l.kind} ${l.origin}`) }, 'the list of logs changed');
      } catch (e) {
        // A file being replaced or a URL briefly down: keep following the logs as they were.
        log.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not re-read the list of logs; following the same logs');
      }
    }
  })();
  return async () => {
    stop.abort();
    await refresh;
    await followed.stop();
    await publisher.close();
    await deliveries.close();
  };
}
