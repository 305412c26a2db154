/**
 * Crash safety of the follower (issue 5): a real worker process (`apps/worker/src/main.ts`, role follow) is
 * killed with SIGKILL at 20 random moments while the simulator grows its three logs by 50,000 entries.
 * After the last restart the enqueued (log, index) pairs have no gap and no duplicate, and each verified
 * position equals its log's size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '@sigwatch/db';
import { Producer, QueueName, createRedis, EntriesToMatchPayload } from '@sigwatch/queue';
import { startSimulator } from '../../sim/server.js';
import { loadLogList, loadTrustedRoot } from '../../../apps/worker/src/logs/log-list.js';
import { createSource } from '../../../apps/worker/src/follow/role.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from '../../harness/env.js';
import { repoRoot } from '../../harness/paths.js';

const KILLS = 20;
const GROWTH = { 'rekor-v2': 38_000, ct: 10_000, 'rekor-v1': 2_000 } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

describe('follower under kill -9', () => {
  it('enqueues every verified entry exactly once across 20 crashes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwatch-crash-'));
    const sim = await startSimulator({ dir, port: 0, seed: 11 });
    const db = createDb(testDatabaseUrl());
    const redis = createRedis(testRedisUrl(), 'producer');
    const prefix = testRedisPrefix('crash');
    const queue = new Producer(QueueName.EntriesToMatch, redis, prefix).queue;
    const logs = await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath));
    await db.log.deleteMany({ where: { id: { in: logs.map((l) => l.id) } } });
    const env = {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: prefix,
      SIGWATCH_LOGS: sim.logsJsonPath,
      SIGWATCH_TRUSTED_ROOT: sim.trustedRootPath,
      WORKER_ROLES: 'follow',
      WORKER_PORT: '0',
      POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: 'x'.repeat(40),
    };
    const startWorker = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, 'apps/worker/src/main.ts')], { cwd: repoRoot, env, stdio: 'ignore' });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    };
    const positions = async () => {
      const rows = await db.logPosition.findMany({ where: { logId: { in: logs.map((l) => l.id) } } });
      return new Map(rows.map((r) => [r.logId, r.treeSize]));
    };
    try {
      for (const kind of ['rekor-v1', 'rekor-v2', 'ct'] as const) await sim.append(kind, { count: 5 });
      // First start: each log is followed from its head.
      let worker = startWorker();
      for (let i = 0; (await positions()).size < logs.length; i++) {
        if (i > 600) throw new Error('worker did not start following within 60 s');
        await sleep(100);
      }
      const start = await positions();

      // Grow the logs in the background while the worker is killed and restarted.
      let growing = true;
      const growth = (async () => {
        const left: Record<string, number> = { ...GROWTH };
        while (Object.values(left).some((n) => n > 0)) {
          for (const kind of ['rekor-v2', 'ct', 'rekor-v1'] as const) {
            const n = Math.min(left[kind] ?? 0, kind === 'rekor-v2' ? 2_000 : 250);
            if (n <= 0) continue;
            const added = await sim.append(kind, { count: kind === 'ct' ? Math.ceil(n / 2) : n });
            left[kind] = (left[kind] ?? 0) - added.length;
          }
          await sleep(50);
        }
        growing = false;
      })();

      for (let k = 0; k < KILLS; k++) {
        await sleep(800 + Math.random() * 2_500);
        worker.kill('SIGKILL');
        await new Promise((r) => worker.once('exit', r));
        worker = startWorker();
      }
      await growth;
      expect(growing).toBe(false);

      // Converge: every verified position reaches its log's size.
      const sizes = new Map<string, bigint>();
      for (const l of logs) sizes.set(l.id, (await createSource(l).fetchHead()).size);
      for (let i = 0; ; i++) {
        const now = await positions();
        if (logs.every((l) => now.get(l.id) === sizes.get(l.id))) break;
        if (i > 1_200) throw new Error(`positions ${JSON.stringify([...now].map(([k, v]) => [k, String(v)]))} did not reach ${JSON.stringify([...sizes].map(([k, v]) => [k, String(v)]))}`);
        await sleep(100);
      }
      worker.kill('SIGTERM');

      const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized'], 0, -1);
      const seen = new Map<string, Set<bigint>>();
      let duplicates = 0;
      for (const job of jobs) {
        const p = EntriesToMatchPayload.parse(job.data);
        const set = seen.get(p.log.id) ?? new Set<bigint>();
        seen.set(p.log.id, set);
        for (const e of p.events) {
          const i = BigInt(e.index);
          if (set.has(i)) duplicates++;
          set.add(i);
        }
      }
      expect(duplicates).toBe(0);
      let total = 0;
      for (const l of logs) {
        const from = start.get(l.id) as bigint;
        const to = sizes.get(l.id) as bigint;
        const got = seen.get(l.id) ?? new Set<bigint>();
        const missing: bigint[] = [];
        for (let i = from; i < to; i++) if (!got.has(i)) missing.push(i);
        expect(missing.slice(0, 10), `${l.kind}: gaps`).toEqual([]);
        expect(got.size).toBe(Number(to - from));
        total += got.size;
      }
      expect(total).toBeGreaterThanOrEqual(50_000);
      const malformed = await db.malformedEntry.count({ where: { logId: { in: logs.map((l) => l.id) } } });
      expect(malformed).toBe(0);
    } finally {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      redis.disconnect();
      await db.$disconnect();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
