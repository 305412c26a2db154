import { describe, expect, it } from 'vitest';
import { DELIVERY_RETRY_SCHEDULE_MS } from '@sigwatch/queue';
import { backoffStrategy, isLastAttempt, nextDelay, retryDelay } from './schedule.js';
import { parseRetryAfter } from './webhook.js';

describe('delivery retry schedule', () => {
  it('covers about three days in nine steps', () => {
    const total = DELIVERY_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(DELIVERY_RETRY_SCHEDULE_MS).toHaveLength(9);
    expect(total / 3_600_000).toBeGreaterThan(70);
    expect(total / 3_600_000).toBeLessThan(80);
  });

  it('jitters each step by at most 20 % and stops after the last', () => {
    const s = [1000, 2000];
    expect(retryDelay(s, 1, () => 0)).toBe(800);
    expect(retryDelay(s, 1, () => 1)).toBe(1200);
    expect(retryDelay(s, 2, () => 0.5)).toBe(2000);
    expect(retryDelay(s, 3)).toBe(-1);
    expect(backoffStrategy(s)(1, 'delivery-schedule')).toBeGreaterThanOrEqual(800);
    expect(backoffStrategy(s)(1, 'other')).toBe(-1);
  });

  it('knows which attempt is the last: after the schedule, or at the job attempt cap', () => {
    expect(isLastAttempt([1, 2, 3], 3, 21)).toBe(false);
    expect(isLastAttempt([1, 2, 3], 4, 21)).toBe(true);
    expect(isLastAttempt([1, 2, 3], 2, 2)).toBe(true);
  });

  it('honours a longer Retry-After (seconds or date), never a shorter one, at most a day', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(nextDelay([1000], 1, 120_000, () => 0.5)).toBe(120_000);
    expect(nextDelay([1000], 1, 10, () => 0.5)).toBe(1000);
    expect(nextDelay([1000], 1, 10 * 24 * 3_600_000, () => 0.5)).toBe(24 * 3_600_000);
    expect(nextDelay([1000], 2, 120_000)).toBe(-1);
    expect(backoffStrategy([1000])(1, 'delivery-schedule', Object.assign(new Error('x'), { retryAfterMs: 5000 }))).toBe(5000);
  });
});
