// Creates the database named in DATABASE_URL when it does not exist; with --pending prints how many
// migrations in prisma/migrations are not yet applied. Used by scripts/bootstrap.mjs after pnpm install.
import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(resolve(root, 'packages', 'db', 'package.json'));
const pg = require('pg');
const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/sigwatch');
const name = decodeURIComponent(url.pathname.replace(/^\//, ''));

if (process.argv.includes('--pending')) {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  let applied = new Set();
  try {
    const r = await client.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    applied = new Set(r.rows.map((x) => x.migration_name));
  } catch {
    // no migrations table yet: everything is pending
  }
  await client.end();
  const onDisk = readdirSync(resolve(root, 'prisma', 'migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  console.log(onDisk.filter((m) => !applied.has(m)).length);
} else {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  await client.end();
}
