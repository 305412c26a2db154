/**
 * Single-use, expiring tokens (e-mail verification, login links, password reset) in Redis. The key is
 * the token's SHA-256, so a Redis dump holds nothing usable; consuming is GETDEL, so a token works once.
 */
import type { Redis } from 'ioredis';
import { randomToken, sha256Hex } from './secrets.js';

export type TokenPurpose = 'verify' | 'login' | 'reset' | 'address';

export const TOKEN_TTL_SECONDS: Record<TokenPurpose, number> = {
  verify: 24 * 3600,
  login: 15 * 60,
  reset: 30 * 60,
  address: 24 * 3600,
};

export class OneTimeTokens {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(purpose: TokenPurpose, token: string): string {
    return `${this.prefix}:ott:${purpose}:${sha256Hex(token)}`;
  }

  async issue(purpose: TokenPurpose, subject: string): Promise<string> {
    const token = randomToken();
    await this.redis.set(this.key(purpose, token), subject, 'EX', TOKEN_TTL_SECONDS[purpose]);
    return token;
  }

  /** The subject the token was issued for, once; null when unknown, expired or used. */
  async consume(purpose: TokenPurpose, token: string): Promise<string | null> {
    if (token.length < 16 || token.length > 128) return null;
    return this.redis.getdel(this.key(purpose, token));
  }

  /** Look without consuming (for the "confirm login" page). */
  async peek(purpose: TokenPurpose, token: string): Promise<string | null> {
    if (token.length < 16 || token.length > 128) return null;
    return this.redis.get(this.key(purpose, token));
  }
}
