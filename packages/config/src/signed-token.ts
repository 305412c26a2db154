/**
 * Signed, expiring tokens for links that must work without a session: the one-click unsubscribe of alert
 * mail (RFC 8058) and the "mute this subscription" link. The worker signs them when it writes a mail; the
 * API verifies them in its routes. Both sides import this file, so the format lives in one place.
 *
 * Format (ASCII, URL-safe, no '.' inside a part):
 *
 *     sw1.<claims>.<mac>
 *
 *   claims = base64url(JSON {"p": purpose, "sub": subject id, "ctx"?: {string: string},
 *                            "iat": unix seconds, "exp": unix seconds, "jti": 16 random bytes base64url})
 *   mac    = base64url(HMAC-SHA256(K_p, "sw1." + claims))      (all 32 bytes)
 *   K_p    = HMAC-SHA256(secret, "sigwatch signed-token v1 " + purpose)
 *
 * One key per purpose: a mute token can never unsubscribe, and vice versa (the purpose is also inside
 * the claims and checked). `secret` is UNSUBSCRIBE_SECRET, or SESSION_SECRET when that is unset
 * (`tokenSecret`), so one .env shared by both apps is enough.
 *
 * Single use: the signature proves who minted the token, not that it was not used before. A verifier that
 * acts on it MUST record `jti` until `exp` and refuse a second use, e.g. Redis
 * `SET <REDIS_PREFIX>:token-used:<jti> 1 NX EXAT <exp>` — a reply of nil means "already used". The actions
 * are idempotent anyway (unsubscribing twice changes nothing), so a replay can do no harm beyond that.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'unsubscribe-alerts' | 'mute-subscription';

export interface SignedTokenClaims {
  p: TokenPurpose;
  /** What the token acts on: an EmailAddress id (unsubscribe) or a Subscription id (mute). */
  sub: string;
  /** Extra context shown or checked by the verifier, e.g. {"deliveryId": …}. */
  ctx?: Record<string, string>;
  iat: number;
  exp: number;
  jti: string;
}

export type SignedTokenErrorCode = 'MALFORMED_TOKEN' | 'BAD_TOKEN_SIGNATURE' | 'TOKEN_EXPIRED' | 'WRONG_TOKEN_PURPOSE';

export class SignedTokenError extends Error {
  override readonly name = 'SignedTokenError';
  constructor(
    readonly code: SignedTokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const VERSION = 'sw1';
/** Alert mail is often read days later; the links must still work. */
export const DEFAULT_TOKEN_TTL_SECONDS = 90 * 24 * 3600;

/** The secret tokens are signed with: UNSUBSCRIBE_SECRET, else SESSION_SECRET; undefined when neither is set. */
export function tokenSecret(config: { UNSUBSCRIBE_SECRET?: string | undefined; SESSION_SECRET?: string | undefined }): string | undefined {
  return config.UNSUBSCRIBE_SECRET ?? config.SESSION_SECRET;
}

function purposeKey(secret: string, purpose: TokenPurpose): Buffer {
  return createHmac('sha256', secret).update(`sigwatch signed-token v1 ${purpose}`).digest();
}

function mac(secret: string, purpose: TokenPurpose, signedPart: string): Buffer {
  return createHmac('sha256', purposeKey(secret, purpose)).update(signedPart).digest();
}

/** Precondition: `secret` is at least 32 characters (both apps' config enforces it). */
export function signToken(
  secret: string,
  purpose: TokenPurpose,
  subject: { sub: string; ctx?: Record<string, string> },
  options: { ttlSeconds?: number; now?: Date } = {},
): string {
  if (secret.length < 32) throw new RangeError('token secret must be at least 32 characters');
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: SignedTokenClaims = {
    p: purpose,
    sub: subject.sub,
    ...(subject.ctx === undefined ? {} : { ctx: subject.ctx }),
    iat,
    exp: iat + (options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS),
    jti: randomBytes(16).toString('base64url'),
  };
  const body = `${VERSION}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${mac(secret, purpose, body).toString('base64url')}`;
}

/**
 * Check the MAC (constant time), the purpose and the expiry; return the claims. The token comes from a
 * URL anyone can forge, so every failure is a SignedTokenError, never a raw JSON or decoding error.
 * Does NOT check single use: see the file header.
 */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string, options: { now?: Date } = {}): SignedTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1] ?? '') || !/^[A-Za-z0-9_-]+$/.test(parts[2] ?? '')) {
    throw new SignedTokenError('MALFORMED_TOKEN', 'the link is not a Sigwatch token');
  }
  const given = Buffer.from(parts[2] as string, 'base64url');
  const want = mac(secret, purpose, `${parts[0]}.${parts[1]}`);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new SignedTokenError('BAD_TOKEN_SIGNATURE', 'the link is not valid (was it changed, or made for another action?)');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new SignedTokenError('MALFORMED_TOKEN', `the token's claims are not JSON (${(cause as Error).message})`);
  }
  if (!isClaims(claims)) throw new SignedTokenError('MALFORMED_TOKEN', "the token's claims are not well formed");
  if (claims.p !== purpose) throw new SignedTokenError('WRONG_TOKEN_PURPOSE', `the link is for ${claims.p}, not ${purpose}`);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (now >= claims.exp) throw new SignedTokenError('TOKEN_EXPIRED', 'the link has expired');
  return claims;
}

function isClaims(v: unknown): v is SignedTokenClaims {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  const ctxOk =
    c['ctx'] === undefined ||
    (typeof c['ctx'] === 'object' && c['ctx'] !== null && Object.values(c['ctx']).every((x) => typeof x === 'string'));
  return (
    typeof c['p'] === 'string' &&
    typeof c['sub'] === 'string' &&
    Number.isSafeInteger(c['iat']) &&
    Number.isSafeInteger(c['exp']) &&
    typeof c['jti'] === 'string' &&
    ctxOk
  );
}
