/**
 * Fixed-window rate limits in Redis (INCR + EXPIRE NX in one MULTI), shared by every API process.
 * Keys hash the subject (an address, a token id), so no personal data sits in key names.
 */
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { sha256Hex } from './secrets.js';

export interface Limit {
  readonly max: number;
  readonly windowSeconds: number;
}

/** Per IP and per address (scale-and-safety §2.8, gopherwatch's meta-mail limits). */
export const LIMITS = {
  'signup:ip': { max: 10, windowSeconds: 3600 },
  'signup:address': { max: 3, windowSeconds: 3600 },
  'login:ip': { max: 30, windowSeconds: 900 },
  'login:address': { max: 10, windowSeconds: 900 },
  'link:ip': { max: 10, windowSeconds: 3600 },
  'link:address': { max: 3, windowSeconds: 900 },
  'reset:ip': { max: 10, windowSeconds: 3600 },
  'reset:address': { max: 3, windowSeconds: 3600 },
  'address:user': { max: 10, windowSeconds: 3600 },
  'api:token': { max: 600, windowSeconds: 60 },
} as const satisfies Record<string, Limit>;
export type LimitName = keyof typeof LIMITS;

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: Record<LimitName, Limit> = LIMITS,
  ) {}

  /** Count one hit; throws RATE_LIMITED (429, with Retry-After) once the window's budget is spent. */
  async hit(name: LimitName, subject: string): Promise<void> {
    const limit = this.limits[name];
    const key = `${this.prefix}:rl:${name}:${sha256Hex(subject.toLowerCase()).slice(0, 32)}`;
    const res = await this.redis.multi().incr(key).expire(key, limit.windowSeconds, 'NX').ttl(key).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    const ttl = Number(res?.[2]?.[1] ?? limit.windowSeconds);
    if (count > limit.max) {
      throw new AppError('RATE_LIMITED', 'Too many requests; please wait a little and try again.', {
        retryAfter: ttl > 0 ? ttl : limit.windowSeconds,
      });
    }
  }
}
