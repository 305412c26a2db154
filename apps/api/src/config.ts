/**
 * The API's environment, validated once at start (STYLE.md "Config"). Every bad variable is reported at once.
 */
import { z } from 'zod';
import { commonEnvShape, envInt, envString, parseEnv } from '@sigwatch/config';

export const ApiEnvSchema = z.object({
  ...commonEnvShape,
  PORT: envInt(8080, 1, 65535),
  HOST: envString('127.0.0.1'),
  SESSION_SECRET: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string({ error: 'is required (a random string of at least 32 characters)' }).min(32, 'must be at least 32 characters'),
  ),
});

export type ApiConfig = Readonly<z.output<typeof ApiEnvSchema>>;

export function loadConfig(source: Record<string, string | undefined> = process.env): ApiConfig {
  return Object.freeze(parseEnv(ApiEnvSchema, source));
}
