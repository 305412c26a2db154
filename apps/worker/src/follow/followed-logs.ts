/**
 * The logs this worker follows, kept equal to the configured list (the follow role re-reads it every
 * LOGS_REFRESH_INTERVAL_MS, so a new Rekor v2 shard in the trusted root is followed without a restart).
 * `sync(list)` starts a loop for each new log, stops the loop of each log no longer listed, restarts the loop
 * of a log whose URL or key changed (a new key drops its position: log-state-store.ts `ensureLog`), and marks
 * the logs not listed inactive: kept for their history, not shown as followed.
 */
import type { Logger } from 'pino';
import type { Db } from '@sigwatch/db';
import type { LogConfig } from '../logs/log-list.js';
import type { LogStateStore } from './log-state-store.js';
import type { LogLoop } from './log-loop.js';

/** What a running loop depends on: a change restarts it. */
function fingerprint(c: LogConfig): string {
  return [c.kind, c.url, Buffer.from(c.publicKeyDer).toString('base64'), c.keyId].join(' ');
}

export interface SyncResult {
  started: string[];
  stopped: string[];
}

export class FollowedLogs {
  private readonly running = new Map<string, { fingerprint: string; loop: LogLoop }>();

  constructor(
    private readonly deps: {
      db: Db;
      store: LogStateStore;
      /** Starts the poll loop of one log (log-loop.ts). */
      start: (config: LogConfig) => LogLoop;
      log: Logger;
    },
  ) {}

  /** Ids of the logs followed now. */
  get ids(): string[] {
    return [...this.running.keys()];
  }

  async sync(configs: readonly LogConfig[]): Promise<SyncResult> {
    const { db, store, log } = this.deps;
    const wanted = new Map(configs.map((c) => [c.id, c]));
    const leaving = [...this.running].filter(([id, r]) => wanted.get(id) === undefined || fingerprint(wanted.get(id) as LogConfig) !== r.fingerprint);
    await Promise.all(leaving.map(([, r]) => r.loop.stop()));
    for (const [id] of leaving) this.running.delete(id);
    await db.log.updateMany({ where: { id: { notIn: [...wanted.keys()] } }, data: { active: false } });
    const started: string[] = [];
    for (const config of configs) {
      if (this.running.has(config.id)) continue;
      if ((await store.ensureLog(config)).keyChanged) {
        log.warn({ logId: config.id, origin: config.origin }, 'the configured key of this log changed: its old position is dropped and it is followed from its head');
      }
      this.running.set(config.id, { fingerprint: fingerprint(config), loop: this.deps.start(config) });
      started.push(config.id);
    }
    return { started, stopped: leaving.map(([id]) => id).filter((id) => !wanted.has(id)) };
  }

  async stop(): Promise<void> {
    const loops = [...this.running.values()];
    this.running.clear();
    await Promise.all(loops.map((r) => r.loop.stop()));
  }
}
