/**
 * The worker's environment, validated once at start (STYLE.md "Config"). Every bad variable is reported at once.
 */
import { DEFAULT_MIRROR_URL } from '@sigstore/tuf';
import { z } from 'zod';
import { blankAsUndefined, commonEnvShape, envInt, envOptionalString, envString, parseEnv } from '@sigwatch/config';

export const WorkerEnvSchema = z.object({
  ...commonEnvShape,
  /** Port of the worker's own /healthz, /readyz and /metrics. */
  WORKER_PORT: envInt(9464, 0, 65535),
  WORKER_HOST: envString('127.0.0.1'),
  /** How often each follower asks its log for a new checkpoint. */
  POLL_INTERVAL_MS: envInt(1_000, 100, 3_600_000),
  /**
   * How long the partial tile at the end of a tile log's tree (Rekor v2) waits before it is read; full tiles
   * are read at once. Blank = one poll interval, so the verified size reaches a log that stopped growing
   * within two poll intervals; 0 = read it on every poll. Longer trades alert latency for fewer downloads.
   */
  TILE_TAIL_WAIT_MS: z.preprocess(blankAsUndefined, z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be at least 0').max(3_600_000, 'must be at most 3600000').optional()),
  /**
   * How often the follow role re-reads SIGWATCH_LOGS and the trusted root (file or TUF) to start following new logs
   * (a new Rekor v2 shard) and stop following removed ones; 0 = read them once at start.
   */
  LOGS_REFRESH_INTERVAL_MS: envInt(300_000, 0, 86_400_000),
  /**
   * With SIGWATCH_TRUSTED_ROOT blank: the TUF repository whose `trusted_root.json` is trusted, refreshed with
   * the log list (logs/trusted-root-source.ts); `off` = the root embedded in @sigstore/tuf.
   */
  SIGWATCH_TUF_MIRROR: envString(DEFAULT_MIRROR_URL).pipe(
    z.string().refine((v) => v === 'off' || (URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol)), 'must be off or an http(s) URL'),
  ),
  /** The first root.json of a TUF mirror other than the public-good one (that one is built into @sigstore/tuf). */
  SIGWATCH_TUF_ROOT: envOptionalString(),
  /** Directory of verified TUF metadata; blank = ~/.cache/sigwatch/tuf. */
  SIGWATCH_TUF_CACHE: envOptionalString(),
  /**
   * Worker threads that parse verified leaves and queue their events beside each follower (0 = on the
   * follower's own thread). Two keep both cores of a 2-core machine busy while a follower catches up.
   */
  PARSE_THREADS: envInt(2, 0, 16),
  /** Concurrent jobs per queue consumer. */
  MATCH_CONCURRENCY: envInt(4, 1, 64),
  DELIVERY_CONCURRENCY: envInt(16, 1, 256),
  /** Most webhook requests in flight to one endpoint across all workers (a slow endpoint delays only itself). */
  WEBHOOK_MAX_IN_FLIGHT: envInt(2, 1, 64),
  /** Alert mails per address per hour; beyond it alerts roll into an hourly digest (scale-and-safety §2.8). */
  EMAIL_HOURLY_CAP: envInt(20, 1, 10_000),
  /** How often the deliver role looks for digests that are due. */
  DIGEST_SWEEP_INTERVAL_MS: envInt(60_000, 200, 3_600_000),
  /**
   * Delays between delivery attempts in milliseconds, comma-separated; blank = the ~3-day production schedule
   * (packages/queue DELIVERY_RETRY_SCHEDULE_MS). Tests and demos use a short one, e.g. `100,200,300`.
   */
  DELIVERY_RETRY_SCHEDULE: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be a comma-separated list of milliseconds')
      .transform((s) => s.split(',').map((x) => Number(x.trim())))
      .pipe(z.array(z.number().int().min(0).max(7 * 24 * 3_600_000)).min(1).max(20))
      .optional(),
  ),
  /** The API's session secret; the worker uses it only to sign unsubscribe links when UNSUBSCRIBE_SECRET is unset. */
  SESSION_SECRET: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  /**
   * Envelope sender (Return-Path) of alert mail, e.g. `bounces@sigwatch.example`; blank = MAIL_FROM's address
   * and no bounce handling. When set, each alert mail goes out from `<local>+<signed tag>@<domain>` (VERP), so
   * that the inbound role knows which address a bounce is about. That domain's MX must reach the inbound role.
   */
  MAIL_RETURN_PATH: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[a-z0-9._-]{1,16}@[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a plain address (local part of at most 16 letters, digits, ".", "_" or "-"), e.g. bounces@sigwatch.example')
      .optional(),
  ),
  /** The inbound role's SMTP listener: bounces (MAIL_RETURN_PATH) and mailto: unsubscribes (MAIL_FROM). */
  INBOUND_SMTP_HOST: envString('0.0.0.0'),
  INBOUND_SMTP_PORT: envInt(2525, 0, 65535),
  /** PEM certificate chain and private key for the inbound listener's STARTTLS (both or neither; neither = no STARTTLS). */
  INBOUND_TLS_CERT_FILE: envOptionalString(),
  INBOUND_TLS_KEY_FILE: envOptionalString(),
  /**
   * Which roles this process runs: any of follow,match,deliver,inbound (default follow,match,deliver; the
   * inbound role listens for mail and runs where the MX of MAIL_FROM's and MAIL_RETURN_PATH's domains points).
   */
  WORKER_ROLES: envString('follow,match,deliver').pipe(
    z
      .string()
      .transform((s) => s.split(',').map((r) => r.trim()).filter((r) => r !== ''))
      .pipe(z.array(z.enum(['follow', 'match', 'deliver', 'inbound'], { error: 'roles are follow, match, deliver and inbound' })).min(1)),
  ),
});

export type WorkerConfig = Readonly<z.output<typeof WorkerEnvSchema>>;

/** TILE_TAIL_WAIT_MS, blank meaning one poll interval. */
export function tileTailWaitMs(config: Pick<WorkerConfig, 'TILE_TAIL_WAIT_MS' | 'POLL_INTERVAL_MS'>): number {
  return config.TILE_TAIL_WAIT_MS ?? config.POLL_INTERVAL_MS;
}

export function loadConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  return Object.freeze(parseEnv(WorkerEnvSchema, source));
}
