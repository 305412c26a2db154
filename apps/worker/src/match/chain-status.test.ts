/**
 * ChainStatusChecker against the simulator over HTTP (no database): what annotate fills in; a Rekor v2 entry
 * in the tree's last, partial tile read from a log that serves partial bundles only at checkpoint sizes (as
 * tlog-tiles allows); and every way a check ends in 'unknown' without holding the alert — trust material that
 * cannot be loaded (and a failed reload that keeps the last good one), a log not in the list, a slow log
 * (then not asked again).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogKind, SigningEvent } from '@sigwatch/rules';
import { parseTilePath, TILE_WIDTH } from '@sigwatch/tlog';
import { startSimulator, type Simulator } from '../../../../test/sim/server.js';
import { createSource } from '../follow/role.js';
import { loadLogList, loadTrustedRoot, type LogConfig } from '../logs/log-list.js';
import { parseLeaf } from '../parse/parse-leaf.js';
import { ChainStatusChecker, type TrustMaterial } from './chain-status.js';

const log = pino({ level: 'silent' });
let dir: string;
let sim: Simulator;
let trust: TrustMaterial;
let v1: LogConfig;

async function eventAt(config: LogConfig, i: number): Promise<SigningEvent> {
  const [leaf] = await createSource(config).fetchLeaves(BigInt(i), BigInt(i) + 1n, { offset: 0n });
  return parseLeaf({ log: { origin: config.origin, kind: config.kind as LogKind }, index: i, globalIndex: i, leafBytes: leaf!.leaf });
}

async function event(opts: { identity?: string; keyOnly?: boolean }): Promise<SigningEvent> {
  const [i] = await sim.append('rekor-v1', { count: 1, ...opts });
  return eventAt(v1, i!);
}

/**
 * The simulator's Rekor v2 log behind a front that serves a partial entry bundle only at the width of the
 * current checkpoint (tlog-tiles: logs must serve partial tiles of checkpoint sizes, and may drop others).
 */
async function strictTileFront(): Promise<{ url: string; refused: string[]; close: () => Promise<void> }> {
  const upstream = `${sim.url}/rekor-v2`;
  const refused: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').slice(1);
      if (/^tile\/entries\/.*\.p\//.test(path)) {
        const tile = parseTilePath(path);
        const size = BigInt((await (await fetch(`${upstream}/checkpoint`)).text()).split('\n')[1]!);
        if (tile.index * BigInt(TILE_WIDTH) + BigInt(tile.width) !== size) {
          refused.push(path);
          res.writeHead(404).end();
          return;
        }
      }
      const r = await fetch(`${upstream}/${path}`);
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' }).end(Buffer.from(await r.arrayBuffer()));
    })().catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, refused, close: () => new Promise<void>((r) => server.close(() => r())) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-chain-status-'));
  sim = await startSimulator({ dir, port: 0, seed: 'chain-status' });
  const root = await loadTrustedRoot(sim.trustedRootPath);
  trust = { root, logs: await loadLogList(sim.logsJsonPath, root) };
  v1 = trust.logs.find((l) => l.kind === 'rekor-v1')!;
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ChainStatusChecker', () => {
  it('annotate: certificates get their status (new objects), key-signed events come back as they are', async () => {
    const signed = await event({ identity: 'maintainer@example.com' });
    const keyed = await event({ keyOnly: true });
    const checker = new ChainStatusChecker({ load: async () => trust, log });
    const [a, b] = await checker.annotate(v1.id, [signed, keyed]);
    expect(a!.certificate!.chain).toBe('valid');
    expect(signed.certificate!.chain).toBe('unknown');
    expect(b).toBe(keyed);
  });

  it('a Rekor v2 entry in the last, partial tile is read at the checkpoint width the log serves', async () => {
    const v2 = trust.logs.find((l) => l.kind === 'rekor-v2')!;
    const [first] = await sim.append('rekor-v2', { count: 3, identity: 'maintainer@example.com' });
    const e = await eventAt(v2, first!);
    const front = await strictTileFront();
    try {
      const strict = { ...trust, logs: trust.logs.map((l) => (l.id === v2.id ? { ...l, url: front.url } : l)) };
      const checker = new ChainStatusChecker({ load: async () => strict, log });
      expect(await checker.verdict(v2.id, e)).toMatchObject({ status: 'valid' });
      // The entry's own width (index + 1) is not a checkpoint size: asking for it would have failed.
      expect(await createSource({ ...v2, url: front.url }, { http: { retries: 0 } }).fetchLeaves(BigInt(first!), BigInt(first!) + 1n, { offset: 0n }).then(() => 'read', () => 'refused')).toBe('refused');
      expect(front.refused.length).toBeGreaterThan(0);
    } finally {
      await front.close();
    }
  });

  it('trust material that cannot be loaded is unknown until a reload succeeds; a failed reload keeps the last good one', async () => {
    const e = await event({ identity: 'maintainer@example.com' });
    const outcomes = [false, true, false];
    const load = async (): Promise<TrustMaterial> => {
      if (outcomes.shift() === false) throw new Error('SIGWATCH_LOGS unreadable');
      return trust;
    };
    const checker = new ChainStatusChecker({ load, log, reloadMs: 0 });
    expect(await checker.verdict(v1.id, e)).toMatchObject({ status: 'unknown', reason: expect.stringContaining('SIGWATCH_LOGS unreadable') });
    expect((await checker.verdict(v1.id, e)).status).toBe('valid');
    expect((await checker.verdict(v1.id, e)).status).toBe('valid');
  });

  it('a log that is not in the list is unknown', async () => {
    const e = await event({ identity: 'maintainer@example.com' });
    const checker = new ChainStatusChecker({ load: async () => trust, log });
    expect(await checker.verdict('no-such-log', e)).toMatchObject({ status: 'unknown', reason: expect.stringContaining('not in the configured log list') });
  });

  it('a slow log is given up on at the timeout and not asked again for a while', async () => {
    const e = await event({ identity: 'maintainer@example.com' });
    const checker = new ChainStatusChecker({ load: async () => trust, log, timeoutMs: 200 });
    sim.misbehave('rekor-v1', 'slow', { delayMs: 800 });
    try {
      const t0 = Date.now();
      expect(await checker.verdict(v1.id, e)).toMatchObject({ status: 'unknown', reason: 'no answer within 200 ms' });
      expect(await checker.verdict(v1.id, e)).toMatchObject({ status: 'unknown', reason: 'the log failed to answer a moment ago' });
      expect(Date.now() - t0).toBeLessThan(700);
    } finally {
      sim.misbehave('rekor-v1', null);
    }
  });
});
