/**
 * The per-address cap on alert mail (scale-and-safety §2.8: digest bursts rather than one mail per entry):
 * at most `cap` alert mails per address per clock hour; beyond it alerts are marked `digested` and go out in
 * the next digest. A Redis counter per (address, hour), expiring after two hours. Incident mail, digests and
 * account notices are not counted.
 */
import type { Redis } from 'ioredis';

export interface MailCap {
  /** Count one alert for the address; true when it is still within the cap. */
  take(emailAddressId: string, now?: Date): Promise<boolean>;
}

export function createMailCap(redis: Redis, prefix: string, cap: number): MailCap {
  return {
    async take(emailAddressId, now = new Date()) {
      const hour = Math.floor(now.getTime() / 3_600_000);
      const key = `${prefix}:deliver:mailcap:${emailAddressId}:${hour}`;
      const [[, count] = [null, 0]] = (await redis.multi().incr(key).expire(key, 7200).exec()) ?? [];
      return Number(count) <= cap;
    },
  };
}
