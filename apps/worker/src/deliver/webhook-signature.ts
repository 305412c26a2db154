/**
 * Standard Webhooks signatures (standardwebhooks.com spec, "Signature scheme"; scale-and-safety §2.7).
 *
 *   signed content  = `${webhook-id}.${webhook-timestamp}.${body}`
 *   webhook-signature = space-separated `v1,<base64 HMAC-SHA256(key, signed content)>`, one per valid secret
 *   key             = base64-decode(secret without its `whsec_` prefix)
 *
 * During a secret rotation the previous secret signs too until it expires, so a receiver can switch at
 * its own pace; receivers accept the request when any listed signature verifies.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 32 random bytes, shown to the user once (the spec allows 24–64). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** Precondition: `secret` is `whsec_<base64>` of at least 24 bytes (the API creates them that way). */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length < 24) throw new RangeError('webhook secret must hold at least 24 bytes');
  return key;
}

/** Precondition: `id` and `timestamp` contain no '.' (a UUID and unix seconds never do). */
export function signPayload(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface EndpointSecrets {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of one attempt. */
export function signatureHeaders(secrets: EndpointSecrets, id: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const signatures = [signPayload(secrets.secret, id, timestamp, body)];
  if (secrets.previousSecret !== null && secrets.previousSecretExpiresAt !== null && secrets.previousSecretExpiresAt > now) {
    signatures.push(signPayload(secrets.previousSecret, id, timestamp, body));
  }
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatures.join(' ') };
}
