/**
 * The trusted root through TUF (logs/trusted-root-source.ts) against a real TUF repository on 127.0.0.1
 * (test/harness/tuf-repo.ts): a new trusted_root.json published there is verified and followed — a Rekor v2
 * shard added to it is followed without a restart — while forged metadata, a mirror that is down and a
 * restart without the network never put an unverified root in force.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '@sigwatch/db';
import type { TrustedRoot } from '@sigwatch/tlog';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { startTufRepo, type TufRepo } from '../../harness/tuf-repo.js';
import { logIdFromOrigin } from '../../../apps/worker/src/logs/log-list.js';
import { TrustedRootSourceError, trustMetrics, trustedRootSource } from '../../../apps/worker/src/logs/trusted-root-source.js';
import { testDatabaseUrl } from '../../harness/env.js';
import { startTestFollowRole, verifiedSize, waitFor, type RunningFollowRole } from './follow-role.js';

interface RootJson {
  tlogs: Array<{ baseUrl: string; publicKey: { keyDetails: string } }>;
  ctlogs: unknown[];
}

let dir: string;
let a: Simulator;
let b: Simulator;
let db: Db;
let rootA: string;
let rootAB: string;
const repos: TufRepo[] = [];
const roles: RunningFollowRole[] = [];

/** Messages logged, by level. */
function recorder() {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    warn: (obj: object, msg: string) => {
      lines.push(`warn ${msg}`);
      errors.push(String((obj as { err?: unknown }).err));
    },
    info: (_: object, msg: string) => void lines.push(`info ${msg}`),
  };
}

const hosts = (r: TrustedRoot) => r.tlogs.map((t) => t.hostname).sort();

async function failures(mirror: string): Promise<number> {
  return (await trustMetrics.failures.get()).values.find((v) => v.labels['mirror'] === mirror)?.value ?? 0;
}

async function verifiedAt(mirror: string): Promise<number | undefined> {
  return (await trustMetrics.verifiedAt.get()).values.find((v) => v.labels['mirror'] === mirror)?.value;
}

async function repo(initial: string): Promise<TufRepo> {
  const r = await startTufRepo(initial);
  repos.push(r);
  return r;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-tuf-'));
  a = await startSimulator({ dir: join(dir, 'a'), port: 0, seed: 31 });
  b = await startSimulator({ dir: join(dir, 'b'), port: 0, seed: 32, host: '127.0.0.2' });
  db = createDb(testDatabaseUrl());
  for (const sim of [a, b]) await sim.append('rekor-v2', { count: 3 });
  const ra = JSON.parse(await readFile(a.trustedRootPath, 'utf8')) as RootJson;
  const rb = JSON.parse(await readFile(b.trustedRootPath, 'utf8')) as RootJson;
  // public-good names a log by its host, and a simulator serves Rekor v1 and v2 from one: keep the v2 logs.
  const v2 = (r: RootJson) => r.tlogs.filter((t) => t.publicKey.keyDetails === 'PKIX_ED25519');
  rootA = JSON.stringify({ ...ra, tlogs: v2(ra), ctlogs: [] });
  rootAB = JSON.stringify({ ...ra, tlogs: [...v2(ra), ...v2(rb)], ctlogs: [] });
});

