/**
 * The JSON bodies of webhooks, in the Standard Webhooks envelope `{type, timestamp, data}`. A body is a pure
 * function of the delivery's rows, so every retry sends the same bytes (only the signature headers change).
 *
 * - `match.created`: the SigningEvent, the rule that matched and why, the subscription, links, and
 *   `certificate_chain` (null for a key-signed entry): whether the certificate chains to the trusted Fulcio
 *   CAs, with a `warning` when it does not.
 * - `log.incident`: a log misbehaved (endpoints that opted in with `includeIncidents`).
 * - `test`: "send test event" from the API; `data` is the delivery's stored payload.
 */
import type { CertificateInfo, SigningEvent } from '@sigwatch/rules';
import { CHAIN_SUMMARY, UNTRUSTED_CERTIFICATE_WARNING } from './alert-view.js';

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
    certificate_chain: certificateChain(m.event),
    links: {
      entry: m.event.log.kind === 'rekor-v1' ? `https://search.sigstore.dev/?logIndex=${m.event.globalIndex}` : null,
    },
  });
}

function certificateChain(event: SigningEvent): { status: CertificateInfo['chain']; trusted: boolean; message: string; warning: string | null } | null {
  const status = event.certificate?.chain;
  if (status === undefined) return null;
  return { status, trusted: status === 'valid', message: CHAIN_SUMMARY[status], warning: status === 'invalid' ? UNTRUSTED_CERTIFICATE_WARNING : null };
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
