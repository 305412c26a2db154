/**
 * The retry schedule of deliveries (scale-and-safety §2.7): fixed steps of about three days in all, each
 * spread by ±20 % jitter so that a receiver that comes back is not hit by every queued retry at once.
 * Used as BullMQ's custom backoff strategy `delivery-schedule` (packages/queue options) and by the processor
 * to know whether a failed attempt was the last one.
 */
import type { BackoffStrategy } from 'bullmq';

export const JITTER = 0.2;

/** Delay before retry number `failures` (1 = after the first failure); -1 = no retry left (BullMQ's "stop"). */
export function retryDelay(schedule: readonly number[], failures: number, random: () => number = Math.random): number {
  const base = schedule[failures - 1];
  if (base === undefined) return -1;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** Whether the attempt that just failed (1-based, counting the first try) has no retry after it. */
export function isLastAttempt(schedule: readonly number[], attempt: number, maxAttempts: number): boolean {
  return attempt > schedule.length || attempt >= maxAttempts;
}

/** A receiver's Retry-After is honoured up to a day; it can lengthen a step, never shorten it. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export function nextDelay(schedule: readonly number[], failures: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const base = retryDelay(schedule, failures, random);
  if (base < 0 || retryAfterMs === undefined) return base;
  return Math.max(base, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

export function backoffStrategy(schedule: readonly number[]): BackoffStrategy {
  return (attemptsMade, type, err) => {
    if (type !== 'delivery-schedule') return -1;
    const retryAfter = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    return nextDelay(schedule, attemptsMade, typeof retryAfter === 'number' ? retryAfter : undefined);
  };
}
