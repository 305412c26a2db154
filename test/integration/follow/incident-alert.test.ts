/** A halted log alerts the webhook endpoints that opted in to incidents, once per incident. */
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
import { alertIncident } from '../../../apps/worker/src/follow/incident-alerts.js';
import { createSource } from '../../../apps/worker/src/follow/role.js';
import { InlinePublisher } from '../../../apps/worker/src/follow/publish.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from '../../harness/env.js';

describe('incident alerts', () => {
  it('a fork creates one log.incident delivery per opted-in endpoint, and a repeat poll adds none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwatch-incident-'));
    const sim = await startSimulator({ dir, port: 0, seed: 61 });
    const db = createDb(testDatabaseUrl());
    const redis = createRedis(testRedisUrl(), 'producer');
    const prefix = testRedisPrefix('incident');
    const entries = new Producer(QueueName.EntriesToMatch, redis, prefix);
    const deliveries = new Producer(QueueName.Deliveries, redis, prefix);
    try {
      const user = await db.user.create({ data: { email: `incident-${prefix}@example.test`, verifiedAt: new Date() } });
      const optedIn = await db.webhookEndpoint.create({ data: { userId: user.id, url: 'https://hooks.example.test/in', secret: 'whsec_dGVzdA==', includeIncidents: true } });
      await db.webhookEndpoint.create({ data: { userId: user.id, url: 'https://hooks.example.test/out', secret: 'whsec_dGVzdA==' } });
      const l = (await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath))).find((x) => x.kind === 'rekor-v2');
      if (l === undefined) throw new Error('no rekor-v2 log');
      const store = new LogStateStore(db);
      await store.ensureLog(l);
      const follower = new Follower({
        source: createSource(l),
        store,
        publisher: new InlinePublisher({ producer: entries }),
        log: pino({ level: 'silent' }),
        onIncident: async (id) => {
          await alertIncident(db, deliveries, id);
        },
      });
      await sim.append('rekor-v2', { count: 3 });
      expect(await follower.poll()).toBe('started');
      sim.misbehave('rekor-v2', 'same-size-other-root');
      expect(await follower.poll()).toBe('halted');
      expect(await follower.poll()).toBe('halted');
      const incident = await db.incident.findFirstOrThrow({ where: { logId: l.id, resolvedAt: null } });
      const rows = await db.delivery.findMany({ where: { incidentId: incident.id } });
      expect(rows.map((r) => ({ kind: r.kind, endpoint: r.webhookEndpointId }))).toEqual([{ kind: 'incident', endpoint: optedIn.id }]);
      const job = await deliveries.queue.getJob(`delivery-${rows[0]?.id}`);
      expect(job?.data).toEqual({ deliveryId: rows[0]?.id });
    } finally {
      await entries.queue.obliterate({ force: true }).catch(() => {});
      await deliveries.queue.obliterate({ force: true }).catch(() => {});
      await entries.close();
      await deliveries.close();
      redis.disconnect();
      await db.$disconnect();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
