/** Typed producers: one Queue per name, with the job options and payload validation of this package. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from './names.js';
import { jobOptions } from './options.js';
import { Payloads, type PayloadOf } from './payloads.js';

export class Producer<Q extends QueueName> {
  readonly queue: Queue;
  constructor(readonly name: Q, connection: Redis, prefix: string) {
    this.queue = new Queue(name, { connection, prefix, defaultJobOptions: jobOptions[name] });
  }

  /** Validate and add one job; a job with the same id that still exists makes this a no-op. */
  async add(jobId: string, data: PayloadOf<Q>, opts: { delay?: number } = {}): Promise<void> {
    const payload = Payloads[this.name].parse(data);
    await this.queue.add(this.name, payload, { ...jobOptions[this.name], ...opts, jobId });
  }

  /**
   * Add many jobs. `validated: true` skips re-parsing payloads that a producer built from already validated,
   * typed values (the follower's parser output: ~1/3 of its enqueue time); consumers validate every job anyway.
   */
  async addBulk(jobs: { jobId: string; data: PayloadOf<Q> }[], opts: { validated?: boolean } = {}): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((j) => ({
        name: this.name,
        data: opts.validated === true ? j.data : Payloads[this.name].parse(j.data),
        opts: { ...jobOptions[this.name], jobId: j.jobId },
      })),
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface Producers {
  entries: Producer<typeof QueueName.EntriesToMatch>;
  deliveries: Producer<typeof QueueName.Deliveries>;
  close(): Promise<void>;
}

export function createProducers(connection: Redis, prefix: string): Producers {
  const entries = new Producer(QueueName.EntriesToMatch, connection, prefix);
  const deliveries = new Producer(QueueName.Deliveries, connection, prefix);
  return {
    entries,
    deliveries,
    close: async () => {
      await Promise.all([entries.close(), deliveries.close()]);
    },
  };
}
