import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, secretKey, signatureHeaders, signPayload } from './webhook-signature.js';

// The Standard Webhooks specification's published test vector (also in its reference libraries' tests).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signer', () => {
  it('reproduces the specification test vector', () => {
    expect(signPayload(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('puts id, unix-seconds timestamp and one signature in the headers', () => {
    const h = signatureHeaders(
      { secret: VECTOR.secret, previousSecret: null, previousSecretExpiresAt: null },
      VECTOR.id,
      VECTOR.body,
      new Date(VECTOR.timestamp * 1000 + 999),
    );
    expect(h).toEqual({ 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature });
  });

  it('signs with both secrets while a rotation is running, and with the new one only after it expires', () => {
    const previous = generateWebhookSecret();
    const now = new Date(VECTOR.timestamp * 1000);
    const during = signatureHeaders(
      { secret: VECTOR.secret, previousSecret: previous, previousSecretExpiresAt: new Date(now.getTime() + 1000) },
      VECTOR.id,
      VECTOR.body,
      now,
    )['webhook-signature'];
    expect(during?.split(' ')).toEqual([VECTOR.signature, signPayload(previous, VECTOR.id, VECTOR.timestamp, VECTOR.body)]);
    const after = signatureHeaders({ secret: VECTOR.secret, previousSecret: previous, previousSecretExpiresAt: now }, VECTOR.id, VECTOR.body, now);
    expect(after['webhook-signature']).toBe(VECTOR.signature);
  });

  it('makes 32-byte whsec_ secrets and refuses short keys', () => {
    const s = generateWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(s)).toHaveLength(32);
    expect(() => secretKey('whsec_c2hvcnQ=')).toThrow(RangeError);
  });
});
