/** fetchCtEntry against the simulator's CT log over HTTP: the leaf the follower reads, plus its extra_data. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeExtraData, decodeMerkleTreeLeaf } from '@sigwatch/tlog';
import { startSimulator, type Simulator } from '../../../../test/sim/server.js';
import { CtSource } from './ct.js';
import { fetchCtEntry } from './ct-entry.js';
import { loadLogList, loadTrustedRoot, type LogConfig } from './log-list.js';

let dir: string;
let sim: Simulator;
let ct: LogConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-ct-entry-'));
  sim = await startSimulator({ dir, port: 0, seed: 'ct-entry' });
  ct = (await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath))).find((l) => l.kind === 'ct')!;
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fetchCtEntry', () => {
  it('returns the leaf the follower reads and the extra_data with the pre-certificate or the chain', async () => {
    const [pre, x509] = await sim.append('ct', { count: 1, identity: 'maintainer@example.com', ctEntryType: 'both' });
    const follower = await new CtSource(ct).fetchLeaves(BigInt(pre!), BigInt(x509!) + 1n);
    const a = await fetchCtEntry(ct, BigInt(pre!));
    const b = await fetchCtEntry(ct, BigInt(x509!));
    expect([a.leaf, b.leaf]).toEqual(follower.map((f) => f.leaf));
    const te = decodeMerkleTreeLeaf(a.leaf);
    expect(te.entry.type).toBe('precert');
    expect(decodeExtraData(a.extraData!, 'precert')).toMatchObject({ preCertificate: expect.any(Uint8Array), chain: [expect.any(Uint8Array), expect.any(Uint8Array)] });
    expect(decodeExtraData(b.extraData!, 'x509').chain).toHaveLength(2);
  });

  it('an index past the tree is an HTTP error, not a leaf', async () => {
    await expect(fetchCtEntry(ct, 1_000_000n, { retries: 0 })).rejects.toMatchObject({ name: 'LogHttpError', status: 400 });
  });
});
