/**
 * The matcher: consumes batches of verified SigningEvents, matches them against the rule index, and for
 * each (subscription, event) writes a Match and its Delivery rows in one transaction (a transactional
 * outbox, gopherwatch `processModules`), then enqueues one delivery job per Delivery (job id = row id).
 * Unique keys (Match: subscription + log + index; Delivery: match + channel) make a repeated batch, or
 * two workers on the same batch, write nothing new; re-enqueueing an existing delivery job is a no-op.
 * Before a matched event is written, its certificate chain is checked (chain-status.ts).
 */
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db, Prisma } from '@sigwatch/db';
import type { RuleMatch, SigningEvent } from '@sigwatch/rules';
import { EntriesToMatchPayload, deliveryJobId, type Producer, type QueueName } from '@sigwatch/queue';
import { Counter } from 'prom-client';
import { registry } from '../metrics.js';
import type { LiveRuleIndex } from './live-index.js';
import type { ChainStatusChecker } from './chain-status.js';

const matched = new Counter({ name: 'sigwatch_matches_total', help: 'New matches written', registers: [registry] });
const eventsMatched = new Counter({ name: 'sigwatch_events_matched_total', help: 'Events run through the rule index', registers: [registry] });

export interface MatchWorkerDeps {
  db: Db;
  index: LiveRuleIndex;
  deliveries: Producer<typeof QueueName.Deliveries>;
  log: Logger;
  /** Fills in the certificate chain status of matched events; absent: they keep the parser's 'unknown'. */
  chain?: ChainStatusChecker;
}

export function createMatchProcessor(deps: MatchWorkerDeps) {
  return async (job: Job): Promise<{ events: number; matches: number }> => {
    const payload = EntriesToMatchPayload.parse(job.data);
    await deps.index.ensureFresh();
    const index = deps.index.current;
    let matches = 0;
    const matchedEvents: SigningEvent[] = [];
    const reasons: RuleMatch[][] = [];
    for (const event of payload.events) {
      // One Match per subscription per entry: the first matching rule is recorded as the reason.
      const bySubscription = new Map<string, RuleMatch>();
      for (const m of index.match(event)) if (!bySubscription.has(m.subscriptionId)) bySubscription.set(m.subscriptionId, m);
      if (bySubscription.size === 0) continue;
      matchedEvents.push(event);
      reasons.push([...bySubscription.values()]);
    }
    const checked = deps.chain === undefined ? matchedEvents : await deps.chain.annotate(payload.log.id, matchedEvents);
    for (const [i, event] of checked.entries()) {
      for (const m of reasons[i] ?? []) {
        const deliveryIds = await recordMatch(deps.db, payload.log.id, event, m);
        if (deliveryIds === undefined) continue;
        matches++;
        for (const id of deliveryIds) await deps.deliveries.add(deliveryJobId(id), { deliveryId: id });
      }
    }
    eventsMatched.inc(payload.events.length);
    matched.inc(matches);
    return { events: payload.events.length, matches };
  };
}

/**
 * Write (or find) the Match and its Delivery rows in one transaction. Returns the ids of deliveries still
 * to send (pending ones; sent/failed ones are not re-enqueued), or undefined if the subscription is gone.
 */
export async function recordMatch(db: Db, logId: string, event: SigningEvent, m: RuleMatch): Promise<string[] | undefined> {
  try {
    return await recordMatchOnce(db, logId, event, m);
  } catch (e) {
    // Two workers on the same batch race on the unique keys; the loser finds the winner's rows on a retry.
    if ((e as { code?: unknown }).code === 'P2002') return recordMatchOnce(db, logId, event, m);
    throw e;
  }
}

async function recordMatchOnce(db: Db, logId: string, event: SigningEvent, m: RuleMatch): Promise<string[] | undefined> {
  return db.$transaction(async (tx) => {
    const sub = await tx.subscription.findUnique({
      where: { id: m.subscriptionId },
      select: {
        id: true,
        userId: true,
        enabled: true,
        mutedAt: true,
        channels: { select: { type: true, emailAddressId: true, webhookEndpointId: true, emailAddress: { select: { verifiedAt: true } }, webhookEndpoint: { select: { enabled: true } } } },
      },
    });
    if (sub === null || !sub.enabled || sub.mutedAt !== null) return undefined;
    const match = await tx.match.upsert({
      where: { subscriptionId_logId_logIndex: { subscriptionId: sub.id, logId, logIndex: BigInt(event.index) } },
      create: { subscriptionId: sub.id, logId, logIndex: BigInt(event.index), ruleId: m.ruleId, field: m.field, value: m.value, event: event as object },
      update: {},
      select: { id: true },
    });
    const rows: Prisma.DeliveryCreateManyInput[] = [];
    for (const c of sub.channels) {
      if (c.type === 'email' && c.emailAddressId !== null && c.emailAddress?.verifiedAt != null) {
        rows.push({ kind: 'match', matchId: match.id, userId: sub.userId, channel: 'email', channelKey: `email:${c.emailAddressId}`, emailAddressId: c.emailAddressId });
      } else if (c.type === 'webhook' && c.webhookEndpointId !== null && c.webhookEndpoint?.enabled === true) {
        rows.push({ kind: 'match', matchId: match.id, userId: sub.userId, channel: 'webhook', channelKey: `webhook:${c.webhookEndpointId}`, webhookEndpointId: c.webhookEndpointId });
      }
    }
    if (rows.length > 0) await tx.delivery.createMany({ data: rows, skipDuplicates: true });
    const pending = await tx.delivery.findMany({ where: { matchId: match.id, status: 'pending' }, select: { id: true } });
    return pending.map((d) => d.id);
  });
}
