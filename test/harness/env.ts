/** Per-file test resources: the run's database, and a Redis key prefix unique to the calling file. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A fresh prefix under the run id, so teardown removes every key this run made. */
export function testRedisPrefix(label = 't'): string {
  return `${inject('runId')}-${label}-${randomBytes(4).toString('hex')}`;
}

/** A complete environment for loadConfig() of either app, pointing at the test services. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix('env'),
    SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    PUBLIC_URL: 'http://localhost:8080',
    LOG_LEVEL: 'silent',
    // No test reaches the internet; the TUF path is tested against a local repository (tuf-trusted-root.test.ts).
    SIGWATCH_TUF_MIRROR: 'off',
    ...overrides,
  };
}
