/**
 * New logs picked up while running (issue 5: "new shards picked up from the trusted root"): the follow role
 * re-reads SIGWATCH_LOGS / SIGWATCH_TRUSTED_ROOT every LOGS_REFRESH_INTERVAL_MS and follows a Rekor v2 log
 * added to the file without a restart, under the same one-leader-per-log advisory locks; a removed log is
 * stopped and marked inactive, a log whose key changed is followed afresh, and a file that cannot be read
 * changes nothing. Three simulators on real HTTP: A and C on 127.0.0.1 (C: another tree under A's Rekor v2
 * origin), B on 127.0.0.2 (a second Rekor v2 origin, as a new shard has).
 */
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '@sigwatch/db';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { logIdFromOrigin } from '../../../apps/worker/src/logs/log-list.js';
import { testDatabaseUrl } from '../../harness/env.js';
import { startTestFollowRole, verifiedSize, waitFor, type RunningFollowRole } from './follow-role.js';

interface LogsFileEntry {
  origin: string;
  kind: 'rekor-v1' | 'rekor-v2' | 'ct';
  url: string;
  publicKey: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REFRESH = 200;

let dir: string;
let a: Simulator;
let b: Simulator;
let c: Simulator;
let db: Db;
const roles: RunningFollowRole[] = [];

async function logsOf(sim: Simulator): Promise<LogsFileEntry[]> {
  return (JSON.parse(await readFile(sim.logsJsonPath, 'utf8')) as { logs: LogsFileEntry[] }).logs;
}

/** Replaces a file the way an operator (or a TUF client) should: whole, by rename. */
async function replace(path: string, value: unknown): Promise<void> {
  await writeFile(`${path}.tmp`, typeof value === 'string' ? value : JSON.stringify(value));
  await rename(`${path}.tmp`, path);
}

const idOf = (e: LogsFileEntry) => logIdFromOrigin(e.origin);
const size = (sim: Simulator, kind: 'rekor-v1' | 'rekor-v2' | 'ct') => BigInt((sim.state()['logs'] as Record<string, { size?: number; shards?: Array<{ size: number }> }>)[kind]?.size ?? 0);

async function reaches(e: LogsFileEntry, want: bigint): Promise<void> {
  await waitFor(`${e.kind} ${e.origin} at ${want}`, async () => (await verifiedSize(db, idOf(e))) === want);
}

/** Advisory locks held in the test database: one per followed log, whichever worker leads it. */
async function advisoryLocks(): Promise<number> {
  const rows = await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  return Number(rows[0]?.n ?? 0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-refresh-'));
  a = await startSimulator({ dir: join(dir, 'a'), port: 0, seed: 21 });
  b = await startSimulator({ dir: join(dir, 'b'), port: 0, seed: 22, host: '127.0.0.2' });
  c = await startSimulator({ dir: join(dir, 'c'), port: 0, seed: 23 });
  db = createDb(testDatabaseUrl());
  for (const sim of [a, b, c]) for (const kind of ['rekor-v1', 'rekor-v2', 'ct'] as const) await sim.append(kind, { count: 3 });
});

afterAll(async () => {
  for (const r of roles.splice(0)) await r.stop();
  await db?.$disconnect();
  for (const sim of [a, b, c]) await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function startRole(env: Record<string, string>): Promise<RunningFollowRole> {
  const role = await startTestFollowRole({ POLL_INTERVAL_MS: '200', LOGS_REFRESH_INTERVAL_MS: String(REFRESH), ...env }, { standbyMs: 200 });
  roles.push(role);
  return role;
}

describe('the follow role re-reads its list of logs', () => {
  it('logs file: follows a Rekor v2 log added while running (one leader across two workers), stops a removed one, restarts a changed one, ignores a bad file', async () => {
    const aLogs = await logsOf(a);
    const bV2 = (await logsOf(b)).find((l) => l.kind === 'rekor-v2') as LogsFileEntry;
    const cV2 = (await logsOf(c)).find((l) => l.kind === 'rekor-v2') as LogsFileEntry;
    const byKind = (k: string) => aLogs.find((l) => l.kind === k) as LogsFileEntry;
    expect(bV2.origin).toBe('127.0.0.2');
    expect(cV2.origin).toBe(byKind('rekor-v2').origin);
    await db.log.deleteMany({ where: { id: { in: [...aLogs, bV2].map(idOf) } } });

    const file = join(dir, 'logs.json');
    await replace(file, { logs: aLogs });
    const env = { SIGWATCH_LOGS: file, SIGWATCH_TRUSTED_ROOT: a.trustedRootPath };
    await startRole(env);
    await startRole(env);
    for (const e of aLogs) await waitFor(`${e.kind} followed`, async () => (await verifiedSize(db, idOf(e))) !== undefined);
    expect(await advisoryLocks()).toBe(3);

    // A new Rekor v2 log in the file: followed from its head, then every new entry, by one of the two workers.
    await replace(file, { logs: [...aLogs, bV2] });
    await reaches(bV2, size(b, 'rekor-v2'));
    await b.append('rekor-v2', { count: 300 });
    await reaches(bV2, size(b, 'rekor-v2'));
    expect((await db.log.findUniqueOrThrow({ where: { id: idOf(bV2) } })).active).toBe(true);
    expect(await advisoryLocks()).toBe(4);

    // A file that does not parse: nothing is stopped, the logs go on.
    await replace(file, '{"logs": [');
    await sleep(3 * REFRESH);
    await a.append('rekor-v2', { count: 5 });
    await b.append('rekor-v2', { count: 5 });
    await reaches(byKind('rekor-v2'), size(a, 'rekor-v2'));
    await reaches(bV2, size(b, 'rekor-v2'));

    // The CT log leaves the file: its loops stop (no lock held, no more polls) and it is marked inactive.
    await replace(file, { logs: [byKind('rekor-v1'), byKind('rekor-v2'), bV2] });
    await waitFor('the CT log marked inactive', async () => !(await db.log.findUniqueOrThrow({ where: { id: idOf(byKind('ct')) } })).active);
    await waitFor('its lock released', async () => (await advisoryLocks()) === 3);
    const ctBefore = await verifiedSize(db, idOf(byKind('ct')));
    await a.append('ct', { count: 5 });
    await sleep(1_000);
    expect(await verifiedSize(db, idOf(byKind('ct')))).toBe(ctBefore);

    // The Rekor v2 origin now names another log (C's key and URL): the running loop is replaced and the new
    // tree followed afresh from its head.
    await replace(file, { logs: [byKind('rekor-v1'), cV2, bV2] });
    await waitFor('the new key stored', async () => (await db.log.findUniqueOrThrow({ where: { id: idOf(cV2) } })).publicKey === cV2.publicKey);
    await reaches(cV2, size(c, 'rekor-v2'));
    await c.append('rekor-v2', { count: 10 });
    await reaches(cV2, size(c, 'rekor-v2'));
    expect(await advisoryLocks()).toBe(3);

    for (const r of roles.splice(0)) await r.stop();
    expect(await advisoryLocks()).toBe(0);
  });

  it('public-good: follows a Rekor v2 shard added to the trusted root file while running', async () => {
    const root = JSON.parse(await readFile(a.trustedRootPath, 'utf8')) as { tlogs: Array<{ publicKey: { keyDetails: string } }>; ctlogs: unknown[] };
    const bRoot = JSON.parse(await readFile(b.trustedRootPath, 'utf8')) as typeof root;
    const v2Of = (r: typeof root) => r.tlogs.filter((t) => t.publicKey.keyDetails === 'PKIX_ED25519');
    // The simulator serves Rekor v1 and v2 from one host, and public-good names a log by its host: keep v2 only.
    const file = join(dir, 'trusted_root.json');
    await replace(file, { ...root, tlogs: v2Of(root), ctlogs: [] });
    const aV2 = { origin: '127.0.0.1', kind: 'rekor-v2', url: '', publicKey: '' } as LogsFileEntry;
    const bV2 = { origin: '127.0.0.2', kind: 'rekor-v2', url: '', publicKey: '' } as LogsFileEntry;
    await db.log.deleteMany({ where: { id: { in: [aV2, bV2].map(idOf) } } });

    await startRole({ SIGWATCH_LOGS: 'public-good', SIGWATCH_TRUSTED_ROOT: file });
    await reaches(aV2, size(a, 'rekor-v2'));
    expect(await db.log.findUnique({ where: { id: idOf(bV2) } })).toBeNull();

    await replace(file, { ...root, tlogs: [...v2Of(root), ...v2Of(bRoot)], ctlogs: [] });
    await reaches(bV2, size(b, 'rekor-v2'));
    await b.append('rekor-v2', { count: 20 });
    await a.append('rekor-v2', { count: 20 });
    await reaches(bV2, size(b, 'rekor-v2'));
    await reaches(aV2, size(a, 'rekor-v2'));
    expect((await db.log.findUniqueOrThrow({ where: { id: idOf(bV2) } })).active).toBe(true);
  });
});
