/**
 * ioredis connections for BullMQ (stack-notes: workers need `maxRetriesPerRequest: null`; Redis must run
 * with `maxmemory-policy noeviction`).
 */
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'producer' | 'client';

export function createRedis(url: string, role: RedisRole = 'client', extra: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    // Blocking worker connections must retry forever; producers and plain clients fail fast so an
    // HTTP request or a health probe never hangs on a dead Redis.
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    connectTimeout: 5_000,
    lazyConnect: false,
    ...extra,
  };
  // ioredis' option types predate exactOptionalPropertyTypes.
  return new Redis(url, options as never);
}
