/**
 * The `deliveries` processor: one job per Delivery row (job id `delivery-<id>`), e-mail or webhook.
 *
 *   load → skip unless pending/retrying (idempotent: a re-added or duplicated job sends nothing twice)
 *        → refuse what must not go out (muted subscription, unverified/unsubscribed/bounced address, disabled
 *          endpoint) as `disabled`
 *        → e-mail alerts over the hourly cap, or of digest subscriptions, become `digested`
 *        → webhooks wait for a per-endpoint slot (DelayedError: not an attempt)
 *        → send, and record the attempt and the new state in one transaction.
 *
 * Failures (DeliveryError): transient and schedule left → `retrying` and rethrown, BullMQ retries after the
 * `delivery-schedule` backoff; permanent or last → `failed` (410 and an exhausted webhook also disable the
 * endpoint and e-mail its owner once) and UnrecoverableError. Anything else (database down, a bug) is
 * rethrown unrecorded and retried by BullMQ.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '@sigwatch/db';
import { DeliveryPayload, MAX_DELIVERY_ATTEMPTS, deliveryJobId, type Producer, type QueueName } from '@sigwatch/queue';
import { deliveryMail, webhookBody, type MailContext } from './compose.js';
import { disableEndpoint, loadDelivery, recordAttempt, settleWithoutAttempt, type LoadedDelivery } from './delivery-store.js';
import type { Mailer } from './email.js';
import type { EndpointLimiter } from './endpoint-limiter.js';
import { addressGone, bounceReasonText, enhancedStatusIn, markAddressBounced } from './bounces.js';
import { DeliveryError, describeError } from './errors.js';
import type { MailCap } from './mail-cap.js';
import { isLastAttempt, nextDelay } from './schedule.js';
import { attemptSeconds, attemptsTotal, endpointBusyTotal, settledTotal } from './delivery-metrics.js';
import type { GuardOptions } from './ssrf-guard.js';
import { sendWebhook, type WebhookLimits } from './webhook.js';

export interface DeliveryDeps {
  db: Db;
  log: Logger;
  mailer: Mailer;
  mail: MailContext;
  limiter: EndpointLimiter;
  mailCap: MailCap;
  guard: GuardOptions;
  webhookLimits: WebhookLimits;
  schedule: readonly number[];
  publicUrl: string;
  /** Where notices (endpoint disabled) are enqueued. */
  producer: Producer<typeof QueueName.Deliveries>;
  now: () => Date;
}

/**
 * Jobs whose endpoint is at its in-flight cap are put back as delayed. The delay grows with how many such
 * bounces this process saw for the endpoint in the last two seconds (a backlog estimate), so a burst of
 * thousands of alerts to one endpoint comes back spread out instead of spinning; and a bounced job's
 * endpoint is remembered, so its next try asks Redis for a slot before it touches Postgres.
 */
const BUSY_BASE_MS = 250;
const BUSY_PER_BOUNCE_MS = 20;
const BUSY_MAX_MS = 30_000;
const REMEMBER_MAX = 100_000;

