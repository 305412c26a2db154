/**
 * Migration state, for /readyz: every migration directory in prisma/migrations must be recorded as
 * finished in `_prisma_migrations`.
 */
import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from './generated/client.js';

export const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'prisma', 'migrations');

export function expectedMigrations(dir = migrationsDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Names of migrations present on disk but not applied (empty when the schema is current). */
export async function pendingMigrations(db: PrismaClient, dir = migrationsDir): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  ).catch((e: unknown) => {
    // No migrations table yet means nothing is applied; any other failure is the caller's to report.
    if (e instanceof Error && /_prisma_migrations/.test(e.message) && /exist/.test(e.message)) return [];
    throw e;
  });
  const applied = new Set(rows.map((r) => r.migration_name));
  return expectedMigrations(dir).filter((m) => !applied.has(m));
}
