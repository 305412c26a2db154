/**
 * At most N webhook requests in flight per endpoint, across every worker process (a Redis semaphore), so a
 * slow or dead endpoint holds at most N of the delivery slots and never delays anyone else's alerts.
 *
 * The semaphore is a sorted set per endpoint: member = lease id, score = lease expiry (ms). Acquire drops
 * expired leases, then adds one if fewer than N remain, atomically (Lua). A lease outlives the longest
 * attempt (15 s) with margin, so a worker killed mid-request frees its slot when the lease expires.
 * A job that finds the endpoint busy is put back as delayed (BullMQ DelayedError), which is not an attempt.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

export interface EndpointLimiter {
  /**
   * A lease id when a slot was free, else undefined. When busy, up to `maxWaiters` jobs per endpoint in this
   * process keep polling for up to `waitMs`, so a burst to a fast endpoint flows at its in-flight cap instead
   * of bouncing through the delayed set; the rest return at once (and are delayed by the caller), so a slow
   * endpoint holds at most maxInFlight + maxWaiters of a process's slots.
   */
  acquire(endpointId: string): Promise<string | undefined>;
  release(endpointId: string, lease: string): Promise<void>;
}

export interface LimiterOptions {
  leaseMs?: number;
  waitMs?: number;
  maxWaiters?: number;
  pollMs?: number;
}

export function createEndpointLimiter(redis: Redis, prefix: string, maxInFlight: number, options: LimiterOptions = {}): EndpointLimiter {
  const { leaseMs = 60_000, waitMs = 2_000, maxWaiters = 2, pollMs = 50 } = options;
  const key = (endpointId: string): string => `${prefix}:deliver:inflight:${endpointId}`;
  const waiters = new Map<string, number>();
  // Local releases wake local waiters at once; releases in other processes are seen by the poll.
  const wakers = new Map<string, Set<() => void>>();
  const nap = (endpointId: string): Promise<void> =>
    new Promise((resolve) => {
      const set = wakers.get(endpointId) ?? new Set<() => void>();
      wakers.set(endpointId, set);
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) wakers.delete(endpointId);
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      set.add(done);
    });
  const tryOnce = async (endpointId: string): Promise<string | undefined> => {
    const now = Date.now();
    const lease = randomUUID();
    const ok = await redis.eval(ACQUIRE, 1, key(endpointId), now, now + leaseMs, lease, maxInFlight, leaseMs * 2);
    return ok === 1 ? lease : undefined;
  };
  return {
    async acquire(endpointId) {
      const first = await tryOnce(endpointId);
      const waiting = waiters.get(endpointId) ?? 0;
      if (first !== undefined || waiting >= maxWaiters) return first;
      waiters.set(endpointId, waiting + 1);
      try {
        for (const until = Date.now() + waitMs; Date.now() < until; ) {
          await nap(endpointId);
          const lease = await tryOnce(endpointId);
          if (lease !== undefined) return lease;
        }
        return undefined;
      } finally {
        const left = (waiters.get(endpointId) ?? 1) - 1;
        if (left <= 0) waiters.delete(endpointId);
        else waiters.set(endpointId, left);
      }
    },
    async release(endpointId, lease) {
      await redis.zrem(key(endpointId), lease);
      for (const wake of [...(wakers.get(endpointId) ?? [])]) wake();
    },
  };
}