export function createDeliveryProcessor(deps: DeliveryDeps) {
  const endpointOf = new Map<string, string>();
  const bounces = new Map<string, { since: number; count: number }>();

  const bounce = async (job: Job<DeliveryPayload>, token: string | undefined, deliveryId: string, endpointId: string): Promise<never> => {
    const now = Date.now();
    const b = bounces.get(endpointId);
    const window = b !== undefined && now - b.since < 2_000 ? b : { since: now, count: 0 };
    window.count += 1;
    bounces.set(endpointId, window);
    if (endpointOf.size >= REMEMBER_MAX) endpointOf.delete(endpointOf.keys().next().value as string);
    endpointOf.set(deliveryId, endpointId);
    endpointBusyTotal.inc();
    const spread = Math.min(BUSY_MAX_MS, window.count * BUSY_PER_BOUNCE_MS);
    await job.moveToDelayed(now + BUSY_BASE_MS + Math.floor(Math.random() * (BUSY_BASE_MS + spread)), token);
    throw new DelayedError();
  };

  return async (job: Job<DeliveryPayload>, token?: string): Promise<string> => {
    const { deliveryId } = DeliveryPayload.parse(job.data);
    let held: { endpointId: string; lease: string } | undefined;
    const remembered = endpointOf.get(deliveryId);
    if (remembered !== undefined) {
      const lease = await deps.limiter.acquire(remembered);
      if (lease === undefined) return bounce(job, token, deliveryId, remembered);
      held = { endpointId: remembered, lease };
    }
    try {
      const d = await loadDelivery(deps.db, deliveryId);
      const log = deps.log.child({ deliveryId, jobId: job.id, kind: d?.kind, channel: d?.channel });
      endpointOf.delete(deliveryId);
      if (d === null) {
        log.info('delivery no longer exists; nothing to do');
        return 'missing';
      }
      if (d.status !== 'pending' && d.status !== 'retrying') return `already ${d.status}`;

      const refusal = refusalReason(d);
      if (refusal !== undefined) {
        await settleWithoutAttempt(deps.db, d.id, 'disabled', refusal);
        settledTotal.inc({ channel: d.channel, status: 'disabled' });
        log.info({ reason: refusal }, 'delivery disabled');
        throw new UnrecoverableError(refusal);
      }
      if (d.channel === 'email' && d.kind === 'match' && (await goesToDigest(d, deps))) {
        await settleWithoutAttempt(deps.db, d.id, 'digested', null);
        settledTotal.inc({ channel: d.channel, status: 'digested' });
        return 'digested';
      }
      const endpointId = d.webhookEndpointId;
      if (d.channel === 'webhook' && endpointId !== null && held?.endpointId !== endpointId) {
        if (held !== undefined) await deps.limiter.release(held.endpointId, held.lease);
        held = undefined;
        const lease = await deps.limiter.acquire(endpointId);
        if (lease === undefined) return await bounce(job, token, deliveryId, endpointId);
        held = { endpointId, lease };
      }
      return await attempt(d, job, deps, log);
    } finally {
      if (held !== undefined) await deps.limiter.release(held.endpointId, held.lease).catch(() => {});
    }
  };
}

function refusalReason(d: LoadedDelivery): string | undefined {
  const sub = d.match?.subscription;
  if (d.kind === 'match' && sub !== undefined && (sub.mutedAt !== null || !sub.enabled)) {
    return `RECIPIENT_NOT_ALLOWED: the subscription is ${sub.mutedAt !== null ? 'muted' : 'disabled'}`;
  }
  if (d.channel === 'email' && d.kind !== 'notice') {
    const a = d.emailAddress;
    if (a === null) return 'MISSING_DATA: the e-mail address no longer exists';
    if (a.verifiedAt === null) return 'RECIPIENT_NOT_ALLOWED: the address is not verified';
    if (a.unsubscribedAt !== null) return 'RECIPIENT_NOT_ALLOWED: the address unsubscribed from alert mail';
    if (a.bouncedAt !== null) return `RECIPIENT_NOT_ALLOWED: mail to the address bounced (${a.bounceReason ?? 'no reason given'}); resume it on the e-mail addresses page`;
  }
  if (d.channel === 'webhook') {
    const e = d.webhookEndpoint;
    if (e === null) return 'MISSING_DATA: the webhook endpoint no longer exists';
    if (!e.enabled) return `RECIPIENT_NOT_ALLOWED: the endpoint is disabled${e.disabledReason === null ? '' : ` (${e.disabledReason})`}`;
    if (d.kind === 'incident' && !e.includeIncidents) return 'RECIPIENT_NOT_ALLOWED: the endpoint does not receive log incidents';
  }
  return undefined;
}

/** Digest subscriptions always; otherwise when this first try is over the address's hourly cap. */
async function goesToDigest(d: LoadedDelivery, deps: DeliveryDeps): Promise<boolean> {
  if (d.match !== null && d.match.subscription.digest !== 'none') return true;
  if (d.attemptCount > 0 || d.emailAddressId === null) return false;
  return !(await deps.mailCap.take(d.emailAddressId, deps.now()));
}

