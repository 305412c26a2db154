/**
 * The whole product in Debian's chromium (playwright-core), against real servers on 127.0.0.1: the API
 * (listening), the log simulator, the worker's follow + match + deliver roles, PostgreSQL, Redis, an SMTP
 * capture and a webhook receiver. Sign up through the form → the verification mail arrives → follow its
 * link → log in → create a subscription from the GitHub-repository template → the simulator appends a
 * matching entry → the alert appears in the history and its e-mail arrives → add a webhook, send a test
 * event, receive it signed → the alert mail bounces (a delivery report to its VERP return path, taken by
 * the worker's inbound role) → the address shows bounced, "Resume alerts" → create an API token → log out.
 * Screenshots go to test-results/screenshots/.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTransport } from 'nodemailer';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '@sigwatch/db';
import { createRedis } from '@sigwatch/queue';
import { loadConfig as loadApiConfig } from '../../apps/api/src/config.js';
import { createDeps, type ApiDeps } from '../../apps/api/src/deps.js';
import { buildApp } from '../../apps/api/src/app.js';
import { loadConfig as loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startRoles, type RunningRoles } from '../../apps/worker/src/roles.js';
import { dsnMail } from '../../apps/worker/src/inbound/testing/report-mail.js';
import { WorkerRegistry } from '../../apps/worker/src/workers.js';
import { startSimulator, type Simulator } from '../sim/server.js';
import { testEnv, testRedisPrefix } from '../harness/env.js';
import { repoRoot } from '../harness/paths.js';
import { freePort } from '../harness/ports.js';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../harness/smtp-capture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const SHOTS = join(repoRoot, 'test-results', 'screenshots');
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const EMAIL = `maintainer-${Date.now().toString(36)}@example.com`;
const PASSWORD = 'a sufficiently long password';

let dir: string;
let sim: Simulator;
let smtp: SmtpCapture;
let rx: WebhookReceiver;
let api: FastifyInstance;
let apiDeps: ApiDeps;
let base: string;
let db: Db;
let workerRedis: Redis;
let workerConn: Redis;
let registry: WorkerRegistry;
let roles: RunningRoles;
let browser: Browser;
let page: Page;
let inboundPort: number;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  await mkdir(SHOTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-browser-'));
  sim = await startSimulator({ dir, port: 0, seed: 42 });
  smtp = await startSmtpCapture();
  rx = await startWebhookReceiver();
  const prefix = testRedisPrefix('browser');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const shared = { REDIS_PREFIX: prefix, SMTP_URL: smtp.url, PUBLIC_URL: base, WEBHOOK_ALLOW_PRIVATE: 'true' };

  apiDeps = createDeps(loadApiConfig(testEnv(shared)));
  api = Fastify({ logger: false });
  await buildApp(api, apiDeps);
  await api.listen({ port, host: '127.0.0.1' });

  inboundPort = await freePort();
  const wconfig = loadWorkerConfig(
    testEnv({
      ...shared,
      SIGWATCH_LOGS: sim.logsJsonPath,
      SIGWATCH_TRUSTED_ROOT: sim.trustedRootPath,
      POLL_INTERVAL_MS: '200',
      WORKER_ROLES: 'follow,match,deliver,inbound',
      MAIL_RETURN_PATH: 'bounces@sigwatch.localhost',
      INBOUND_SMTP_HOST: '127.0.0.1',
      INBOUND_SMTP_PORT: String(inboundPort),
    }),
  );
  db = createDb(wconfig.DATABASE_URL);
  workerRedis = createRedis(wconfig.REDIS_URL, 'client');
  workerConn = createRedis(wconfig.REDIS_URL, 'worker');
  const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
  registry = new WorkerRegistry(workerConn, prefix, log);
  roles = await startRoles({ config: wconfig, db, redis: workerRedis, workers: registry, log });

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await roles?.stop();
  await registry?.closeAll();
  workerConn?.disconnect();
  workerRedis?.disconnect();
  await db?.$disconnect();
  await api?.close();
  await apiDeps?.close();
  await rx?.close();
  await smtp?.close();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('in the browser', () => {
  it('signs up, subscribes, sees an alert arrive, sees it bounce and resumes, tests a webhook, makes a token and logs out', async () => {
    // Home page with the log status.
    await page.goto(`${base}/`);
    await expect.poll(() => page.title()).toContain('Sigwatch');
    await shot('01-home');

    // Sign up through the form.
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('E-mail address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await shot('02-signup');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(`${base}/check-mail`);
    await shot('03-check-mail');

    // The verification mail arrives; follow its link.
    const mail = await smtp.waitFor((m) => m.to.includes(EMAIL) && m.subject.includes('Confirm'));
    await page.goto(linkIn(mail, '/verify-email'));
    await page.waitForURL(`${base}/login`);
    expect(await page.textContent('.flash')).toContain('confirmed');

    // Log in.
    await page.getByLabel('E-mail address').first().fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await shot('04-login');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(`${base}/dashboard`);
    await shot('05-dashboard');

    // A subscription from the GitHub-repository template (the confirmed address is ticked by default).
    await page.goto(`${base}/subscriptions/new`);
    await page.getByLabel('Name', { exact: true }).fill('acme/widget releases');
    await page.locator('select[name="template"]').selectOption('github-repository');
    await page.locator('input[name="github-repository.repository"]').fill('acme/widget');
    await page.getByRole('button', { name: 'Preview matches' }).click();
    await expect.poll(() => page.textContent('body')).toContain('most recent entries would have matched');
    await shot('06-new-subscription-preview');
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.waitForURL(/\/subscriptions\/[0-9a-f-]{36}$/);
    await shot('07-subscription');

    // The simulator appends an entry signed by the repository's workflow once the follower is at the head.
    const v1 = await until('the follower to start on the rekor-v1 log', () => db.log.findFirst({ where: { kind: 'rekor_v1', position: { isNot: null } } }));
    const identity = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0.0';
    const match = await until(
      'a Match for the new subscription',
      async () => {
        await sim.append('rekor-v1', { count: 1, identity, issuer: GITHUB_ISSUER });
        return db.match.findFirst({ where: { subscription: { user: { email: EMAIL } }, logId: v1.id } });
      },
      60_000,
    );
    expect(match.value).toBe('https://github.com/acme/widget');

    // The alert is in the history, and its e-mail arrives.
    await until('the alert on the history page', async () => {
      await page.goto(`${base}/alerts`);
      return (await page.textContent('main'))?.includes('acme/widget releases');
    });
    await shot('08-alerts');
    const alertMail = await smtp.waitFor((m) => m.to.includes(EMAIL) && !m.subject.includes('Confirm'), 30_000);
    expect(alertMail.text + (alertMail.html ?? '')).toContain('acme/widget');
    await page.goto(`${base}/alerts/${match.id}`);
    await until('the e-mail delivery to show as sent', async () => {
      await page.reload();
      return (await page.textContent('main'))?.includes('sent');
    });
    await shot('09-alert-detail');

    // The alert mail bounces: the recipient's server mails a delivery report to its return path, where
    // the worker's inbound role listens. The address shows bounced with the reason; "Resume alerts".
    expect(alertMail.from).toMatch(/^bounces\+[0-9a-f]{32}\.[A-Za-z0-9_-]{12}@sigwatch\.localhost$/);
    const mx = createTransport({ host: '127.0.0.1', port: inboundPort, secure: false, ignoreTLS: true });
    const messageId = (alertMail.headers.get('message-id') ?? '').replace(/^<|>$/g, '');
    await mx.sendMail({
      envelope: { from: '', to: [alertMail.from] },
      raw: dsnMail({ to: alertMail.from, failedRecipient: EMAIL, action: 'failed', status: '5.1.1', diagnostic: `550 5.1.1 <${EMAIL}>: Recipient address rejected: User unknown`, originalMessageId: messageId }),
    });
    mx.close();
    await page.goto(`${base}/dashboard`);
    expect(await page.getByRole('alert').first().textContent()).toContain(`Alert mail to ${EMAIL} bounced`);
    await page.getByRole('alert').first().getByRole('link', { name: 'e-mail addresses' }).click();
    await page.waitForURL(`${base}/emails`);
    expect(await page.textContent('main')).toContain('bounced');
    expect(await page.textContent('main')).toContain('User unknown');
    await shot('10-address-bounced');
    await page.getByRole('button', { name: 'Resume alerts' }).click();
    await page.getByText(`Alert mail goes to ${EMAIL} again.`).waitFor();
    expect(await page.textContent('main')).toContain('confirmed');

    // A webhook: the secret is shown once; a test event arrives signed with it.
    await page.goto(`${base}/webhooks`);
    await page.getByLabel('Endpoint URL').fill(rx.url('/sigwatch'));
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await page.textContent('#webhook-secret'))?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    await shot('11-webhook-secret');
    await page.getByRole('link', { name: rx.url('/sigwatch') }).click();
    await page.getByRole('button', { name: 'Send test event' }).click();
    // The form's POST redirects back with a notice; reloading before that page has loaded raced the
    // navigation ("Not attached to an active page").
    await page.getByText('Test event queued').waitFor();
    const req = await rx.waitFor((r) => r.path === '/sigwatch', 30_000);
    const id = String(req.headers['webhook-id']);
    const ts = String(req.headers['webhook-timestamp']);
    const want = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${ts}.${req.body}`).digest();
    const ok = String(req.headers['webhook-signature'])
      .split(' ')
      .some((s) => {
        const got = Buffer.from(s.split(',')[1] ?? '', 'base64');
        return s.startsWith('v1,') && got.length === want.length && timingSafeEqual(got, want);
      });
    expect(ok).toBe(true);
    expect(JSON.parse(req.body).type).toBe('test');
    await until('the attempt on the webhook page', async () => {
      await page.reload();
      return (await page.textContent('main'))?.includes('#1');
    });
    await shot('12-webhook-attempts');

    // An API token, shown once, that works.
    await page.goto(`${base}/tokens`);
    await page.getByLabel('Token name').fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.textContent('#api-token'))?.trim() ?? '';
    expect(token).toMatch(/^sgw_/);
    await shot('13-api-token');
    const res = await fetch(`${base}/api/v1/subscriptions`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: { name: string }[] }).items[0]?.name).toBe('acme/widget releases');

    // Log out: back home, and the dashboard asks for a login again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/dashboard`);
    expect(page.url()).toContain('/login');
    await shot('14-logged-out');
  });
});
