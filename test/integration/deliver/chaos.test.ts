/**
 * Chaos (issue 7 acceptance): while the simulator appends 20,000 entries of which 2,000 are signed by a
 * subscribed identity, two worker processes (all roles, `apps/worker/src/main.ts`) are killed with SIGKILL at
 * 30 random moments and restarted, and Redis — a private redis-server with AOF `appendfsync always`, never
 * the shared one — is killed and restarted once. At the end every expected (subscription, entry, channel)
 * alert was delivered at least once, the receiver never saw two webhook-ids for one alert, and no alert
 * reached the SMTP server as two different messages. Exactly-once over SMTP is impossible when a process
 * can die between the server's "250 OK" and our commit; such an in-doubt mail is resent with the SAME
 * Message-ID (receivers collapse it) and the test reports how many there were (bounded by the kills).
 *
 * Minutes long, so opt-in: SIGWATCH_CHAOS=1 pnpm vitest run --project integration test/integration/deliver/chaos.test.ts
 * Sizes: CHAOS_ENTRIES (20000), CHAOS_MATCHES (2000), CHAOS_KILLS (30).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '@sigwatch/db';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { testDatabaseUrl, testEnv, testRedisPrefix } from '../../harness/env.js';
import { repoRoot } from '../../harness/paths.js';
import { freePort } from '../../harness/ports.js';
import { SMTPServer } from 'smtp-server';
import { startWebhookReceiver, type WebhookReceiver } from '../../harness/webhook-receiver.js';
import { SECRET } from './fixtures.js';

const ENTRIES = Number(process.env['CHAOS_ENTRIES'] ?? 20_000);
const MATCHES = Number(process.env['CHAOS_MATCHES'] ?? 2_000);
const KILLS = Number(process.env['CHAOS_KILLS'] ?? 30);
const IDENTITY = 'https://github.com/acme/chaos/.github/workflows/release.yml@refs/heads/main';
const LOG = 'rekor-v2' as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe.runIf(process.env['SIGWATCH_CHAOS'] === '1')('chaos: kill -9 workers and restart Redis during steady matching', () => {
  it(`delivers all ${MATCHES} alerts at least once, one webhook-id per alert, no duplicate mail`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwatch-chaos-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    // A private Redis that survives a kill -9 with nothing lost (AOF fsync on every write).
    const redisPort = await freePort();
    let redis: ChildProcess | undefined;
    const startRedis = async (): Promise<void> => {
      redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
      await sleep(500);
    };
    await startRedis();
    cleanups.push(async () => void redis?.kill('SIGKILL'));

    const sim: Simulator = await startSimulator({ dir: join(dir, 'sim'), port: 0, seed: 77 });
    cleanups.push(() => sim.close());
    // A minimal SMTP sink that survives clients killed mid-session (errors are expected here, so handled),
    // keeping the Message-ID of every accepted message.
    const accepted: string[] = [];
    const smtpServer = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        let head = '';
        stream.on('data', (c: Buffer) => {
          if (head.length < 8192) head += c.toString('utf8');
        });
        stream.on('end', () => {
          accepted.push(/^message-id:\s*(\S+)/im.exec(head)?.[1] ?? '');
          cb();
        });
      },
    });
    smtpServer.on('error', () => {});
    await new Promise<void>((r) => smtpServer.listen(0, '127.0.0.1', r));
    const smtp = { url: `smtp://127.0.0.1:${(smtpServer.server.address() as { port: number }).port}` };
    cleanups.push(() => new Promise<void>((r) => smtpServer.close(() => r())));
    const rx: WebhookReceiver = await startWebhookReceiver();
    cleanups.push(() => rx.close());

    const db = createDb(testDatabaseUrl());
    cleanups.push(() => db.$disconnect());
    const user = await db.user.create({ data: { email: `chaos-${Date.now()}@example.test`, verifiedAt: new Date() } });
    const address = await db.emailAddress.create({ data: { userId: user.id, address: `chaos-alerts-${Date.now()}@example.test`, verifiedAt: new Date() } });
    const endpoint = await db.webhookEndpoint.create({ data: { userId: user.id, url: rx.url('/chaos'), secret: SECRET } });
    const sub = await db.subscription.create({ data: { userId: user.id, name: 'chaos' } });
    await db.rule.create({ data: { subscriptionId: sub.id, definition: { san: { type: 'exact', value: IDENTITY } } } });
    await db.subscriptionChannel.create({ data: { subscriptionId: sub.id, type: 'email', emailAddressId: address.id } });
    await db.subscriptionChannel.create({ data: { subscriptionId: sub.id, type: 'webhook', webhookEndpointId: endpoint.id } });

    const env = {
      ...process.env,
      ...testEnv({
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        REDIS_PREFIX: testRedisPrefix('chaos'),
        SMTP_URL: smtp.url,
        SIGWATCH_LOGS: sim.logsJsonPath,
        SIGWATCH_TRUSTED_ROOT: sim.trustedRootPath,
        POLL_INTERVAL_MS: '200',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        EMAIL_HOURLY_CAP: '10000',
        DIGEST_SWEEP_INTERVAL_MS: '5000',
        LOG_LEVEL: process.env['TEST_LOG'] ?? 'silent',
      }),
    };
    const workers: Array<ChildProcess | undefined> = [undefined, undefined];
    const spawnWorker = async (slot: number): Promise<void> => {
      const port = await freePort();
      workers[slot] = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
        cwd: repoRoot,
        env: { ...env, WORKER_PORT: String(port) },
        stdio: ['ignore', process.env['TEST_LOG'] === undefined ? 'ignore' : 'inherit', 'inherit'],
      });
    };
    await spawnWorker(0);
    await spawnWorker(1);
    cleanups.push(async () => workers.forEach((w) => w?.kill('SIGKILL')));
    const startedUntil = Date.now() + 60_000;
    while ((await db.logPosition.count()) < 3) {
      if (Date.now() > startedUntil) throw new Error('the worker processes never started following (see their stderr)');
      await sleep(200);
    }

    // Appends: batches of random entries and subscribed ones, interleaved, spread over time.
    const expected: number[] = [];
    const appending = (async () => {
      const batches = 40;
      for (let b = 0; b < batches; b++) {
        const matching = Math.round(MATCHES / batches);
        const other = Math.round((ENTRIES - MATCHES) / batches);
        await sim.append(LOG, { count: Math.floor(other / 2) });
        expected.push(...(await sim.append(LOG, { count: matching, identity: IDENTITY })));
        await sim.append(LOG, { count: other - Math.floor(other / 2) });
        await sleep(500);
      }
    })();

    const t0 = Date.now();
    // Chaos: SIGKILL a random worker at random moments and restart it; kill -9 and restart Redis once.
    let kills = 0;
    const redisRestartAt = Math.floor(KILLS / 2);
    while (kills < KILLS) {
      await sleep(500 + Math.random() * 2_000);
      const slot = Math.random() < 0.5 ? 0 : 1;
      workers[slot]?.kill('SIGKILL');
      kills++;
      if (kills === redisRestartAt) {
        redis?.kill('SIGKILL');
        await sleep(300);
        await startRedis();
      }
      await spawnWorker(slot);
    }
    process.stdout.write(`chaos: ${kills} kills done after ${Math.round((Date.now() - t0) / 1000)} s\n`);
    await appending;

    // Let the survivors finish: until every expected alert arrived by both channels, or a deadline.
    const mailIndex = async (): Promise<Map<string, string[]>> => {
      const ids = accepted.map((m) => /^<delivery-([0-9a-f-]{36})@/.exec(m)?.[1]).filter((x): x is string => x !== undefined);
      const rows = await db.delivery.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, match: { select: { logIndex: true } } } });
      const byId = new Map(rows.map((r) => [r.id, String(r.match?.logIndex)]));
      const out = new Map<string, string[]>();
      for (const id of ids) {
        const index = byId.get(id) ?? '?';
        out.set(index, [...(out.get(index) ?? []), id]);
      }
      return out;
    };
    const webhookIndex = (): Map<string, Set<string>> => {
      const out = new Map<string, Set<string>>();
      for (const r of rx.requests) {
        const index = (JSON.parse(r.body) as { data: { event: { index: string } } }).data.event.index;
        out.set(index, (out.get(index) ?? new Set()).add(String(r.headers['webhook-id'])));
      }
      return out;
    };
    const deadline = Date.now() + 10 * 60_000;
    for (let round = 0; ; round++) {
      const mails = await mailIndex();
      const hooks = webhookIndex();
      const done = expected.every((i) => hooks.has(String(i)) && mails.has(String(i)));
      if (done || Date.now() > deadline) break;
      if (round % 15 === 0) process.stdout.write(`chaos: waiting — webhooks for ${hooks.size}, mails for ${mails.size} of ${expected.length} alerts\n`);
      await sleep(1_000);
    }

    const mails = await mailIndex();
    const hooks = webhookIndex();
    const missingHooks = expected.filter((i) => !hooks.has(String(i)));
    const missingMails = expected.filter((i) => !mails.has(String(i)));
    const twoIds = [...hooks.entries()].filter(([, ids]) => ids.size > 1);
    const dupMails = [...mails.entries()].filter(([, ids]) => ids.length > 1);
    const webhookRepeats = rx.requests.length - hooks.size;
    process.stdout.write(
      `chaos: ${expected.length} alerts, ${kills} kills, 1 Redis restart; webhook requests ${rx.requests.length} ` +
        `(${webhookRepeats} repeats with the same id), mails ${accepted.length}, duplicate mails ${dupMails.length}\n`,
    );
    expect(expected).toHaveLength(MATCHES);
    expect(missingHooks).toEqual([]);
    expect(missingMails).toEqual([]);
    expect(twoIds).toEqual([]);
    // No alert went out as two different mails. A mail whose SMTP "250" arrived but whose worker was killed
    // before recording it is sent again on retry (at least once wins over at most once): the copy has the
    // same Message-ID, so mail clients collapse it. Such in-doubt resends are bounded by the kills.
    const twoMessages = [...mails.entries()].filter(([, ids]) => new Set(ids).size > 1);
    expect(twoMessages).toEqual([]);
    expect(dupMails.length).toBeLessThanOrEqual(kills);
  }, 30 * 60_000);
});
