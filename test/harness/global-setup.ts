/**
 * Vitest global setup for the integration and browser projects: one throwaway PostgreSQL database per
 * run, migrated with `prisma migrate deploy`, and a run id that prefixes every Redis key the run makes.
 * Teardown drops the database and deletes the run's Redis keys.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { repoRoot } from './paths.js';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    runId: string;
  }
}

const baseUrl = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/sigwatch';
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `swt${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const dbName = `sigwatch_test_${runId}`;
  const admin = new pg.Client({ connectionString: withDatabase(baseUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const databaseUrl = withDatabase(baseUrl, dbName);
  await run('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: databaseUrl } });
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('runId', runId);

  return async () => {
    const drop = new pg.Client({ connectionString: withDatabase(baseUrl, 'postgres') });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await drop.end();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${runId}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  };
}