async function attempt(d: LoadedDelivery, job: Job<DeliveryPayload>, deps: DeliveryDeps, log: Logger): Promise<string> {
  const number = d.attemptCount + 1;
  const startedAt = deps.now();
  const t0 = performance.now();
  const elapsed = (): number => Math.round(performance.now() - t0);
  try {
    let statusCode: number | undefined;
    let excerpt: string;
    if (d.channel === 'webhook') {
      const e = d.webhookEndpoint;
      if (e === null) throw new DeliveryError('MISSING_DATA', 'the webhook endpoint no longer exists', true);
      const res = await sendWebhook({ url: e.url, secrets: e, id: d.id, body: webhookBody(d, deps.publicUrl), now: deps.now() }, deps.guard, deps.webhookLimits);
      statusCode = res.statusCode;
      excerpt = res.responseExcerpt;
    } else {
      excerpt = (await deps.mailer.send(deliveryMail(d, deps.mail))).response.slice(0, 1024);
    }
    const durationMs = elapsed();
    await recordAttempt(deps.db, d.id, { number, startedAt, durationMs, ok: true, statusCode, responseExcerpt: excerpt }, { status: 'sent', sentAt: deps.now() });
    attemptsTotal.inc({ channel: d.channel, outcome: 'sent', code: '' });
    attemptSeconds.observe({ channel: d.channel }, durationMs / 1000);
    log.info({ attempt: number, durationMs, statusCode }, 'delivered');
    return 'sent';
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    return failed(d, job, deps, log, err, { number, startedAt, durationMs: elapsed() });
  }
}

async function failed(
  d: LoadedDelivery,
  job: Job<DeliveryPayload>,
  deps: DeliveryDeps,
  log: Logger,
  err: DeliveryError,
  a: { number: number; startedAt: Date; durationMs: number },
): Promise<never> {
  const jobAttempt = job.attemptsMade + 1;
  const last = err.permanent || isLastAttempt(deps.schedule, jobAttempt, job.opts.attempts ?? MAX_DELIVERY_ATTEMPTS);
  const error = describeError(err);
  const record = { ...a, ok: false, statusCode: err.statusCode, error, responseExcerpt: err.responseExcerpt };
  attemptsTotal.inc({ channel: d.channel, outcome: last ? 'failed' : 'retrying', code: err.code });
  attemptSeconds.observe({ channel: d.channel }, a.durationMs / 1000);
  if (!last) {
    const next = new Date(deps.now().getTime() + nextDelay(deps.schedule, jobAttempt, err.retryAfterMs, () => 0.5));
    await recordAttempt(deps.db, d.id, record, { status: 'retrying', nextAttemptAt: next, lastError: error });
    log.warn({ attempt: a.number, code: err.code, statusCode: err.statusCode }, 'delivery attempt failed; will retry');
    throw err;
  }
  const exhausted = !err.permanent;
  const lastError = exhausted ? `SCHEDULE_EXHAUSTED: no retry left after ${jobAttempt} attempts; last: ${error}` : error;
  // The endpoint is disabled before the delivery shows `failed`, so whoever sees the failure sees why.
  if (d.channel === 'webhook' && d.webhookEndpointId !== null && (err.code === 'HTTP_GONE' || exhausted)) {
    const reason = err.code === 'HTTP_GONE' ? 'it answered 410 Gone' : `every attempt to deliver ${d.id} failed over the retry schedule (last: ${error})`;
    const noticeId = await disableEndpoint(deps.db, d.webhookEndpointId, reason, deps.now());
    if (noticeId !== undefined) await deps.producer.add(deliveryJobId(noticeId), { deliveryId: noticeId });
    log.warn({ endpointId: d.webhookEndpointId, noticeId }, 'webhook endpoint disabled');
  }
  // The relay refused the recipient itself (550 5.1.1 …): the address is gone, as a bounce would say.
  const status = err.code === 'SMTP_PERMANENT' ? enhancedStatusIn(err.message) : undefined;
  if (d.channel === 'email' && d.kind !== 'notice' && d.emailAddressId !== null && addressGone(status)) {
    const { marked, noticeId } = await markAddressBounced(deps.db, d.emailAddressId, bounceReasonText(status, err.message.replace(/^the mail server refused: /, '')), deps.now(), 'smtp');
    if (noticeId !== undefined) await deps.producer.add(deliveryJobId(noticeId), { deliveryId: noticeId });
    log.warn({ emailAddressId: d.emailAddressId, status, marked, noticeId }, 'the mail server refused the address: marked bounced');
  }
  await recordAttempt(deps.db, d.id, record, { status: 'failed', lastError });
  log.warn({ attempt: a.number, code: err.code, statusCode: err.statusCode, exhausted }, 'delivery failed for good');
  throw new UnrecoverableError(lastError);
}
