/**
 * The variables both apps read (see .env.example). Each app extends this shape in its own config.ts.
 */
import { z } from 'zod';
import { envBool, envInt, envOptionalString, envString, envUrl } from './env.js';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/sigwatch';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const commonEnvShape = {
  DATABASE_URL: envUrl(['postgresql', 'postgres'], DEFAULT_DATABASE_URL),
  REDIS_URL: envUrl(['redis', 'rediss'], DEFAULT_REDIS_URL),
  /** Prefix for every BullMQ and Redis key: lets several deployments (or test runs) share one Redis. */
  REDIS_PREFIX: envString('sigwatch'),
  SMTP_URL: envUrl(['smtp', 'smtps'], 'smtp://127.0.0.1:1025'),
  MAIL_FROM: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .regex(/^(?:[^<>]*<)?[^@\s<>]+@[^@\s<>]+>?$/, 'must be an e-mail address, optionally "Name <addr@host>"')
      .default('Sigwatch <alerts@sigwatch.localhost>'),
  ),
  /** DKIM signing of outgoing mail (dkim.ts): both or neither. */
  DKIM_SELECTOR: envOptionalString(),
  DKIM_PRIVATE_KEY_FILE: envOptionalString(),
  PUBLIC_URL: envUrl(['http', 'https'], 'http://localhost:8080'),
  /** `public-good`, or a path or URL to a logs file such as the simulator's logs.json. */
  SIGWATCH_LOGS: envString('public-good'),
  /** Path to a Sigstore trusted_root.json; unset = the worker verifies one from TUF (SIGWATCH_TUF_MIRROR). */
  SIGWATCH_TRUSTED_ROOT: envOptionalString(),
  WEBHOOK_ALLOW_PRIVATE: envBool(false),
  /**
   * Signs the one-click unsubscribe and mute links in alert mail (signed-token.ts); the worker signs, the
   * API verifies. Blank = use SESSION_SECRET, so one shared .env is enough.
   */
  UNSUBSCRIBE_SECRET: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  LOG_LEVEL: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
} as const;

export { envInt };
