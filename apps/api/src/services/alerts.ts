/**
 * Alert history: matches of the user's subscriptions with their deliveries and every attempt; filters
 * by subscription, time and log; retry puts a failed delivery back to `pending` and enqueues it again.
 */
import { deliveryJobId } from '@sigwatch/queue';
import type { ApiDeps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { afterCursor, decodeCursor, newestFirst, toPage } from './pagination.js';

type Deps = Pick<ApiDeps, 'db' | 'producers'>;

export interface MatchFilter {
  cursor?: string | undefined;
  limit: number;
  subscriptionId?: string | undefined;
  logId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

type AttemptRow = { number: number; startedAt: Date; durationMs: number; ok: boolean; statusCode: number | null; error: string | null };
type DeliveryRow = { id: string; kind: string; channel: string; status: string; attemptCount: number; lastError: string | null; sentAt: Date | null; nextAttemptAt: Date | null; createdAt: Date; emailAddressId: string | null; webhookEndpointId: string | null; attempts?: AttemptRow[] };

export function deliveryView(d: DeliveryRow) {
  return {
    id: d.id,
    kind: d.kind,
    channel: d.channel,
    target: d.emailAddressId ?? d.webhookEndpointId,
    status: d.status,
    attemptCount: d.attemptCount,
    lastError: d.lastError,
    sentAt: d.sentAt?.toISOString() ?? null,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    attempts: (d.attempts ?? []).map((a) => ({ number: a.number, startedAt: a.startedAt.toISOString(), durationMs: a.durationMs, ok: a.ok, statusCode: a.statusCode, error: a.error })),
  };
}
export type DeliveryView = ReturnType<typeof deliveryView>;

type MatchRow = { id: string; subscriptionId: string; logId: string; logIndex: bigint; field: string; value: string; event: unknown; createdAt: Date; subscription: { name: string }; deliveries: DeliveryRow[] };

export function matchView(m: MatchRow) {
  return {
    id: m.id,
    subscriptionId: m.subscriptionId,
    subscriptionName: m.subscription.name,
    logId: m.logId,
    logIndex: m.logIndex.toString(),
    field: m.field,
    value: m.value,
    event: m.event,
    createdAt: m.createdAt.toISOString(),
    deliveries: m.deliveries.map(deliveryView),
  };
}
export type MatchView = ReturnType<typeof matchView>;

const matchInclude = { subscription: { select: { name: true } }, deliveries: { orderBy: { createdAt: 'asc' as const }, include: { attempts: { orderBy: { number: 'asc' as const } } } } } as const;

export async function listMatches(deps: Deps, userId: string, f: MatchFilter) {
  const rows = await deps.db.match.findMany({
    where: {
      subscription: { userId },
      ...(f.subscriptionId !== undefined ? { subscriptionId: f.subscriptionId } : {}),
      ...(f.logId !== undefined ? { logId: f.logId } : {}),
      ...(f.since !== undefined || f.until !== undefined ? { createdAt: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
      AND: [afterCursor(decodeCursor(f.cursor))],
    },
    orderBy: newestFirst,
    take: f.limit + 1,
    include: matchInclude,
  });
  const page = toPage(rows, f.limit);
  return { items: page.items.map(matchView), nextCursor: page.nextCursor };
}

export async function getMatch(deps: Deps, userId: string, id: string): Promise<MatchView> {
  const m = await deps.db.match.findFirst({ where: { id, subscription: { userId } }, include: matchInclude });
  if (m === null) throw notFound('Alert');
  return matchView(m);
}

export async function listDeliveries(deps: Deps, userId: string, q: { cursor?: string | undefined; limit: number; status?: string | undefined; webhookId?: string | undefined }) {
  const rows = await deps.db.delivery.findMany({
    where: { userId, ...(q.status !== undefined ? { status: q.status as 'failed' } : {}), ...(q.webhookId !== undefined ? { webhookEndpointId: q.webhookId } : {}), AND: [afterCursor(decodeCursor(q.cursor))] },
    orderBy: newestFirst,
    take: q.limit + 1,
    include: { attempts: { orderBy: { number: 'asc' } } },
  });
  const page = toPage(rows, q.limit);
  return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
}

export async function getDelivery(deps: Deps, userId: string, id: string): Promise<DeliveryView> {
  const d = await deps.db.delivery.findFirst({ where: { id, userId }, include: { attempts: { orderBy: { number: 'asc' } } } });
  if (d === null) throw notFound('Delivery');
  return deliveryView(d);
}

/** Put a failed (or auto-disabled) delivery back in the queue. Sent or in-flight ones are left alone. */
export async function retryDelivery(deps: Deps, userId: string, id: string): Promise<DeliveryView> {
  const d = await deps.db.delivery.findFirst({ where: { id, userId } });
  if (d === null) throw notFound('Delivery');
  if (d.status !== 'failed' && d.status !== 'disabled') {
    throw new AppError('CONFLICT', `This delivery is ${d.status}; only failed deliveries can be retried.`);
  }
  const updated = await deps.db.delivery.update({ where: { id }, data: { status: 'pending', nextAttemptAt: null, lastError: null }, include: { attempts: { orderBy: { number: 'asc' } } } });
  // A finished job with the same id would make the add a no-op: remove it first.
  await deps.producers.deliveries.queue.remove(deliveryJobId(id)).catch(() => 0);
  await deps.producers.deliveries.add(deliveryJobId(id), { deliveryId: id });
  return deliveryView(updated);
}
