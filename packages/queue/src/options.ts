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

/** Backstop for `attempts`: 20 retries + the first try. */
export const MAX_DELIVERY_ATTEMPTS = 21;

export const jobOptions: Record<QueueName, JobsOptions> = {
  [QueueName.EntriesToMatch]: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 1_000 },
    // A follower repeats a step only right after a crash (its write-ahead makes the job ids equal), so an
    // hour of completed ids is enough for BullMQ to drop the repeat; the matcher's unique keys cover the
    // rest. Batches carry up to 500 events (~1 MB): keep few, Redis memory is the limit here.
    removeOnComplete: { age: 3600, count: 500 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  },
  [QueueName.Deliveries]: {
    // The deliver role's backoff strategy follows the configured schedule (DELIVERY_RETRY_SCHEDULE, default
    // the one above) and ends the retries when it runs out; `attempts` is only the backstop, large enough
    // for the longest schedule the config accepts (20 delays).
    attempts: MAX_DELIVERY_ATTEMPTS,
    backoff: { type: 'delivery-schedule' },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    // Failed jobs are not kept: the outcome and every attempt are in Postgres (Delivery, DeliveryAttempt),
    // and removing them lets "retry" re-add `delivery-<id>` (a kept job would make that add a no-op).
    removeOnFail: true,
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
