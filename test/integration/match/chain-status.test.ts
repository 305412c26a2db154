/**
 * Chain status of matched entries, on real parts: the simulator's three logs over HTTP on 127.0.0.1, the real
 * parser, the matcher with its chain checker, PostgreSQL, Redis, and the deliver role sending real mail (SMTP
 * capture) and webhooks (receiver). An entry signed with a certificate of the simulator's Fulcio CA (the one
 * in its trusted root) is 'valid' on each log (CT x509 and precert too); an entry uploaded to Rekor with a
 * certificate from a self-made CA — same names, claiming the subscribed identity — is 'invalid' and its alert
 * warns; a log that cannot be read gives 'unknown' within one timeout for the whole batch and the alert still
 * goes out.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { createDb, type Db } from '@sigwatch/db';
import { Producer, QueueName, createRedis } from '@sigwatch/queue';
import type { LogKind, SigningEvent } from '@sigwatch/rules';
import { loadConfig } from '../../../apps/worker/src/config.js';
import { startDeliverRole } from '../../../apps/worker/src/deliver/role.js';
import { createSource } from '../../../apps/worker/src/follow/role.js';
import { LogStateStore } from '../../../apps/worker/src/follow/log-state-store.js';
import { loadLogList, loadTrustedRoot, type LogConfig } from '../../../apps/worker/src/logs/log-list.js';
import { ChainStatusChecker, type TrustMaterial } from '../../../apps/worker/src/match/chain-status.js';
import { LiveRuleIndex } from '../../../apps/worker/src/match/live-index.js';
import { createMatchProcessor } from '../../../apps/worker/src/match/match-worker.js';
import { parseLeaf } from '../../../apps/worker/src/parse/parse-leaf.js';
import { WorkerRegistry } from '../../../apps/worker/src/workers.js';
import { publishRuleChange } from '../../../apps/api/src/services/rule-changes.js';
import { createFulcioCa, deriveKeyPair, fulcioExtensionsFor, issueLeafFast } from '../../sim/ca.js';
import { hashedRekordV001 } from '../../sim/entries.js';
import { GITHUB_ACTIONS_ISSUER } from '../../sim/identities.js';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { testEnv, testRedisPrefix } from '../../harness/env.js';
import { freePort } from '../../harness/ports.js';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../harness/webhook-receiver.js';

const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
const run = randomUUID().slice(0, 8);
const identity = (name: string) => `https://github.com/chain-${run}/${name}/.github/workflows/release.yml@refs/tags/v1`;

let dir: string;
let sim: Simulator;
let smtp: SmtpCapture;
let rx: WebhookReceiver;
let db: Db;
let redis: Redis;
let workerConn: Redis;
let prefix: string;
let deliveries: Producer<typeof QueueName.Deliveries>;
let registry: WorkerRegistry;
let stopDeliver: () => Promise<void>;
let index: LiveRuleIndex;
let trust: TrustMaterial;
const logOf = (kind: LogKind): LogConfig => trust.logs.find((l) => l.kind === kind) as LogConfig;

async function loadTrust(): Promise<TrustMaterial> {
  const root = await loadTrustedRoot(sim.trustedRootPath);
  return { root, logs: await loadLogList(sim.logsJsonPath, root) };
}

/** The events the follower would queue for these entries: leaves read from the log and parsed. */
async function eventsAt(kind: LogKind, indexes: number[]): Promise<SigningEvent[]> {
  const config = logOf(kind);
  const source = createSource(config);
  const out: SigningEvent[] = [];
  for (const i of indexes) {
    const [leaf] = await source.fetchLeaves(BigInt(i), BigInt(i) + 1n, { offset: 0n });
    out.push(parseLeaf({ log: { origin: config.origin, kind }, index: i, globalIndex: i, leafBytes: leaf!.leaf, ...(leaf!.uuid ? { uuid: leaf!.uuid } : {}) }));
  }
  return out;
}

const job = (config: LogConfig, events: SigningEvent[]) =>
  ({ data: { log: { id: config.id, origin: config.origin }, from: events[0]!.index, to: String(Number(events.at(-1)!.index) + 1), events } }) as unknown as Job;

