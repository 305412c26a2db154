/**
 * The `follow` role: one follower per configured log, each under a PostgreSQL advisory lock so that only
 * one worker process follows a log; the others stand by and take over when the leader dies.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SigningEvent } from '@sigwatch/rules';
import { Producer, QueueName } from '@sigwatch/queue';
import type { RoleDeps } from '../roles.js';
import { loadLogList, loadTrustedRoot, type LogConfig } from '../logs/log-list.js';
import type { LogSource } from '../logs/log-source.js';
import { RekorV1Source } from '../logs/rekor-v1.js';
import { RekorV2Source } from '../logs/rekor-v2.js';
import { CtSource } from '../logs/ct.js';
import { parseLeaf } from '../parse/parse-leaf.js';
import { Follower, type LeafParser } from './follower.js';
import { LeaderLock } from './leader-lock.js';
import { alertIncident } from './incident-alerts.js';
import { LogStateStore } from './log-state-store.js';

export const RECENT_EVENTS_MAX = 5_000;

export function createSource(config: LogConfig): LogSource {
  switch (config.kind) {
    case 'rekor-v1':
      return new RekorV1Source(config);
    case 'rekor-v2':
      return new RekorV2Source(config);
    case 'ct':
      return new CtSource(config);
  }
}

export function leafParser(config: LogConfig): LeafParser {
  const log = { origin: config.origin, kind: config.kind };
  return ({ index, globalIndex, leaf, leafHash }) =>
    parseLeaf({
      log,
      index,
      globalIndex,
      leafBytes: leaf.leaf,
      ...(leafHash !== undefined ? { leafHash } : {}),
      ...(leaf.uuid !== undefined ? { uuid: leaf.uuid } : {}),
      ...(leaf.integratedTime !== undefined ? { integratedTime: leaf.integratedTime } : {}),
    });
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
  const producer = new Producer(QueueName.EntriesToMatch, redis, config.REDIS_PREFIX);
  const deliveries = new Producer(QueueName.Deliveries, redis, config.REDIS_PREFIX);
  const recentKey = `${config.REDIS_PREFIX}:recent-events`;
  const onEvents = async (events: SigningEvent[]) => {
    const tail = events.slice(-RECENT_EVENTS_MAX).map((e) => JSON.stringify(e));
    await redis.multi().lpush(recentKey, ...tail).ltrim(recentKey, 0, RECENT_EVENTS_MAX - 1).exec();
  };
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
    const follower = new Follower({ source: createSource(logConfig), store, producer, parse: leafParser(logConfig), log, onEvents, onIncident });
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
    await producer.close();
    await deliveries.close();
  };
}
