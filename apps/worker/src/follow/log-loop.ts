/**
 * One log's poll loop: while this process holds the log's leader lock (leader-lock.ts) it polls, then waits
 * a poll interval — twice that after a transport error, `haltedRetryMs` for a halted log; without the lock it
 * stands by and tries again, so another worker takes over when the leader dies. A log marked inactive (a
 * worker whose list of logs no longer names it; this one has not re-read its list yet) is not polled: the
 * lock is released and the loop stands by. `stop()` ends the loop after the poll in progress and releases
 * the lock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Follower } from './follower.js';
import { LeaderLock } from './leader-lock.js';

export interface LoopTiming {
  pollIntervalMs: number;
  /** Wait between polls of a halted log. */
  haltedRetryMs: number;
  /** Wait before trying again for a log another worker leads. */
  standbyMs: number;
}

export interface LogLoop {
  stop(): Promise<void>;
}

export function startLogLoop(opts: { logId: string; follower: Follower; databaseUrl: string; timing: LoopTiming; log: Logger }): LogLoop {
  const { logId, follower, timing, log } = opts;
  const stop = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: stop.signal }).catch(() => {});
  const lock = new LeaderLock(opts.databaseUrl, logId);
  const done = (async () => {
    while (!stop.signal.aborted) {
      try {
        if (!(await lock.tryAcquire())) {
          await wait(timing.standbyMs);
          continue;
        }
        const outcome = await follower.poll();
        if (outcome === 'inactive') {
          await lock.release();
          await wait(timing.standbyMs);
          continue;
        }
        await wait(outcome === 'halted' ? timing.haltedRetryMs : outcome === 'error' ? timing.pollIntervalMs * 2 : timing.pollIntervalMs);
      } catch (e) {
        log.error({ logId, err: e instanceof Error ? e.message : String(e) }, 'follower loop error');
        await wait(timing.pollIntervalMs);
      }
    }
    await lock.release();
  })();
  return {
    stop: async () => {
      stop.abort();
      await done;
    },
  };
}
