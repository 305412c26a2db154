/**
 * Readiness for both apps' /readyz: PostgreSQL answers, every migration is applied, Redis answers.
 * Each probe is bounded so a dead dependency makes /readyz say 503 quickly instead of hanging.
 */
import type { PrismaClient } from './generated/client.js';
import { pendingMigrations } from './migrations.js';

const PROBE_TIMEOUT_MS = 2_000;

export interface ReadinessCheck {
  ok: boolean;
  error?: string;
}

function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const asCheck = (p: Promise<ReadinessCheck>): Promise<ReadinessCheck> =>
  p.catch((e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }));

export async function checkReadiness(deps: {
  db: PrismaClient;
  redis: { ping(): Promise<string> };
}): Promise<{ ready: boolean; checks: Record<'database' | 'migrations' | 'redis', ReadinessCheck> }> {
  const [database, migrations, redis] = await Promise.all([
    asCheck(bounded(deps.db.$queryRawUnsafe('SELECT 1'), 'PostgreSQL').then(() => ({ ok: true }))),
    asCheck(
      bounded(pendingMigrations(deps.db), 'PostgreSQL').then((pending) =>
        pending.length === 0 ? { ok: true } : { ok: false, error: `pending migrations: ${pending.join(', ')}` },
      ),
    ),
    asCheck(bounded(deps.redis.ping(), 'Redis').then(() => ({ ok: true }))),
  ]);
  return { ready: database.ok && migrations.ok && redis.ok, checks: { database, migrations, redis } };
}
