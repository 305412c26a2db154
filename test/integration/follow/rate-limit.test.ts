/**
 * A rate-limiting log (issue 5): 429s on 30% of requests on top of a 500 requests/minute budget. The
 * Rekor v1 follower (10 entries per request) still converges, and reaches at least 90% of the entry rate
 * the budget allows: (500 requests/min × 70% not refused) × 10 entries.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createDb } from '@sigwatch/db';
import { Producer, QueueName, createRedis } from '@sigwatch/queue';
import { startSimulator } from '../../sim/server.js';
import { loadLogList, loadTrustedRoot } from '../../../apps/worker/src/logs/log-list.js';
import { Follower } from '../../../apps/worker/src/follow/follower.js';
import { LogStateStore } from '../../../apps/worker/src/follow/log-state-store.js';
import { createSource } from '../../../apps/worker/src/follow/role.js';
import { InlinePublisher } from '../../../apps/worker/src/follow/publish.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from '../../harness/env.js';

const BUDGET_PER_MIN = 500;
const REFUSED = 0.3;
const ENTRIES = 5_000;

describe('follower under rate limits', () => {
  it('converges with 30% 429s and a 500 req/min budget at ≥ 90% of the budget entry rate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwatch-rate-'));
    const sim = await startSimulator({ dir, port: 0, seed: 5 });
    const db = createDb(testDatabaseUrl());
    const redis = createRedis(testRedisUrl(), 'producer');
    const producer = new Producer(QueueName.EntriesToMatch, redis, testRedisPrefix('rate'));
    try {
      const logs = await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath));
      const l = logs.find((x) => x.kind === 'rekor-v1');
      if (l === undefined) throw new Error('no rekor-v1 log');
      await db.log.deleteMany({ where: { id: l.id } });
      const store = new LogStateStore(db);
      await store.ensureLog(l);
      const follower = new Follower({ source: createSource(l), store, publisher: new InlinePublisher({ producer }), log: pino({ level: 'silent' }) });
      await sim.append('rekor-v1', { count: 3 });
      expect(await follower.poll()).toBe('started');
      const start = (await store.load(l.id)).position?.treeSize ?? 0n;
      await sim.append('rekor-v1', { count: ENTRIES });
      sim.setRateLimit(BUDGET_PER_MIN);
      sim.misbehave('rekor-v1', 'http-429', { fraction: REFUSED, retryAfter: 1 });

      const t0 = Date.now();
      let polls = 0;
      for (;;) {
        const outcome = await follower.poll();
        polls++;
        if (outcome === 'idle') break;
        expect(outcome).not.toBe('halted');
        if (Date.now() - t0 > 240_000) throw new Error('did not converge within 4 minutes');
      }
      const seconds = (Date.now() - t0) / 1000;
      const done = ((await store.load(l.id)).position?.treeSize ?? 0n) - start;
      expect(done).toBe(BigInt(ENTRIES));
      const budgetRate = (BUDGET_PER_MIN * (1 - REFUSED) * 10) / 60;
      const rate = ENTRIES / seconds;
      console.log(`rate-limited follower: ${ENTRIES} entries in ${seconds.toFixed(1)} s = ${rate.toFixed(1)} entries/s; budget allows ${budgetRate.toFixed(1)}/s; ${polls} polls`);
      expect(rate).toBeGreaterThanOrEqual(0.9 * budgetRate);
    } finally {
      sim.setRateLimit(null);
      await producer.queue.obliterate({ force: true }).catch(() => {});
      await producer.close();
      redis.disconnect();
      await db.$disconnect();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
