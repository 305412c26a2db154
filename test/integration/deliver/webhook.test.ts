/** Signed webhooks end to end: real receivers on 127.0.0.1, real Postgres/Redis/SMTP, short retry schedule. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture.js';
import { startWebhookReceiver, type ReceiverOptions, type WebhookReceiver } from '../../harness/webhook-receiver.js';
import { SECRET, makeEndpoint, makeMatchDelivery, makeSubscription, makeUser, startHarness, type Harness } from './fixtures.js';

/**
 * Standard Webhooks verification written from the specification, independent of our signer: the signed
 * content is "{id}.{timestamp}.{body}", the key is the base64 after "whsec_", the header holds
 * space-delimited "v1,<base64>" entries, one must match in constant time, and the timestamp must be recent.
 */
function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string, nowSeconds = Date.now() / 1000): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return false;
  if (!/^\d+$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return sigs.split(' ').some((entry) => {
    const [version, b64] = entry.split(',', 2);
    if (version !== 'v1' || b64 === undefined) return false;
    const given = Buffer.from(b64, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

let smtp: SmtpCapture;
let h: Harness;
const receivers: WebhookReceiver[] = [];
async function receiver(respond?: ReceiverOptions['respond']): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(respond === undefined ? {} : { respond });
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  h = await startHarness({ SMTP_URL: smtp.url, WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_RETRY_SCHEDULE: '100,150,200,250' });
  await h.start();
});
afterAll(async () => {
  await h.close();
  await Promise.all(receivers.map((r) => r.close()));
  await smtp.close();
});

async function setup(url: string, extra: Parameters<typeof makeEndpoint>[3] = {}) {
  const user = await makeUser(h.db);
  const endpoint = await makeEndpoint(h.db, user.id, url, extra);
  const sub = await makeSubscription(h.db, user.id, { name: 'hooks' });
  return { user, endpoint, sub };
}

describe('webhooks', () => {
  it('POSTs a match.created event whose signature verifies with an independent Standard Webhooks check', async () => {
    const rx = await receiver();
    const { endpoint, sub } = await setup(rx.url('/in'));
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    const req = await rx.waitFor(() => true);
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['connection']).toBe('close');
    expect(req.headers['webhook-id']).toBe(d.id);
    expect(verifyStandardWebhook(SECRET, req.headers, req.body)).toBe(true);
    expect(verifyStandardWebhook(SECRET, req.headers, req.body.replace('hooks', 'hookz'))).toBe(false);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      type: 'match.created',
      data: {
        subscription: { id: sub.id, name: 'hooks', url: `http://localhost:8080/subscriptions/${sub.id}` },
        match: { field: 'certSubject' },
        event: { kind: 'hashedrekord', certificate: { issuer: 'https://token.actions.githubusercontent.com' } },
        links: { entry: expect.stringMatching(/^https:\/\/search\.sigstore\.dev\/\?logIndex=\d+$/) },
      },
    });
    expect(Buffer.byteLength(req.body)).toBeLessThan(20_000);
    const done = await h.waitForStatus(d.id, ['sent']);
    expect(done.attemptCount).toBe(1);
    const [a] = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id } });
    expect(a).toMatchObject({ number: 1, ok: true, statusCode: 200, responseExcerpt: 'ok' });
  });

  it('signs with both secrets during a rotation', async () => {
    const rx = await receiver();
    const previous = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const { endpoint, sub } = await setup(rx.url(), { previousSecret: previous, previousSecretExpiresAt: new Date(Date.now() + 24 * 3_600_000) });
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    const req = await rx.waitFor(() => true);
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(SECRET, req.headers, req.body)).toBe(true);
    expect(verifyStandardWebhook(previous, req.headers, req.body)).toBe(true);
  });

  it('retries a receiver that fails 3 times; the 4th gets the same webhook-id and body; every attempt is recorded', async () => {
    const rx = await receiver((n) => (n <= 3 ? { status: n === 2 ? 429 : 503, body: `nope ${n}` } : { status: 204 }));
    const { endpoint, sub } = await setup(rx.url());
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    await rx.waitForCount(4, 15_000);
    const done = await h.waitForStatus(d.id, ['sent']);
    expect(new Set(rx.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([d.id]));
    expect(new Set(rx.requests.map((r) => r.body)).size).toBe(1);
    expect(rx.requests.every((r) => verifyStandardWebhook(SECRET, r.headers, r.body))).toBe(true);
    const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { number: 'asc' } });
    expect(attempts.map((a) => [a.number, a.ok, a.statusCode])).toEqual([
      [1, false, 503],
      [2, false, 429],
      [3, false, 503],
      [4, true, 204],
    ]);
    expect(attempts[0]?.error).toMatch(/^HTTP_SERVER_ERROR: the receiver answered 503/);
    expect(attempts[0]?.responseExcerpt).toBe('nope 1');
    expect(attempts.every((a) => a.durationMs >= 0)).toBe(true);
    // Gaps follow the schedule (100, 150, 200 ms ± 20 %), not immediate retries.
    const gaps = rx.requests.slice(1).map((r, i) => r.receivedAt - (rx.requests[i] as { receivedAt: number }).receivedAt);
    expect(gaps.every((g) => g >= 70)).toBe(true);
    expect(done).toMatchObject({ status: 'sent', attemptCount: 4, lastError: null });
  });

  it('honours Retry-After on 429 when it is longer than the schedule step', async () => {
    const rx = await receiver((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const { endpoint, sub } = await setup(rx.url());
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    await rx.waitForCount(2, 10_000);
    const [first, second] = rx.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
    await h.waitForStatus(d.id, ['sent']);
  });

  it('disables an always-failing endpoint after the schedule and e-mails its owner exactly once', async () => {
    const rx = await receiver(() => ({ status: 500 }));
    const { user, endpoint, sub } = await setup(rx.url());
    const d1 = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    const d2 = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d1.id);
    await h.enqueue(d2.id);
    const f1 = await h.waitForStatus(d1.id, ['failed', 'disabled']);
    const f2 = await h.waitForStatus(d2.id, ['failed', 'disabled']);
    expect([f1, f2].some((d) => d.status === 'failed' && /^SCHEDULE_EXHAUSTED/.test(d.lastError ?? ''))).toBe(true);
    const e = await h.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(e).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/failed over the retry schedule/) });
    const mail = await smtp.waitFor((m) => m.to.includes(user.email));
    expect(mail.subject).toBe('[Sigwatch] A webhook endpoint was disabled');
    expect(mail.text).toContain(rx.url());
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    await new Promise((r) => setTimeout(r, 800));
    expect(smtp.messages.filter((m) => m.to.includes(user.email))).toHaveLength(1);
    const attempts = await h.db.deliveryAttempt.count({ where: { deliveryId: f1.status === 'failed' ? d1.id : d2.id } });
    expect(attempts).toBe(5);
    // A later alert to the disabled endpoint is not sent.
    const d3 = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    const before = rx.requests.length;
    await h.enqueue(d3.id);
    expect((await h.waitForStatus(d3.id, ['disabled'])).lastError).toMatch(/endpoint is disabled/);
    expect(rx.requests.length).toBe(before);
  });

  it('disables the endpoint at once on 410 Gone', async () => {
    const rx = await receiver(() => ({ status: 410 }));
    const { user, endpoint, sub } = await setup(rx.url());
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    const f = await h.waitForStatus(d.id, ['failed']);
    expect(f).toMatchObject({ attemptCount: 1, lastError: expect.stringMatching(/^HTTP_GONE/) });
    expect((await h.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).enabled).toBe(false);
    await smtp.waitFor((m) => m.to.includes(user.email));
    expect(rx.requests).toHaveLength(1);
  });

  it('does not follow redirects (a 302 to another local server is a failed attempt)', async () => {
    const target = await receiver();
    const rx = await receiver(() => ({ status: 302, headers: { location: target.url('/internal') } }));
    const { endpoint, sub } = await setup(rx.url());
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    await h.waitForStatus(d.id, ['failed']);
    const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id } });
    expect(attempts[0]).toMatchObject({ ok: false, statusCode: 302, error: expect.stringMatching(/^HTTP_REDIRECT: .*redirects are not followed/) });
    expect(target.requests).toHaveLength(0);
  });

  it('reads at most 64 KB of an answer and stores a short excerpt', async () => {
    const rx = await receiver(() => ({ status: 200, bodyBytes: 5_000_000 }));
    const { endpoint, sub } = await setup(rx.url());
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    await h.waitForStatus(d.id, ['sent']);
    const [a] = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id } });
    expect(a?.responseExcerpt).toHaveLength(1024);
    expect(a?.durationMs).toBeLessThan(5_000);
  });

  it('gives up on a slow receiver at the time limit and records TIMEOUT', async () => {
    await h.start({}, { webhookLimits: { headersTimeoutMs: 300, totalTimeoutMs: 500 } });
    try {
      const rx = await receiver(() => ({ status: 200, delayMs: 3_000 }));
      const { endpoint, sub } = await setup(rx.url());
      const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
      await h.enqueue(d.id);
      await rx.waitForCount(2, 10_000);
      const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { number: 'asc' } });
      expect(attempts[0]?.error).toMatch(/^TIMEOUT/);
      expect(attempts[0]?.durationMs).toBeLessThan(1_500);
    } finally {
      await h.start();
    }
  });

  it('caps in-flight requests per endpoint so a slow endpoint does not delay another', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 1_500 }));
    const fast = await receiver();
    const s = await setup(slow.url());
    const f = await setup(fast.url());
    const slowDs = [];
    for (let i = 0; i < 8; i++) slowDs.push(await makeMatchDelivery(h.db, s.sub, { webhookEndpointId: s.endpoint.id }));
    const fastDs = [];
    for (let i = 0; i < 4; i++) fastDs.push(await makeMatchDelivery(h.db, f.sub, { webhookEndpointId: f.endpoint.id }));
    const t0 = Date.now();
    for (const d of slowDs) await h.enqueue(d.id);
    for (const d of fastDs) await h.enqueue(d.id);
    await fast.waitForCount(4, 5_000);
    const fastDone = Date.now() - t0;
    expect(fastDone).toBeLessThan(1_400);
    await slow.waitForCount(8, 20_000);
    expect(slow.maxInFlight()).toBeLessThanOrEqual(2);
    await Promise.all(slowDs.map((d) => h.waitForStatus(d.id, ['sent'])));
    // Waiting for a slot is not an attempt.
    expect(await h.db.deliveryAttempt.count({ where: { deliveryId: { in: slowDs.map((d) => d.id) } } })).toBe(8);
  });

  it('lets a burst to one fast endpoint flow at its in-flight cap', async () => {
    const rx = await receiver();
    const { endpoint, sub } = await setup(rx.url());
    const ds = [];
    for (let i = 0; i < 200; i++) ds.push(await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id }));
    const t0 = Date.now();
    await h.producers.deliveries.addBulk(ds.map((d) => ({ jobId: `delivery-${d.id}`, data: { deliveryId: d.id } })));
    await rx.waitForCount(200, 60_000);
    const seconds = (Date.now() - t0) / 1000;
    process.stdout.write(`burst: 200 webhooks to one endpoint in ${seconds.toFixed(1)} s (${(200 / seconds).toFixed(0)}/s), max ${rx.maxInFlight()} in flight\n`);
    const durations = (await h.db.deliveryAttempt.findMany({ where: { deliveryId: { in: ds.map((d) => d.id) } }, select: { durationMs: true } })).map((a) => a.durationMs);
    const gaps = rx.requests.slice(-200).map((r, i, all) => (i === 0 ? 0 : r.receivedAt - (all[i - 1] as { receivedAt: number }).receivedAt));
    process.stdout.write(`burst: request ${(durations.reduce((a, b) => a + b, 0) / durations.length).toFixed(1)} ms on average; largest gap between arrivals ${Math.max(...gaps)} ms\n`);
    expect(rx.maxInFlight()).toBeLessThanOrEqual(2);
    expect(new Set(rx.requests.map((r) => r.headers['webhook-id'])).size).toBe(200);
  });

  it('sends a test event with the stored payload, and never sends a settled delivery again', async () => {
    const rx = await receiver();
    const { user, endpoint } = await setup(rx.url());
    const d = await h.db.delivery.create({
      data: { kind: 'test', userId: user.id, channel: 'webhook', channelKey: `webhook:${endpoint.id}`, webhookEndpointId: endpoint.id, payload: { message: 'hello from the API' } },
    });
    await h.enqueue(d.id);
    const req = await rx.waitFor(() => true);
    expect(JSON.parse(req.body)).toMatchObject({ type: 'test', data: { message: 'hello from the API' } });
    await h.waitForStatus(d.id, ['sent']);
    // A duplicate job (another id, as after a lost completion) finds the delivery sent and does nothing.
    await h.producers.deliveries.queue.add('deliveries', { deliveryId: d.id }, { jobId: `delivery-${d.id}-dup` });
    await new Promise((r) => setTimeout(r, 700));
    expect(rx.requests).toHaveLength(1);
  });

  it('retries a failed delivery on request (reset to pending + re-enqueue, as the API does)', async () => {
    let up = false;
    const rx = await receiver(() => (up ? { status: 200 } : { status: 500 }));
    const { endpoint, sub } = await setup(rx.url());
    // The schedule runs out (and disables the endpoint); the user fixes the receiver, enables it, retries.
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    await h.waitForStatus(d.id, ['failed']);
    await h.db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: true, disabledAt: null, disabledReason: null } });
    up = true;
    await h.db.delivery.update({ where: { id: d.id }, data: { status: 'pending', lastError: null } });
    await h.enqueue(d.id);
    const done = await h.waitForStatus(d.id, ['sent']);
    expect(done.attemptCount).toBe(6);
    expect(new Set(rx.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([d.id]));
  });
});
