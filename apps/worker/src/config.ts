/**
 * The worker's environment, validated once at start (STYLE.md "Config"). Every bad variable is reported at once.
 */
import { z } from 'zod';
import { commonEnvShape, envInt, envString, parseEnv } from '@sigwatch/config';

export const WorkerEnvSchema = z.object({
  ...commonEnvShape,
  /** Port of the worker's own /healthz, /readyz and /metrics. */
  WORKER_PORT: envInt(9464, 1, 65535),
  WORKER_HOST: envString('127.0.0.1'),
  /** How often each follower asks its log for a new checkpoint. */
  POLL_INTERVAL_MS: envInt(1_000, 100, 3_600_000),
  /** Concurrent jobs per queue consumer. */
  MATCH_CONCURRENCY: envInt(4, 1, 64),
  DELIVERY_CONCURRENCY: envInt(16, 1, 256),
  /** Which roles this process runs: any of follow,match,deliver (default all). */
  WORKER_ROLES: envString('follow,match,deliver').pipe(
    z
      .string()
      .transform((s) => s.split(',').map((r) => r.trim()).filter((r) => r !== ''))
      .pipe(z.array(z.enum(['follow', 'match', 'deliver'], { error: 'roles are follow, match and deliver' })).min(1)),
  ),
});

export type WorkerConfig = Readonly<z.output<typeof WorkerEnvSchema>>;

export function loadConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  return Object.freeze(parseEnv(WorkerEnvSchema, source));
}
