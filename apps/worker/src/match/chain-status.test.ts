/**
 * ChainStatusChecker against the simulator over HTTP (no database): what annotate fills in, and every way a
 * check ends in 'unknown' without holding the alert — trust material that cannot be loaded (and a failed
 * reload that keeps the last good one), a log not in the list, a slow log (then not asked again).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningEvent } from '@sigwatch/rules';
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

async function event(opts: { identity?: string; keyOnly?: boolean }): Promise<SigningEvent> {
  const [i] = await sim.append('rekor-v1', { count: 1, ...opts });
  const [leaf] = await createSource(v1).fetchLeaves(BigInt(i!), BigInt(i!) + 1n, { offset: 0n });
  return parseLeaf({ log: { origin: v1.origin, kind: 'rekor-v1' }, index: i!, globalIndex: i!, leafBytes: leaf!.leaf });
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