/** A user with a verified address and a webhook, subscribed to `san` (the matcher picks the change up at its next job). */
async function subscribe(san: string): Promise<{ subscriptionId: string; address: string }> {
  const user = await db.user.create({ data: { email: `chain-${randomUUID()}@example.test`, verifiedAt: new Date() } });
  const email = await db.emailAddress.create({ data: { userId: user.id, address: user.email, verifiedAt: new Date() } });
  const hook = await db.webhookEndpoint.create({ data: { userId: user.id, url: rx.url(`/chain/${user.id}`), secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}` } });
  const sub = await db.subscription.create({
    data: {
      userId: user.id,
      name: `chain ${san.split('/')[4]}`,
      rules: { create: [{ definition: { san: { type: 'exact', value: san } } }] },
      channels: { create: [{ type: 'email', emailAddressId: email.id }, { type: 'webhook', webhookEndpointId: hook.id }] },
    },
  });
  await publishRuleChange(redis, prefix, sub.id);
  return { subscriptionId: sub.id, address: user.email };
}

async function chainsOf(subscriptionId: string): Promise<Record<string, string>> {
  const rows = await db.match.findMany({ where: { subscriptionId }, include: { log: { select: { kind: true } } }, orderBy: { logIndex: 'asc' } });
  return Object.fromEntries(rows.map((m) => [`${m.log.kind}#${m.logIndex}`, (m.event as SigningEvent).certificate?.chain ?? 'none']));
}

const webhookFor = (subscriptionId: string, logIndex: string) =>
  rx.waitFor((r) => {
    const d = JSON.parse(r.body).data;
    return d?.subscription?.id === subscriptionId && d.event.index === logIndex;
  }, 20_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-chain-'));
  sim = await startSimulator({ dir, port: 0, seed: `chain-${run}` });
  smtp = await startSmtpCapture();
  rx = await startWebhookReceiver();
  prefix = testRedisPrefix('chain');
  const config = loadConfig(testEnv({ REDIS_PREFIX: prefix, SMTP_URL: smtp.url, WEBHOOK_ALLOW_PRIVATE: 'true' }));
  db = createDb(config.DATABASE_URL);
  redis = createRedis(config.REDIS_URL, 'client');
  workerConn = createRedis(config.REDIS_URL, 'worker');
  deliveries = new Producer(QueueName.Deliveries, redis, prefix);
  registry = new WorkerRegistry(workerConn, prefix, log);
  stopDeliver = await startDeliverRole({ config, db, redis, workers: registry, log });
  trust = await loadTrust();
  const store = new LogStateStore(db);
  for (const l of trust.logs) await store.ensureLog(l);
  index = new LiveRuleIndex(db, redis, prefix, log);
  await index.start();
}, 120_000);

afterAll(async () => {
  await index?.stop();
  await stopDeliver?.();
  await registry?.closeAll();
  await deliveries?.queue.obliterate({ force: true }).catch(() => {});
  await deliveries?.close();
  workerConn?.disconnect();
  redis?.disconnect();
  await db?.$disconnect();
  await rx?.close();
  await smtp?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('chain status of matched entries', () => {
  it('entries signed under the trusted Fulcio CA are valid on Rekor v1, Rekor v2 and CT (x509 and precert), and the alert says so', async () => {
    const san = identity('trusted');
    const { subscriptionId, address } = await subscribe(san);
    const process = createMatchProcessor({ db, index, deliveries, log, chain: new ChainStatusChecker({ load: loadTrust, log }) });
    const v1 = await sim.append('rekor-v1', { count: 1, identity: san });
    const v2 = await sim.append('rekor-v2', { count: 1, identity: san });
    const ct = await sim.append('ct', { count: 1, identity: san, ctEntryType: 'both' });
    for (const [kind, indexes] of [['rekor-v1', v1], ['rekor-v2', v2], ['ct', ct]] as const) {
      await process(job(logOf(kind), await eventsAt(kind, indexes)));
    }
    expect(await chainsOf(subscriptionId)).toEqual({
      [`rekor_v1#${v1[0]}`]: 'valid',
      [`rekor_v2#${v2[0]}`]: 'valid',
      [`ct#${ct[0]}`]: 'valid',
      [`ct#${ct[1]}`]: 'valid',
    });
    const hook = JSON.parse((await webhookFor(subscriptionId, String(v1[0]))).body).data;
    expect(hook.certificate_chain).toMatchObject({ status: 'valid', trusted: true, warning: null });
    const mail = await smtp.waitFor((m) => m.to.includes(address), 20_000);
    expect(mail.subject).not.toContain('UNTRUSTED');
    expect(mail.text).toContain('Certificate: issued by a trusted Fulcio CA');
  });

  it('an entry uploaded with a self-made certificate claiming the identity is invalid, and mail and webhook warn', async () => {
    const san = identity('impersonated');
    const { subscriptionId, address } = await subscribe(san);
    // Same subject names as the real CA, another key: only the chain tells them apart.
    const rogue = await createFulcioCa({ seed: `rogue-${run}`, organization: 'sigstore.dev' });
    const leaf = issueLeafFast(rogue, {
      sans: [{ type: 'uri', value: san }],
      fulcio: fulcioExtensionsFor({ identity: san, issuer: GITHUB_ACTIONS_ISSUER }),
      key: await deriveKeyPair(run, 'rogue-leaf'),
      notBefore: new Date(Date.now() - 1000),
    });
    const res = await fetch(`${sim.url}/rekor-v1/api/v1/log/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hashedRekordV001(Buffer.from(`forged release ${run}`), { leaf }).body),
    });
    expect(res.status).toBe(201);
    const uploaded = Object.values((await res.json()) as Record<string, { logIndex: number }>)[0]!.logIndex;
    const [event] = await eventsAt('rekor-v1', [uploaded]);
    expect(event!.certificate?.sans[0]?.value).toBe(san);

    await createMatchProcessor({ db, index, deliveries, log, chain: new ChainStatusChecker({ load: loadTrust, log }) })(job(logOf('rekor-v1'), [event!]));
    expect(await chainsOf(subscriptionId)).toEqual({ [`rekor_v1#${uploaded}`]: 'invalid' });
    const hook = JSON.parse((await webhookFor(subscriptionId, String(uploaded))).body).data;
    expect(hook.certificate_chain).toMatchObject({ status: 'invalid', trusted: false, warning: expect.stringContaining('NOT issued by a trusted Fulcio') });
    const mail = await smtp.waitFor((m) => m.to.includes(address), 20_000);
    expect(mail.subject).toContain('UNTRUSTED CERTIFICATE');
    expect(mail.text.startsWith('WARNING: the certificate of this entry was NOT issued')).toBe(true);
    expect(mail.html).toContain('role="alert"');

    // The verified leaf hash of one entry with the index of another: never judged on a leaf it did not verify.
    const [trusted] = await eventsAt('rekor-v1', await sim.append('rekor-v1', { count: 1, identity: san }));
    const other = await sim.append('rekor-v1', { count: 1 });
    const moved = { ...trusted!, index: String(other[0]), globalIndex: String(other[0]) };
    await createMatchProcessor({ db, index, deliveries, log, chain: new ChainStatusChecker({ load: loadTrust, log }) })(job(logOf('rekor-v1'), [moved]));
    expect((await chainsOf(subscriptionId))[`rekor_v1#${other[0]}`]).toBe('unknown');
  });

  it('a log that cannot be reached: unknown within one timeout for the whole batch, and the alerts still go out', async () => {
    const san = identity('unreachable');
    const { subscriptionId } = await subscribe(san);
    const indexes = await sim.append('rekor-v1', { count: 2, identity: san });
    const events = await eventsAt('rekor-v1', indexes);
    const closed = await freePort();
    const load = async (): Promise<TrustMaterial> => ({ root: trust.root, logs: trust.logs.map((l) => ({ ...l, url: `http://127.0.0.1:${closed}/rekor-v1` })) });
    const chain = new ChainStatusChecker({ load, log, timeoutMs: 1_000, concurrency: 1 });
    const t0 = Date.now();
    const result = await createMatchProcessor({ db, index, deliveries, log, chain })(job(logOf('rekor-v1'), events));
    // The first check waits out its timeout (its reader retries the refused connection until then, and is
    // aborted); the second does not ask the log again.
    expect(Date.now() - t0).toBeLessThan(1_900);
    expect(result.matches).toBe(2);
    expect(await chainsOf(subscriptionId)).toEqual({ [`rekor_v1#${indexes[0]}`]: 'unknown', [`rekor_v1#${indexes[1]}`]: 'unknown' });
    for (const i of indexes) {
      const hook = JSON.parse((await webhookFor(subscriptionId, String(i))).body).data;
      expect(hook.certificate_chain).toMatchObject({ status: 'unknown', warning: null });
    }
  });
});
