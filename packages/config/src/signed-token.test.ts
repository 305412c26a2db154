import { describe, expect, it } from 'vitest';
import { signToken, tokenSecret, verifyToken } from './signed-token.js';

const secret = 's'.repeat(40);
const now = new Date('2026-01-01T00:00:00Z');

describe('signed tokens', () => {
  it('round-trips subject, context and expiry', () => {
    const t = signToken(secret, 'unsubscribe-alerts', { sub: 'addr-1', ctx: { deliveryId: 'd1' } }, { now, ttlSeconds: 60 });
    expect(t).toMatch(/^sw1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const c = verifyToken(secret, 'unsubscribe-alerts', t, { now });
    expect(c).toMatchObject({ p: 'unsubscribe-alerts', sub: 'addr-1', ctx: { deliveryId: 'd1' }, exp: c.iat + 60 });
    expect(c.jti).toHaveLength(22);
  });

  it('gives every token its own jti (single use is tracked by jti)', () => {
    const a = verifyToken(secret, 'unsubscribe-alerts', signToken(secret, 'unsubscribe-alerts', { sub: 'x' }));
    const b = verifyToken(secret, 'unsubscribe-alerts', signToken(secret, 'unsubscribe-alerts', { sub: 'x' }));
    expect(a.jti).not.toBe(b.jti);
  });

  it('refuses tampering, other purposes, other secrets, expiry and junk, each with its code', () => {
    const t = signToken(secret, 'unsubscribe-alerts', { sub: 'addr-1' }, { now, ttlSeconds: 60 });
    const [v, claims, mac] = t.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), sub: 'addr-2' })).toString('base64url');
    const cases: Array<[string, () => unknown, string]> = [
      ['changed claims', () => verifyToken(secret, 'unsubscribe-alerts', `${v}.${forged}.${mac}`, { now }), 'BAD_TOKEN_SIGNATURE'],
      ['other purpose', () => verifyToken(secret, 'mute-subscription', t, { now }), 'BAD_TOKEN_SIGNATURE'],
      ['other secret', () => verifyToken('t'.repeat(40), 'unsubscribe-alerts', t, { now }), 'BAD_TOKEN_SIGNATURE'],
      ['expired', () => verifyToken(secret, 'unsubscribe-alerts', t, { now: new Date(now.getTime() + 61_000) }), 'TOKEN_EXPIRED'],
      ['junk', () => verifyToken(secret, 'unsubscribe-alerts', 'hello', { now }), 'MALFORMED_TOKEN'],
      ['wrong version', () => verifyToken(secret, 'unsubscribe-alerts', `sw2.${claims}.${mac}`, { now }), 'MALFORMED_TOKEN'],
      ['short mac', () => verifyToken(secret, 'unsubscribe-alerts', `${v}.${claims}.AAAA`, { now }), 'BAD_TOKEN_SIGNATURE'],
    ];
    for (const [name, f, code] of cases) {
      expect(f, name).toThrow(expect.objectContaining({ name: 'SignedTokenError', code }));
    }
  });

  it('prefers UNSUBSCRIBE_SECRET and falls back to SESSION_SECRET', () => {
    expect(tokenSecret({ UNSUBSCRIBE_SECRET: 'a', SESSION_SECRET: 'b' })).toBe('a');
    expect(tokenSecret({ SESSION_SECRET: 'b' })).toBe('b');
    expect(tokenSecret({})).toBeUndefined();
  });
});