afterAll(async () => {
  for (const r of roles.splice(0)) await r.stop();
  for (const r of repos.splice(0)) await r.close();
  await db?.$disconnect();
  for (const sim of [a, b]) await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('trusted root from a TUF repository', () => {
  it('verifies each new trusted_root.json, and keeps the last verified one through forged metadata and a mirror that is down', async () => {
    const r = await repo(rootA);
    const log = recorder();
    const config = { SIGWATCH_TUF_MIRROR: r.url, SIGWATCH_TUF_ROOT: r.rootPath, SIGWATCH_TUF_CACHE: join(dir, 'cache-1') };
    const source = trustedRootSource(config, log, { timeoutMs: 2_000 });
    expect(source.description).toBe(`TUF ${r.url}`);
    expect(hosts(await source.load())).toEqual(['127.0.0.1']);
    expect(r.served).toContain('GET /timestamp.json 200');
    expect(r.served).toContain('GET /targets/trusted_root.json 200');
    expect(await verifiedAt(r.url)).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(await failures(r.url)).toBe(0);

    // The follow and match roles share a source: loads at the same moment share one update.
    const timestamps = () => r.served.filter((l) => l === 'GET /timestamp.json 200').length;
    const before = timestamps();
    await Promise.all([source.load(), source.load(), source.load()]);
    expect(timestamps()).toBe(before + 1);

    r.publish(rootAB);
    expect(hosts(await source.load())).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(log.lines).toContain('info TUF: a new trusted root was verified and is now in force');

    // A forged timestamp (signed by a key the root does not name) announcing a root without B's shard.
    r.publish(rootA);
    r.tamper();
    expect(hosts(await source.load())).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(log.lines.at(-1)).toBe('warn TUF: could not update the trusted root; the last verified one stays in force');
    expect(log.errors.at(-1)).toMatch(/timestamp was signed by 0\/1 keys/);

    r.goDown();
    expect(hosts(await source.load())).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(log.lines.at(-1)).toBe('warn TUF: could not update the trusted root; the last verified one stays in force');
    expect(log.errors.at(-1)).not.toMatch(/signed by/);
    expect(await failures(r.url)).toBe(2);
  });

  it('after a restart without the mirror, starts from the root an earlier run verified; with none cached, says what to fix', async () => {
    const r = await repo(rootAB);
    const cache = join(dir, 'cache-2');
    const config = { SIGWATCH_TUF_MIRROR: r.url, SIGWATCH_TUF_ROOT: r.rootPath, SIGWATCH_TUF_CACHE: cache };
    expect(hosts(await trustedRootSource(config, recorder(), { timeoutMs: 2_000 }).load())).toEqual(['127.0.0.1', '127.0.0.2']);

    r.goDown();
    const log = recorder();
    expect(hosts(await trustedRootSource(config, log, { timeoutMs: 2_000 }).load())).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(log.lines).toEqual(['warn TUF: the mirror could not be reached; using the trusted root cached by an earlier run']);

    const fresh = trustedRootSource({ ...config, SIGWATCH_TUF_CACHE: join(dir, 'cache-empty') }, recorder(), { timeoutMs: 2_000 });
    await expect(fresh.load()).rejects.toThrow(TrustedRootSourceError);
    await expect(fresh.load()).rejects.toThrow(/no trusted root could be verified .*check the mirror URL, SIGWATCH_TUF_ROOT and the network/);
  });

  it('refuses a mirror other than the public-good one without its first root.json', () => {
    expect(() => trustedRootSource({ SIGWATCH_TUF_MIRROR: 'https://tuf.example.org' }, recorder())).toThrow(/set SIGWATCH_TUF_ROOT/);
    expect(trustedRootSource({ SIGWATCH_TUF_MIRROR: 'off' }, recorder()).description).toBe('the root embedded in @sigstore/tuf');
    expect(trustedRootSource({ SIGWATCH_TUF_MIRROR: 'off', SIGWATCH_TRUSTED_ROOT: '/x/trusted_root.json' }, recorder()).description).toBe('file /x/trusted_root.json');
  });

  it('public-good: the follow role follows a Rekor v2 shard that appears in the TUF trusted root while running', async () => {
    const r = await repo(rootA);
    const aV2 = logIdFromOrigin('127.0.0.1');
    const bV2 = logIdFromOrigin('127.0.0.2');
    await db.log.deleteMany({ where: { id: { in: [aV2, bV2] } } });
    const role = await startTestFollowRole(
      { SIGWATCH_LOGS: 'public-good', SIGWATCH_TUF_MIRROR: r.url, SIGWATCH_TUF_ROOT: r.rootPath, SIGWATCH_TUF_CACHE: join(dir, 'cache-3'), POLL_INTERVAL_MS: '200', LOGS_REFRESH_INTERVAL_MS: '200' },
      { standbyMs: 200 },
    );
    roles.push(role);
    await waitFor('A followed', async () => (await verifiedSize(db, aV2)) === 3n);
    expect(await db.log.findUnique({ where: { id: bV2 } })).toBeNull();

    r.publish(rootAB);
    await waitFor('B followed', async () => (await verifiedSize(db, bV2)) === 3n);
    await b.append('rekor-v2', { count: 5 });
    await waitFor('B followed as it grows', async () => (await verifiedSize(db, bV2)) === 8n);

    // A forged update that drops B changes nothing.
    r.publish(rootA);
    r.tamper();
    await new Promise((res) => setTimeout(res, 1_000));
    expect((await db.log.findUniqueOrThrow({ where: { id: bV2 } })).active).toBe(true);
  });
});
