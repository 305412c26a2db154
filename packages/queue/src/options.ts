/**
 * Job options per queue and the job ids that make re-adds no-ops. BullMQ rejects custom ids that are
 * plain integers or contain ':'.
 */
import type { JobsOptions } from 'bullmq';
import { QueueName } from './names.js';

/** Delays between webhook/e-mail delivery attempts: about three days in all (scale-and-safety §2.8). */
export const DELIVERY_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 14 * 3_600_000,
  20 * 3_600_000, 24 * 3_600_000,
];

export const jobOptions: Record<QueueName, JobsOptions> = {
  [QueueName.EntriesToMatch]: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 1_000 },
    // Keep completed ids for a day so a follower that repeats a batch after a crash is deduplicated.
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  [QueueName.Deliveries]: {
    attempts: DELIVERY_RETRY_SCHEDULE_MS.length + 1,
    backoff: { type: 'delivery-schedule' },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  },
};

/** `match-<logId>-<from>-<to>`: the same verified range always gets the same job id. */
export function entriesJobId(logId: string, from: bigint | string, to: bigint | string): string {
  return `match-${sanitize(logId)}-${from}-${to}`;
}

export function deliveryJobId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

function sanitize(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
