/**
 * The deliver role: the `deliveries` worker (e-mail and webhooks), the digest sweep, and a safety net that
 * re-adds jobs for deliveries left `pending`/`retrying` without one (a crash between a transaction and its
 * enqueue, a Redis that lost data). Re-adding `delivery-<id>` is a no-op while the job exists, and the
 * processor skips what is already settled, so the net can never double a delivery.
 */
import { loadDkim, tokenSecret } from '@sigwatch/config';
import { DELIVERY_RETRY_SCHEDULE_MS, Producer, QueueName, deliveryJobId, type DeliveryPayload } from '@sigwatch/queue';
import type { RoleDeps } from '../roles.js';
import { createDeliveryProcessor } from './delivery-worker.js';
import { sendDueDigests } from './digest.js';
import { createMailer } from './email.js';
import { createEndpointLimiter } from './endpoint-limiter.js';
import { Links } from './links.js';
import { createMailCap } from './mail-cap.js';
import { backoffStrategy } from './schedule.js';
import type { Resolver } from './ssrf-guard.js';
import { DEFAULT_WEBHOOK_LIMITS, type WebhookLimits } from './webhook.js';

export interface DeliverRoleOptions {
  /** DNS for webhook hosts (tests inject one); default the system resolver. */
  resolve?: Resolver;
  webhookLimits?: Partial<WebhookLimits>;
  now?: () => Date;
  /** A pending delivery older than this without progress gets its job re-added. */
  orphanAfterMs?: number;
}

export async function startDeliverRole(deps: RoleDeps, options: DeliverRoleOptions = {}): Promise<() => Promise<void>> {
  const { config, db, redis, workers } = deps;
  const log = deps.log.child({ role: 'deliver' });
  const secret = tokenSecret(config);
  if (secret === undefined) {
    throw new Error('the deliver role signs unsubscribe links: set UNSUBSCRIBE_SECRET (or SESSION_SECRET, shared with the API)');
  }
  const now = options.now ?? (() => new Date());
  const schedule = config.DELIVERY_RETRY_SCHEDULE ?? DELIVERY_RETRY_SCHEDULE_MS;
  const mailer = createMailer(config.SMTP_URL, config.MAIL_FROM, {
    dkim: loadDkim(config),
    returnPath: config.MAIL_RETURN_PATH === undefined ? undefined : { base: config.MAIL_RETURN_PATH, secret },
  });
  const links = new Links(config.PUBLIC_URL, secret);
  const producer = new Producer(QueueName.Deliveries, redis, config.REDIS_PREFIX);
  const processor = createDeliveryProcessor({
    db,
    log,
    mailer,
    mail: { links, fromAddress: mailer.fromAddress },
    limiter: createEndpointLimiter(redis, config.REDIS_PREFIX, config.WEBHOOK_MAX_IN_FLIGHT),
    mailCap: createMailCap(redis, config.REDIS_PREFIX, config.EMAIL_HOURLY_CAP),
    guard: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, ...(options.resolve === undefined ? {} : { resolve: options.resolve }) },
    webhookLimits: { ...DEFAULT_WEBHOOK_LIMITS, ...options.webhookLimits },
    schedule,
    publicUrl: config.PUBLIC_URL,
    producer,
    now,
  });
  const worker = workers.register<DeliveryPayload>(QueueName.Deliveries, processor, {
    concurrency: config.DELIVERY_CONCURRENCY,
    settings: { backoffStrategy: backoffStrategy(schedule) },
    // A killed worker's job is picked up again within ~10–30 s (the lock is renewed while a job runs, so a
    // short lock only speeds up the detection); it is failed as stalled only after many such restarts.
    lockDuration: 20_000,
    stalledInterval: 10_000,
    maxStalledCount: 10,
  });

  const orphanAfterMs = options.orphanAfterMs ?? 5 * 60_000;
  let sweeping: Promise<void> | undefined;
  const sweep = async (): Promise<void> => {
    try {
      await sendDueDigests({ db, redis, prefix: config.REDIS_PREFIX, mailer, links, log, now });
      const stale = await db.delivery.findMany({
        where: {
          status: { in: ['pending', 'retrying'] },
          updatedAt: { lt: new Date(now().getTime() - orphanAfterMs) },
          OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lt: new Date(now().getTime() - orphanAfterMs) } }],
        },
        select: { id: true },
        take: 1000,
      });
      await producer.addBulk(stale.map((d) => ({ jobId: deliveryJobId(d.id), data: { deliveryId: d.id } })));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'delivery sweep failed; will try again');
    }
  };
  const timer = setInterval(() => {
    sweeping ??= sweep().finally(() => {
      sweeping = undefined;
    });
  }, config.DIGEST_SWEEP_INTERVAL_MS);
  timer.unref();
  log.info({ concurrency: config.DELIVERY_CONCURRENCY, schedule: schedule.length }, 'deliver role started');

  return async () => {
    clearInterval(timer);
    await sweeping;
    await worker.close();
    await producer.close();
    mailer.close();
  };
}
