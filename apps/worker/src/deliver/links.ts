/**
 * URLs the deliver role puts in mail and webhooks. The API serves them (routes agreed with the API):
 *   /subscriptions/<id>          the subscription page
 *   /mute/<token>                mute one subscription (token purpose `mute-subscription`, sub = subscription id)
 *   /unsubscribe/<token>         RFC 8058 one-click: GET shows a confirm button, POST unsubscribes
 *                                (purpose `unsubscribe-alerts`, sub = EmailAddress id)
 *   /alerts, /incidents/<id>, /webhooks/<id>   history, incident evidence, endpoint + its delivery log
 */
import { signToken } from '@sigwatch/config';

export class Links {
  private readonly base: string;
  constructor(
    publicUrl: string,
    private readonly tokenSecret: string,
  ) {
    this.base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
  }

  page(path: string): string {
    return new URL(path, this.base).toString();
  }
  subscription(id: string): string {
    return this.page(`subscriptions/${id}`);
  }
  mute(subscriptionId: string): string {
    return this.page(`mute/${signToken(this.tokenSecret, 'mute-subscription', { sub: subscriptionId })}`);
  }
  unsubscribe(emailAddressId: string, deliveryId: string): { url: string; token: string } {
    const token = signToken(this.tokenSecret, 'unsubscribe-alerts', { sub: emailAddressId, ctx: { deliveryId } });
    return { url: this.page(`unsubscribe/${token}`), token };
  }
}

/** `mailto:` fallback of List-Unsubscribe (RFC 2369): a mail to the sender with the token in the subject. */
export function unsubscribeMailto(fromAddress: string, token: string): string {
  return `mailto:${fromAddress}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
}

/** Message-ID local part @ the sender's domain. */
export function messageId(localPart: string, fromAddress: string): string {
  const domain = fromAddress.includes('@') ? fromAddress.slice(fromAddress.lastIndexOf('@') + 1) : 'sigwatch.localhost';
  return `${localPart}@${domain}`;
}
