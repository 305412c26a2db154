/**
 * Prisma CLI configuration (Prisma 6.19.3; see ../shared/research/stack-notes.md "Prisma: the one hard problem").
 *
 * This machine reaches only the npm registry, and Prisma's native schema-engine binary is downloaded from
 * elsewhere, so the CLI runs the WASM schema engine shipped inside npm (`engine: 'js'`) over the pg driver
 * adapter. Three upstream bugs are worked around here, for the CLI process only (the application's client
 * in packages/db uses the plain adapter):
 */
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// `env("DATABASE_URL")` would throw when unset, even for `prisma generate`: read process.env with a fallback.
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/sigwatch';

// Workaround 1 (upstream prisma issue 27403): adapter-pg rejects some built-in pg_catalog column types
// (`name`, `char`, `regclass`, …) that the engine's introspection queries read. Relabel those type OIDs as
// text in the CLI's pg client so introspection and `migrate diff` work.
const TEXT_OID = 25;
const UNSUPPORTED_BUILTIN_OIDS = new Set([18, 19, 22, 24, 28, 29, 30, 194, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096]);
function relabel(res: pg.QueryResult | undefined): void {
  for (const field of res?.fields ?? []) {
    if (UNSUPPORTED_BUILTIN_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
  }
}
class RelabellingClient extends pg.Client {
  // pg's overloads are too wide to restate. pg.Pool#query calls the callback form, the adapter's
  // transactions the promise form: relabel both.
  override query(...args: unknown[]): any {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (err: unknown, res: pg.QueryResult) => {
        relabel(res);
        (callback as (e: unknown, r: unknown) => void)(err, res);
      };
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.then((res: pg.QueryResult) => {
        relabel(res);
        return res;
      });
    }
    return result;
  }
}

// Workaround 2: the adapter builds the shadow database pool from `connectionString`, which overrides the
// shadow database's name. Give the pool discrete host/port/user/password/database fields instead.
function poolConfig(url: string, database?: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname),
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    database: database ?? decodeURIComponent(u.pathname.replace(/^\//, '')),
    Client: RelabellingClient,
  };
}

// Workaround 3: the adapter drops the shadow database before closing its pool ("database is being accessed
// by other users"). Close the pool first, then drop it WITH (FORCE).
function migrationAdapter() {
  const main = new PrismaPg(new pg.Pool(poolConfig(databaseUrl)));
  return {
    provider: 'postgres' as const,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    async connectToShadowDb() {
      const name = `prisma_shadow_${crypto.randomUUID().replaceAll('-', '')}`;
      const admin = new pg.Client(poolConfig(databaseUrl, 'postgres'));
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const pool = new pg.Pool(poolConfig(databaseUrl, name));
      const adapter = await new PrismaPg(pool).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await pool.end();
        const dropper = new pg.Client(poolConfig(databaseUrl, 'postgres'));
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await dropper.end();
      };
      return adapter;
    },
  };
}

export default defineConfig({
  experimental: { adapter: true },
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  engine: 'js',
  adapter: async () => migrationAdapter(),
});
