/**
 * `pnpm bench:ingest`: entries/s through the follower's whole path — fetch from the simulator over HTTP,
 * verify (hash into the compact range, root = signed root), parse into SigningEvents, enqueue to BullMQ,
 * persist the position — for each log kind; and the ceiling: hashing + parsing alone on the same leaves.
 * Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, defaults as in .env.example).
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import pg from 'pg';
import { execFileSync } from 'node:child_process';
import { hashLeaf } from '@sigwatch/tlog';
import { createDb } from '@sigwatch/db';
import { Producer, QueueName, createRedis } from '@sigwatch/queue';
import { startSimulator } from '../test/sim/server.js';
import { loadLogList, loadTrustedRoot } from '../apps/worker/src/logs/log-list.js';
import { Follower } from '../apps/worker/src/follow/follower.js';
import { LogStateStore } from '../apps/worker/src/follow/log-state-store.js';
import { createSource, leafParser } from '../apps/worker/src/follow/role.js';

const N: Record<string, number> = { 'rekor-v1': Number(process.env['BENCH_V1'] ?? 5_000), 'rekor-v2': Number(process.env['BENCH_V2'] ?? 50_000), ct: Number(process.env['BENCH_CT'] ?? 20_000) };
const base = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/sigwatch';
const dbName = `sigwatch_bench_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: base.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  execFileSync('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: dbUrl }, stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'sigwatch-bench-ingest-'));
  const sim = await startSimulator({ dir, port: 0, seed: 1, maxGetEntries: 1000 });
  const db = createDb(dbUrl);
  const redis = createRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', 'producer');
  const prefix = `bench-ingest-${randomBytes(3).toString('hex')}`;
  const producer = new Producer(QueueName.EntriesToMatch, redis, prefix);
  const logs = await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath));
  const store = new LogStateStore(db);
  console.log('log kind   entries   end-to-end entries/s   hash+parse ceiling entries/s');
  try {
    for (const l of logs) {
      await sim.append(l.kind, { count: 1 });
      await store.ensureLog(l);
      const source = createSource(l);
      const parse = leafParser(l);
      const follower = new Follower({ source, store, producer, parse, log: pino({ level: 'silent' }) });
      if ((await follower.poll()) !== 'started') throw new Error(`${l.kind}: could not start`);
      const before = (await store.load(l.id)).position?.treeSize ?? 0n;
      const t0 = Date.now();
      let appended = 0;
      while (appended < (N[l.kind] ?? 1000)) appended += (await sim.append(l.kind, { count: Math.min(5_000, (N[l.kind] ?? 1000) - appended) })).length;
      const appendMs = Date.now() - t0;
      const t1 = performance.now();
      let outcome = await follower.poll();
      while (outcome === 'advanced') outcome = await follower.poll();
      const seconds = (performance.now() - t1) / 1000;
      const after = (await store.load(l.id)).position?.treeSize ?? 0n;
      const n = Number(after - before);
      // Ceiling: the same leaves, already in memory, hashed and parsed only.
      const leaves = await source.fetchLeaves(before, after, { offset: 0n });
      const t2 = performance.now();
      leaves.forEach((leaf, i) => {
        hashLeaf(leaf.leaf);
        parse({ index: before + BigInt(i), globalIndex: before + BigInt(i), leaf });
      });
      const ceiling = n / ((performance.now() - t2) / 1000);
      console.log(`${l.kind.padEnd(10)} ${String(n).padStart(7)}   ${(n / seconds).toFixed(0).padStart(20)}   ${ceiling.toFixed(0).padStart(28)}   (append took ${appendMs} ms, last poll: ${outcome})`);
    }
  } finally {
    await producer.queue.obliterate({ force: true }).catch(() => {});
    await producer.close();
    redis.disconnect();
    await db.$disconnect();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
