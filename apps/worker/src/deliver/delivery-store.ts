/**
 * The deliver role's reads and writes in Postgres: load a delivery with what it needs, record an attempt
 * together with the delivery's new state (one transaction: the history and the state never disagree), and
 * disable a webhook endpoint with its owner's notice (one transaction, and only the caller that actually
 * flips `enabled` creates the notice, so the owner is told exactly once).
 */
import type { Db } from '@sigwatch/db';

export function loadDelivery(db: Db, id: string) {
  return db.delivery.findUnique({
    where: { id },
    include: {
      match: { include: { subscription: true } },
      incident: { include: { log: true } },
      emailAddress: true,
      webhookEndpoint: true,
    },
  });
}
export type LoadedDelivery = NonNullable<Awaited<ReturnType<typeof loadDelivery>>>;

export interface AttemptRecord {
  number: number;
  startedAt: Date;
  durationMs: number;
  ok: boolean;
  statusCode?: number | undefined;
  error?: string | undefined;
  responseExcerpt?: string | undefined;
}

export type DeliveryState =
  | { status: 'sent'; sentAt: Date }
  | { status: 'retrying'; nextAttemptAt: Date; lastError: string }
  | { status: 'failed'; lastError: string };

export async function recordAttempt(db: Db, deliveryId: string, a: AttemptRecord, state: DeliveryState): Promise<void> {
  await db.$transaction([
    db.deliveryAttempt.create({
      data: {
        deliveryId,
        number: a.number,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
        ok: a.ok,
        statusCode: a.statusCode ?? null,
        error: a.error ?? null,
        responseExcerpt: a.responseExcerpt ?? null,
      },
    }),
    db.delivery.update({
      where: { id: deliveryId },
      data: {
        attemptCount: a.number,
        status: state.status,
        sentAt: state.status === 'sent' ? state.sentAt : null,
        nextAttemptAt: state.status === 'retrying' ? state.nextAttemptAt : null,
        lastError: state.status === 'sent' ? null : state.lastError,
      },
    }),
  ]);
}

/** A final state without an attempt: the delivery was not allowed to go out (`disabled`) or went to a digest. */
export async function settleWithoutAttempt(db: Db, deliveryId: string, status: 'disabled' | 'digested', reason: string | null): Promise<void> {
  await db.delivery.update({ where: { id: deliveryId }, data: { status, lastError: reason, nextAttemptAt: null } });
}

/**
 * Disable the endpoint (if still enabled) and, in the same transaction, create the owner's `notice`
 * delivery. Returns the notice's id when this call disabled it, undefined when it was already disabled,
 * the owner is not verified, or the owner's own address bounced (the notice could not arrive).
 */
export async function disableEndpoint(db: Db, endpointId: string, reason: string, now: Date): Promise<string | undefined> {
  return db.$transaction(async (tx) => {
    const flipped = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, enabled: true },
      data: { enabled: false, disabledAt: now, disabledReason: reason },
    });
    if (flipped.count === 0) return undefined;
    const endpoint = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, include: { user: true } });
    const user = endpoint.user;
    if (user.verifiedAt === null) return undefined;
    return createAccountNotice(tx, user, { type: 'webhook.disabled', to: user.email, endpointId, url: endpoint.url, reason });
  });
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * A `notice` delivery to the account's own address (compose.ts renders it by `payload.type`), in the
 * caller's transaction; the caller enqueues its job. Undefined when that address itself bounced.
 */
export async function createAccountNotice(tx: Tx, user: { id: string; email: string }, payload: { type: string; to: string } & Record<string, string>): Promise<string | undefined> {
  const own = await tx.emailAddress.findFirst({ where: { userId: user.id, address: user.email } });
  if (own !== null && own.bouncedAt !== null) return undefined;
  const notice = await tx.delivery.create({
    data: { kind: 'notice', userId: user.id, channel: 'email', channelKey: `email:account:${user.id}`, emailAddressId: own?.id ?? null, payload },
  });
  return notice.id;
}
