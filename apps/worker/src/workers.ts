/**
 * The one place BullMQ Workers are created, observed and closed (langfuse WorkerManager). Every worker
 * gets the same logging of failures and the same metrics; `closeAll` lets running jobs finish (drain) and
 * then closes, which is what SIGTERM does.
 */
import { Worker, type Processor, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, Histogram } from 'prom-client';
import type { QueueName } from '@sigwatch/queue';
import { registry } from './metrics.js';

const jobsDone = new Counter({
  name: 'sigwatch_worker_jobs_total',
  help: 'Jobs processed, by queue and outcome',
  labelNames: ['queue', 'outcome'] as const,
  registers: [registry],
});
const jobSeconds = new Histogram({
  name: 'sigwatch_worker_job_seconds',
  help: 'Job processing time, by queue',
  labelNames: ['queue'] as const,
  buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
  registers: [registry],
});

export class WorkerRegistry {
  private readonly workers = new Map<QueueName, Worker>();
  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  register<T>(queue: QueueName, processor: Processor<T>, options: Partial<WorkerOptions> = {}): Worker<T> {
    if (this.workers.has(queue)) throw new Error(`a worker for queue ${queue} is already registered`);
    const timed: Processor<T> = async (job, token, signal) => {
      const end = jobSeconds.startTimer({ queue });
      try {
        return await processor(job, token, signal);
      } finally {
        end();
      }
    };
    const worker = new Worker<T>(queue, timed, {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: 1,
      ...options,
    });
    worker.on('completed', () => jobsDone.inc({ queue, outcome: 'completed' }));
    worker.on('failed', (job, err) => {
      jobsDone.inc({ queue, outcome: 'failed' });
      this.log.warn({ queue, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed');
    });
    worker.on('error', (err) => this.log.error({ queue, err: err.message }, 'worker error'));
    this.workers.set(queue, worker as Worker);
    return worker;
  }

  get size(): number {
    return this.workers.size;
  }

  /** Stop taking new jobs, let running ones finish, close connections. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    this.workers.clear();
  }
}
