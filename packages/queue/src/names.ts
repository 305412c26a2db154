/** Every BullMQ queue, by the work it carries (STYLE.md: queue names are nouns for the work). */
export const QueueName = {
  /** Batches of verified, parsed SigningEvents from one log range → the matcher. */
  EntriesToMatch: 'entries-to-match',
  /** One job per Delivery row (job id = `delivery-<id>`) → e-mail or webhook sender. */
  Deliveries: 'deliveries',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
