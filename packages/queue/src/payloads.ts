/**
 * The zod payload of each queue, imported by producer and consumer alike. Consumers parse every job's
 * data with these schemas before use: queue contents are input like any other.
 */
import { z } from 'zod';
import { SigningEventSchema } from '@sigwatch/rules';
import { QueueName } from './names.js';

const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/);

export const EntriesToMatchPayload = z.object({
  log: z.object({ id: z.string().min(1), origin: z.string().min(1) }),
  /** Half-open range [from, to) of tree indexes this batch covers (all verified against a signed root). */
  from: decimal,
  to: decimal,
  events: z.array(SigningEventSchema),
});
export type EntriesToMatchPayload = z.infer<typeof EntriesToMatchPayload>;

export const DeliveryPayload = z.object({ deliveryId: z.uuid() });
export type DeliveryPayload = z.infer<typeof DeliveryPayload>;

export const Payloads = {
  [QueueName.EntriesToMatch]: EntriesToMatchPayload,
  [QueueName.Deliveries]: DeliveryPayload,
} as const;
export type PayloadOf<Q extends QueueName> = z.infer<(typeof Payloads)[Q]>;
