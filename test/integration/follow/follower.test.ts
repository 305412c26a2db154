/**
 * The follower against the simulator (real HTTP on 127.0.0.1, real PostgreSQL and Redis): entries reach the
 * matcher's queue exactly once with the identities the simulator put in; every misbehaviour that breaks
 * verification halts that log with an Incident holding the evidence, advances nothing, enqueues nothing,
 * and the other logs go on; a garbage entry is recorded as malformed and skipped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { createDb, type Db } from '@sigwatch/db';
import { Producer, QueueName, createRedis, EntriesToMatchPayload } from '@sigwatch/queue';
import type { SigningEvent } from '@sigwatch/rules';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { loadLogList, loadTrustedRoot, type LogConfig } from '../../../apps/worker/src/logs/log-list.js';
import { Follower } from '../../../apps/worker/src/follow/follower.js';
import { LogReconfiguredError, LogStateStore } from '../../../apps/worker/src/follow/log-state-store.js';
import { createSource } from '../../../apps/worker/src/follow/role.js';
import { ThreadedPublisher } from '../../../apps/worker/src/follow/publish-threads.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from '../../harness/env.js';

type SimKind = 'rekor-v1' | 'rekor-v2' | 'ct';
let sim: Simulator;
let dir: string;
let db: Db;
let redis: Redis;
let prefix: string;
let producer: Producer<typeof QueueName.EntriesToMatch>;
let logs: LogConfig[];
let followers: Map<SimKind, Follower>;
let publisher: ThreadedPublisher;
const store = () => new LogStateStore(db);

async function queuedEvents(logId: string): Promise<SigningEvent[]> {
  const jobs = await producer.queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'], 0, -1);
  return jobs
    .map((j) => EntriesToMatchPayload.parse(j.data))
    .filter((p) => p.log.id === logId)
    .flatMap((p) => p.events)
    .sort((a, b) => Number(BigInt(a.index) - BigInt(b.index)));
}

function logOf(kind: SimKind): LogConfig {
  const l = logs.find((x) => x.kind === kind);
  if (l === undefined) throw new Error(`no ${kind} log in the simulator's logs.json`);
  return l;
}

async function positionOf(kind: SimKind) {
  return (await store().load(logOf(kind).id)).position?.treeSize;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-follow-'));
  sim = await startSimulator({ dir, port: 0, seed: 7 });
  db = createDb(testDatabaseUrl());
  redis = createRedis(testRedisUrl(), 'producer');
  const root = await loadTrustedRoot(sim.trustedRootPath);
  logs = await loadLogList(sim.logsJsonPath, root);
});

beforeEach(async () => {
  // A fresh queue and fresh log rows per test: each test starts following at the simulator's head.
  prefix = testRedisPrefix('follow');
  producer = new Producer(QueueName.EntriesToMatch, redis, prefix);
  // The production path: parsing and queueing in a publish thread with its own Redis connection.
  publisher = new ThreadedPublisher({ threads: 1, redisUrl: testRedisUrl(), prefix, jobSize: 500, recordRecentEvents: false });
  await db.log.deleteMany({ where: { id: { in: logs.map((l) => l.id) } } });
  followers = new Map();
  for (const l of logs) {
    await store().ensureLog(l);
    followers.set(l.kind as SimKind, new Follower({ source: createSource(l), store: store(), publisher, log: pino({ level: 'silent' }) }));
  }
  for (const kind of ['rekor-v1', 'rekor-v2', 'ct'] as const) sim.misbehave(kind, null);
});

afterEach(async () => {
  await publisher.close();
});

afterAll(async () => {
  await producer?.close();
  redis?.disconnect();
  await db?.$disconnect();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

const poll = (kind: SimKind) => (followers.get(kind) as Follower).poll();

describe('follower', () => {
  it('reads nothing from a log marked inactive (removed from the list of logs), and resumes once it is active again', async () => {
    await sim.append('ct', { count: 2 });
    expect(await poll('ct')).toBe('started');
    const before = await positionOf('ct');
    await db.log.update({ where: { id: logOf('ct').id }, data: { active: false } });
    const indexes = await sim.append('ct', { count: 4 });
    expect(await poll('ct')).toBe('inactive');
    expect(await positionOf('ct')).toBe(before);
    expect(await queuedEvents(logOf('ct').id)).toEqual([]);
    await store().ensureLog(logOf('ct'));
    expect(await poll('ct')).toBe('advanced');
    expect(await positionOf('ct')).toBe(BigInt((indexes.at(-1) as number) + 1));
    expect((await queuedEvents(logOf('ct').id)).map((e) => Number(e.index))).toEqual(indexes);
  });

  it("does nothing for a log whose row now names another key (a worker with a stale list of logs), and the store refuses its position", async () => {
    await sim.append('rekor-v2', { count: 2 });
    expect(await poll('rekor-v2')).toBe('started');
    const id = logOf('rekor-v2').id;
    const before = (await store().load(id)).position;
    const otherKey = Buffer.from('another tree under this origin').toString('base64');
    await db.log.update({ where: { id }, data: { publicKey: otherKey } });
    await sim.append('rekor-v2', { count: 3 });
    expect(await poll('rekor-v2')).toBe('inactive');
    expect(await positionOf('rekor-v2')).toBe(before?.treeSize);
    expect(await queuedEvents(id)).toEqual([]);
    // A poll already past that check when the key changed: its write is refused, and nothing is written.
    const ownKey = Buffer.from(logOf('rekor-v2').publicKeyDer).toString('base64');
    await expect(store().advance(id, ownKey, { ...before!, treeSize: before!.treeSize + 3n }, [], 0n)).rejects.toBeInstanceOf(LogReconfiguredError);
    expect(await positionOf('rekor-v2')).toBe(before?.treeSize);
    await db.log.update({ where: { id }, data: { publicKey: ownKey } });
    expect(await poll('rekor-v2')).toBe('advanced');
  });

  it.each(['rekor-v1', 'rekor-v2', 'ct'] as const)('%s: starts at the head, then enqueues each new entry exactly once with its identity', async (kind) => {
    await sim.append(kind, { count: 3 });
    expect(await poll(kind)).toBe('started');
    const identity = `https://github.com/acme-${kind}/widget/.github/workflows/release.yml@refs/tags/v1.2.3`;
    const indexes = await sim.append(kind, { count: 300, identity, issuer: 'https://token.actions.githubusercontent.com' });
    expect(await poll(kind)).toBe('advanced');
    expect(await poll(kind)).toBe('idle');
    const events = await queuedEvents(logOf(kind).id);
    expect(events.map((e) => Number(e.index))).toEqual(indexes);
    for (const e of events) {
      expect(e.certificate?.sans.map((s) => s.value)).toContain(identity);
      expect(e.certificate?.issuer).toBe('https://token.actions.githubusercontent.com');
      expect(e.leafHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await positionOf(kind)).toBe(BigInt((indexes.at(-1) as number) + 1));
  });

  const halting = [
    ['rekor-v1', 'fork'],
    ['rekor-v2', 'fork'],
    ['ct', 'fork'],
    ['rekor-v1', 'rollback'],
    ['rekor-v2', 'rollback'],
    ['ct', 'rollback'],
    ['rekor-v1', 'same-size-other-root'],
    ['rekor-v2', 'same-size-other-root'],
    ['rekor-v1', 'bad-checkpoint-signature'],
    ['rekor-v2', 'bad-checkpoint-signature'],
    ['ct', 'bad-checkpoint-signature'],
    ['rekor-v1', 'leaf-mismatch'],
    ['rekor-v2', 'leaf-mismatch'],
    ['ct', 'leaf-mismatch'],
    ['rekor-v2', 'corrupt-tile'],
    ['rekor-v1', 'unknown-key'],
    ['rekor-v2', 'unknown-key'],
    ['ct', 'unknown-key'],
  ] as const;

  it.each(halting)('%s %s: halts on the first poll with evidence, advances and enqueues nothing, others go on', async (kind, mode) => {
    await sim.append(kind, { count: 2 });
    expect(await poll(kind)).toBe('started');
    const before = await positionOf(kind);
    await sim.append(kind, { count: 5 });
    // A fork, a rollback or a second root for one size shows only against a head we already trust.
    if (mode === 'fork' || mode === 'rollback' || mode === 'same-size-other-root') expect(await poll(kind)).toBe('advanced');
    const trusted = await positionOf(kind);
    const jobsBefore = (await queuedEvents(logOf(kind).id)).length;
    if (mode !== 'fork' && mode !== 'rollback' && mode !== 'same-size-other-root') await sim.append(kind, { count: 5 });
    sim.misbehave(kind, mode);
    expect(await poll(kind)).toBe('halted');
    const state = await store().load(logOf(kind).id);
    expect(state.halted).toBe(true);
    expect(state.position?.treeSize).toBe(trusted);
    expect(trusted).toBeGreaterThanOrEqual(before ?? 0n);
    const incident = await db.incident.findFirstOrThrow({ where: { logId: logOf(kind).id, resolvedAt: null } });
    expect(incident.message.length).toBeGreaterThan(10);
    // The evidence holds the signed head we trusted and/or the offending one, verbatim.
    const evidence = incident.evidence as Record<string, unknown>;
    expect([evidence['trusted'], evidence['latest']].some((v) => typeof v === 'string' && v.length > 20)).toBe(true);
    expect((await queuedEvents(logOf(kind).id)).length).toBe(jobsBefore);
    // Another log is unaffected.
    const other: SimKind = kind === 'ct' ? 'rekor-v1' : 'ct';
    await sim.append(other, { count: 1 });
    expect(['started', 'advanced']).toContain(await poll(other));
    // Cleared: the log verifies again and resumes.
    sim.misbehave(kind, null);
    if (mode === 'fork' || mode === 'same-size-other-root' || mode === 'rollback') return; // the simulator's tree itself moved on
    expect(['advanced', 'idle']).toContain(await poll(kind));
    expect((await store().load(logOf(kind).id)).halted).toBe(false);
  });

  it.each(['rekor-v1', 'rekor-v2', 'ct'] as const)('%s: a garbage entry in the tree is recorded as malformed and skipped, the rest flows', async (kind) => {
    await sim.append(kind, { count: 1 });
    expect(await poll(kind)).toBe('started');
    const good = await sim.append(kind, { count: 2 });
    sim.misbehave(kind, 'garbage-entry', { count: 1 });
    good.push(...(await sim.append(kind, { count: 2 })));
    const outcome = await poll(kind);
    expect(outcome, String((await db.logPosition.findUnique({ where: { logId: logOf(kind).id } }))?.lastError)).toBe('advanced');
    const malformed = await db.malformedEntry.findMany({ where: { logId: logOf(kind).id } });
    expect(malformed).toHaveLength(1);
    expect(malformed[0]?.reason.length).toBeGreaterThan(0);
    expect((await queuedEvents(logOf(kind).id)).map((e) => Number(e.index))).toEqual(good);
    expect(good).not.toContain(Number(malformed[0]?.logIndex));
  });

  it('records transport errors without halting (malformed JSON, 429s)', async () => {
    await sim.append('rekor-v1', { count: 1 });
    expect(await poll('rekor-v1')).toBe('started');
    sim.misbehave('rekor-v1', 'malformed-json');
    expect(await poll('rekor-v1')).toBe('error');
    expect((await store().load(logOf('rekor-v1').id)).halted).toBe(false);
    sim.misbehave('rekor-v1', null);
    await sim.append('rekor-v1', { count: 20 });
    sim.misbehave('rekor-v1', 'http-429', { fraction: 0.3, retryAfter: 0 });
    expect(await poll('rekor-v1')).toBe('advanced');
    expect(await queuedEvents(logOf('rekor-v1').id)).toHaveLength(20);
  });
});
