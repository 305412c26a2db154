/**
 * Turns a loaded delivery into what goes on the wire: the webhook body or the mail. Stored JSON (the
 * Match's SigningEvent, a notice's payload) is parsed again here: rows are input like any other, and a row
 * that no longer parses is a permanent MISSING_DATA failure, not a crash loop.
 */
import { SigningEventSchema, type SigningEvent } from '@sigwatch/rules';
import { z } from 'zod';
import { alertView } from './alert-view.js';
import type { LoadedDelivery } from './delivery-store.js';
import { renderAddressBounced, renderAlert, renderIncident, renderWebhookDisabled, type RenderedMail } from './email-templates.js';
import { DeliveryError } from './errors.js';
import { Links, messageId, unsubscribeMailto } from './links.js';
import type { OutgoingMail } from './email.js';
import { logIncidentBody, matchCreatedBody, testBody } from './webhook-payload.js';

const missing = (what: string): DeliveryError => new DeliveryError('MISSING_DATA', what, true);

export function matchEvent(d: LoadedDelivery): SigningEvent {
  const parsed = SigningEventSchema.safeParse(d.match?.event);
  if (!parsed.success) throw missing('the stored event of this match does not parse');
  return parsed.data;
}

export function webhookBody(d: LoadedDelivery, publicUrl: string): string {
  switch (d.kind) {
    case 'match': {
      if (d.match === null) throw missing('the match of this delivery no longer exists');
      return matchCreatedBody({ match: d.match, subscription: d.match.subscription, event: matchEvent(d), publicUrl });
    }
    case 'incident':
      if (d.incident === null) throw missing('the incident of this delivery no longer exists');
      return logIncidentBody({ incident: d.incident, log: { id: d.incident.log.id, origin: d.incident.log.origin } });
    case 'test':
      return testBody(d.createdAt, d.payload);
    case 'notice':
      throw missing('notices are sent by e-mail only');
  }
}

const NoticePayload = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook.disabled'), to: z.email(), endpointId: z.string(), url: z.string(), reason: z.string() }),
  z.object({ type: z.literal('email.bounced'), to: z.email(), address: z.string(), reason: z.string() }),
]);

export interface MailContext {
  links: Links;
  fromAddress: string;
}

export function deliveryMail(d: LoadedDelivery, ctx: MailContext): OutgoingMail {
  const id = messageId(`delivery-${d.id}`, ctx.fromAddress);
  if (d.kind === 'notice') {
    const p = NoticePayload.safeParse(d.payload);
    if (!p.success) throw missing('the notice payload is not well formed');
    const n = p.data;
    const mail =
      n.type === 'webhook.disabled'
        ? renderWebhookDisabled({ url: n.url, reason: n.reason, endpointPage: ctx.links.page(`webhooks/${n.endpointId}`) })
        : renderAddressBounced({ address: n.address, reason: n.reason, emailsPage: ctx.links.page('emails') });
    return { to: n.to, messageId: id, mail };
  }
  const address = d.emailAddress;
  if (address === null) throw missing('the e-mail address of this delivery no longer exists');
  const unsub = ctx.links.unsubscribe(address.id, d.id);
  const unsubscribe = { url: unsub.url, mailto: unsubscribeMailto(ctx.fromAddress, unsub.token) };
  let mail: RenderedMail;
  if (d.kind === 'match') {
    if (d.match === null) throw missing('the match of this delivery no longer exists');
    const sub = d.match.subscription;
    mail = renderAlert({
      subscriptionName: sub.name,
      view: alertView(matchEvent(d)),
      reason: { field: d.match.field, value: d.match.value },
      links: { subscription: ctx.links.subscription(sub.id), mute: ctx.links.mute(sub.id), unsubscribe: unsub.url },
    });
  } else if (d.kind === 'incident') {
    if (d.incident === null) throw missing('the incident of this delivery no longer exists');
    mail = renderIncident({
      logOrigin: d.incident.log.origin,
      code: d.incident.code,
      message: d.incident.message,
      openedAt: d.incident.openedAt,
      links: { unsubscribe: unsub.url, incident: ctx.links.page(`incidents/${d.incident.id}`) },
    });
  } else {
    const text = 'This is a test message from Sigwatch: alerts for your subscriptions will arrive at this address.';
    mail = { subject: '[Sigwatch] Test message', text: `${text}\n`, html: `<!doctype html><html><body><p>${text}</p></body></html>` };
  }
  return { to: address.address, messageId: id, mail, unsubscribe, recipientId: address.id };
}
