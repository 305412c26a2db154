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
  /** A lease id when a slot was free, else undefined. */
  acquire(endpointId: string): Promise<string | undefined>;
  release(endpointId: string, lease: string): Promise<void>;
}

export function createEndpointLimiter(redis: Redis, prefix: string, maxInFlight: number, leaseMs = 60_000): EndpointLimiter {
  const key = (endpointId: string): string => `${prefix}:deliver:inflight:${endpointId}`;
  return {
    async acquire(endpointId) {
      const now = Date.now();
      const lease = randomUUID();
      const ok = await redis.eval(ACQUIRE, 1, key(endpointId), now, now + leaseMs, lease, maxInFlight, leaseMs * 2);
      return ok === 1 ? lease : undefined;
    },
    async release(endpointId, lease) {
      await redis.zrem(key(endpointId), lease);
    },
  };
}
