/**
 * The recent-events list the API's rule preview reads (apps/api services/preview.ts): the newest
 * RECENT_EVENTS_MAX SigningEvents as JSON, newest first, in `<prefix>:recent-events`.
 */
import type { Redis } from 'ioredis';
import type { SigningEvent } from '@sigwatch/rules';

export const RECENT_EVENTS_MAX = 5_000;

export function recentEventsKey(prefix: string): string {
  return `${prefix}:recent-events`;
}

/** An `onEvents` hook for publishBatch that keeps the list. */
export function recentEventsRecorder(redis: Redis, prefix: string): (events: SigningEvent[]) => Promise<void> {
  const key = recentEventsKey(prefix);
  return async (events) => {
    const tail = events.slice(-RECENT_EVENTS_MAX).map((e) => JSON.stringify(e));
    await redis.multi().lpush(key, ...tail).ltrim(key, 0, RECENT_EVENTS_MAX - 1).exec();
  };
}
