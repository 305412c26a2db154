/**
 * The one place the API tells the matcher that rules changed: bump `${prefix}:rules:version` and publish
 * the subscription id on `${prefix}:rules:changed`; the matcher reloads from that.
 */
import type { Redis } from 'ioredis';

export async function publishRuleChange(redis: Redis, prefix: string, subscriptionId: string): Promise<void> {
  await redis.multi().incr(`${prefix}:rules:version`).publish(`${prefix}:rules:changed`, subscriptionId).exec();
}
