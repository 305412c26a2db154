/**
 * A @fastify/session store in Redis through ioredis (connect-redis targets node-redis). One key per
 * session, `${prefix}:sess:<id>`, JSON, with a TTL equal to the idle timeout: every save pushes it back,
 * an idle session simply expires, and destroy deletes it at once (logout is server-side).
 */
import type { Redis } from 'ioredis';
import type { Session } from 'fastify';

type Callback = (err?: unknown) => void;

export class RedisSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  key(sessionId: string): string {
    return `${this.prefix}:sess:${sessionId}`;
  }

  set(sessionId: string, session: Session, callback: Callback): void {
    this.redis.set(this.key(sessionId), JSON.stringify(session), 'EX', this.ttlSeconds).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    this.redis.get(this.key(sessionId)).then(
      (raw) => {
        if (raw === null) return callback(null, null);
        try {
          callback(null, JSON.parse(raw) as Session);
        } catch {
          callback(null, null); // a corrupt record is no session
        }
      },
      (err: unknown) => callback(err),
    );
  }

  destroy(sessionId: string, callback: Callback): void {
    this.redis.del(this.key(sessionId)).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }
}
