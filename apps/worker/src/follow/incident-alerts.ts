/**
 * When a log is halted, tell the webhook endpoints that opted in (`includeIncidents`): one Delivery of kind
 * `incident` per enabled endpoint (unique on incident + channel, so a repeat adds nothing) and one delivery
 * job each. The sender builds the `log.incident` payload from the Incident row.
 */
import type { Db } from '@sigwatch/db';
import { deliveryJobId, type Producer, type QueueName } from '@sigwatch/queue';

export async function alertIncident(db: Db, deliveries: Producer<typeof QueueName.Deliveries>, incidentId: string): Promise<number> {
  const endpoints = await db.webhookEndpoint.findMany({ where: { includeIncidents: true, enabled: true }, select: { id: true, userId: true } });
  if (endpoints.length === 0) return 0;
  await db.delivery.createMany({
    data: endpoints.map((e) => ({ kind: 'incident' as const, incidentId, userId: e.userId, channel: 'webhook' as const, channelKey: `webhook:${e.id}`, webhookEndpointId: e.id })),
    skipDuplicates: true,
  });
  const rows = await db.delivery.findMany({ where: { incidentId, status: 'pending' }, select: { id: true } });
  for (const r of rows) await deliveries.add(deliveryJobId(r.id), { deliveryId: r.id });
  return rows.length;
}
