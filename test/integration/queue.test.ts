/** A job goes through a real Redis from the typed producer to a registered worker, validated both ways. */
import { describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { QueueName, createProducers, createRedis, entriesJobId, type EntriesToMatchPayload } from '@sigwatch/queue';
import { WorkerRegistry } from '../../apps/worker/src/workers.js';
import { testRedisPrefix, testRedisUrl } from '../harness/env.js';

const event = {
  log: { origin: 'sim.local/rekor-v1', kind: 'rekor-v1' as const },
  index: '7',
  globalIndex: '7',
  leafHash: 'ab'.repeat(32),
  kind: 'hashedrekord',
  apiVersion: '0.0.1',
  digests: [{ algorithm: 'sha256', value: 'cd'.repeat(32) }],
};

describe('queues on real Redis', () => {
  it('round-trips an entries batch exactly once, even when the same job id is added twice', async () => {
    const prefix = testRedisPrefix('queue');
    const producerConn = createRedis(testRedisUrl(), 'producer');
    const workerConn = createRedis(testRedisUrl(), 'worker');
    const producers = createProducers(producerConn, prefix);
    const registry = new WorkerRegistry(workerConn, prefix, pino({ level: 'silent' }));
    const received: EntriesToMatchPayload[] = [];
    try {
      const done = new Promise<void>((resolve) => {
        registry.register(QueueName.EntriesToMatch, async (job: Job<EntriesToMatchPayload>) => {
          received.push(job.data);
          resolve();
        });
      });
      const payload = { log: { id: 'sim-v1', origin: event.log.origin }, from: '7', to: '8', events: [event] };
      const jobId = entriesJobId('sim-v1', 7n, 8n);
      await producers.entries.add(jobId, payload);
      await producers.entries.add(jobId, payload);
      await done;
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toEqual([payload]);
      const counts = await producers.entries.queue.getJobCounts('completed', 'waiting', 'active', 'failed');
      expect(counts).toMatchObject({ completed: 1, waiting: 0, active: 0, failed: 0 });
    } finally {
      await registry.closeAll();
      await producers.close();
      producerConn.disconnect();
      workerConn.disconnect();
    }
  });

  it('refuses a payload that does not match the queue schema, before it reaches Redis', async () => {
    const conn = createRedis(testRedisUrl(), 'producer');
    const producers = createProducers(conn, testRedisPrefix('queue'));
    try {
      await expect(
        producers.entries.add('match-x-1-2', { log: { id: 'x', origin: 'o' }, from: '-1', to: '2', events: [] }),
      ).rejects.toMatchObject({ name: 'ZodError' });
      await expect(producers.deliveries.add('delivery-x', { deliveryId: 'not-a-uuid' })).rejects.toMatchObject({ name: 'ZodError' });
    } finally {
      await producers.close();
      conn.disconnect();
    }
  });
});
