/**
 * The JSON bodies of webhooks, in the Standard Webhooks envelope `{type, timestamp, data}`. A body is a pure
 * function of the delivery's rows, so every retry sends the same bytes (only the signature headers change).
 *
 * - `match.created`: the SigningEvent, the rule that matched and why, the subscription, links.
 * - `log.incident`: a log misbehaved (endpoints that opted in with `includeIncidents`).
 * - `test`: "send test event" from the API; `data` is the delivery's stored payload.
 */
import type { SigningEvent } from '@sigwatch/rules';

export type WebhookEventType = 'match.created' | 'log.incident' | 'test';

export interface MatchPayloadInput {
  match: { id: string; createdAt: Date; ruleId: string | null; field: string; value: string; logId: string };
  subscription: { id: string; name: string };
  event: SigningEvent;
  publicUrl: string;
}

export function matchCreatedBody(m: MatchPayloadInput): string {
  return envelope('match.created', m.match.createdAt, {
    match: { id: m.match.id, rule_id: m.match.ruleId, field: m.match.field, value: m.match.value, log_id: m.match.logId },
    subscription: { id: m.subscription.id, name: m.subscription.name, url: subscriptionUrl(m.publicUrl, m.subscription.id) },
    event: m.event,
    links: {
      entry: m.event.log.kind === 'rekor-v1' ? `https://search.sigstore.dev/?logIndex=${m.event.globalIndex}` : null,
    },
  });
}

export interface IncidentPayloadInput {
  incident: { id: string; logId: string; code: string; message: string; openedAt: Date; resolvedAt: Date | null };
  log: { id: string; origin: string };
}

export function logIncidentBody(i: IncidentPayloadInput): string {
  return envelope('log.incident', i.incident.openedAt, {
    incident: {
      id: i.incident.id,
      code: i.incident.code,
      message: i.incident.message,
      opened_at: i.incident.openedAt.toISOString(),
      resolved_at: i.incident.resolvedAt?.toISOString() ?? null,
    },
    log: i.log,
  });
}

export function testBody(createdAt: Date, payload: unknown): string {
  const data = payload !== null && typeof payload === 'object' ? payload : { message: 'This is a test event from Sigwatch.' };
  return envelope('test', createdAt, data);
}

export function subscriptionUrl(publicUrl: string, subscriptionId: string): string {
  return new URL(`subscriptions/${subscriptionId}`, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).toString();
}

function envelope(type: WebhookEventType, at: Date, data: unknown): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}
