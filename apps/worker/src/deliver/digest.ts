/**
 * Digests: the deliveries marked `digested` (over the hourly cap, or of hourly/daily digest subscriptions)
 * go out as one mail per (address, interval) once the oldest of them has waited the interval: one hour for
 * the cap and hourly subscriptions, a day for daily ones. Each delivery in a digest ends `sent` with an
 * attempt saying which digest carried it.
 *
 * Runs on a timer in every deliver process; a Redis lock lets one sweep run at a time. A crash between
 * sending and recording sends that digest again on the next sweep (at least once, like everything here).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '@sigwatch/db';
import { SigningEventSchema } from '@sigwatch/rules';
import { alertView } from './alert-view.js';
import type { Mailer } from './email.js';
import { renderDigest, type DigestItem } from './email-templates.js';
import { DeliveryError, describeError } from './errors.js';
import { Links, messageId, unsubscribeMailto } from './links.js';

const HOUR = 3_600_000;
/** Most alerts in one digest mail; the rest go in the next sweep's. */
export const MAX_DIGEST_ITEMS = 200;

export interface DigestDeps {
  db: Db;
  redis: Redis;
  prefix: string;
  mailer: Mailer;
  links: Links;
  log: Logger;
  now: () => Date;
}

export async function sendDueDigests(deps: DigestDeps): Promise<number> {
  const lockKey = `${deps.prefix}:deliver:digest-lock`;
  const got = await deps.redis.set(lockKey, String(process.pid), 'PX', 10 * 60_000, 'NX');
  if (got !== 'OK') return 0;
  try {
    const waiting = await loadWaiting(deps.db);
    const groups = new Map<string, typeof waiting>();
    for (const d of waiting) {
      const daily = d.match?.subscription.digest === 'daily';
      const key = `${d.emailAddressId ?? ''}|${daily ? 'daily' : 'hourly'}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    let sent = 0;
    const now = deps.now();
    for (const [key, items] of groups) {
      const interval = key.endsWith('|daily') ? 24 * HOUR : HOUR;
      const oldest = items[0];
      if (oldest === undefined || now.getTime() - oldest.createdAt.getTime() < interval) continue;
      sent += await sendOne(deps, items.slice(0, MAX_DIGEST_ITEMS), key.endsWith('|daily'));
    }
    return sent;
  } finally {
    await deps.redis.del(lockKey);
  }
}

function loadWaiting(db: Db) {
  return db.delivery.findMany({
    where: { status: 'digested', channel: 'email' },
    include: { match: { include: { subscription: true } }, emailAddress: true },
    orderBy: { createdAt: 'asc' },
    take: 10_000,
  });
}
type Waiting = Awaited<ReturnType<typeof loadWaiting>>[number];

async function sendOne(deps: DigestDeps, items: Waiting[], daily: boolean): Promise<number> {
  const address = items[0]?.emailAddress;
  if (address === null || address === undefined || address.verifiedAt === null || address.unsubscribedAt !== null || address.bouncedAt !== null) {
    await deps.db.delivery.updateMany({
      where: { id: { in: items.map((d) => d.id) }, status: 'digested' },
      data: { status: 'disabled', lastError: 'RECIPIENT_NOT_ALLOWED: the address is no longer verified, unsubscribed or bounced' },
    });
    return 0;
  }
  const shown: DigestItem[] = [];
  const included: Waiting[] = [];
  const dropped: string[] = [];
  for (const d of items) {
    const event = SigningEventSchema.safeParse(d.match?.event);
    const sub = d.match?.subscription;
    if (!event.success || d.match === null || sub === undefined || sub.mutedAt !== null || !sub.enabled) {
      dropped.push(d.id);
      continue;
    }
    shown.push({ subscriptionName: sub.name, view: alertView(event.data), reason: { field: d.match.field, value: d.match.value } });
    included.push(d);
  }
  if (dropped.length > 0) {
    await deps.db.delivery.updateMany({
      where: { id: { in: dropped }, status: 'digested' },
      data: { status: 'disabled', lastError: 'RECIPIENT_NOT_ALLOWED: the subscription is muted or disabled, or the match is unreadable' },
    });
  }
  const first = included[0];
  if (first === undefined) return 0;
  const why = daily
    ? 'Your daily digest of Sigwatch alerts.'
    : 'Alerts collected in the last hour (hourly digest, or more alert mail to this address than the hourly limit).';
  const unsub = deps.links.unsubscribe(address.id, first.id);
  const id = messageId(`digest-${first.id}-${included.length}`, deps.mailer.fromAddress);
  const startedAt = deps.now();
  const t0 = performance.now();
  try {
    await deps.mailer.send({
      to: address.address,
      messageId: id,
      mail: renderDigest(shown, why, { unsubscribe: unsub.url, alerts: deps.links.page('alerts') }),
      unsubscribe: { url: unsub.url, mailto: unsubscribeMailto(deps.mailer.fromAddress, unsub.token) },
      recipientId: address.id,
    });
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    // Leave them `digested`: the next sweep tries again.
    deps.log.warn({ emailAddressId: address.id, err: describeError(err) }, 'digest mail failed; will retry');
    return 0;
  }
  const durationMs = Math.round(performance.now() - t0);
  const sentAt = deps.now();
  await deps.db.$transaction([
    ...included.map((d) =>
      deps.db.deliveryAttempt.create({
        data: { deliveryId: d.id, number: d.attemptCount + 1, startedAt, durationMs, ok: true, responseExcerpt: `sent in digest <${id}> with ${included.length} alerts` },
      }),
    ),
    ...included.map((d) => deps.db.delivery.update({ where: { id: d.id }, data: { status: 'sent', sentAt, attemptCount: d.attemptCount + 1, lastError: null } })),
  ]);
  deps.log.info({ emailAddressId: address.id, alerts: included.length, messageId: id }, 'digest sent');
  return 1;
}
