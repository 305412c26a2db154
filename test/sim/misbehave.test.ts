/**
 * Each misbehaviour mode produces exactly the bad data it names — a client using `@sigwatch/tlog` fails with
 * the expected `TlogError` code (or sees the expected HTTP behaviour) — and the log recovers when cleared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompactRange, fromBase64, fromHex, hashLeaf, parseNote, verifyConsistency, verifyInclusion, type VerifiedCheckpoint } from '@sigwatch/tlog';
import { startSimulator, type Simulator } from './server.js';
import { bundleEntries, clientTrust, ctSth, decodeCtLeaf, getBytes, getJson, postJson, tileHashes, v1Checkpoint, v2Checkpoint, type ClientTrust } from './test-client.js';
import { MerkleTree } from './merkle-tree.js';
import type { LogKind } from './entry-factory.js';

let sim: Simulator;
let trust: ClientTrust;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-misbehave-'));
  sim = await startSimulator({ dir, seed: 'misbehave-test' });
  await sim.append('rekor-v1', { count: 20 });
  await sim.append('rekor-v2', { count: 20 });
  await sim.append('ct', { count: 10 });
  trust = clientTrust(sim);
});

afterEach(() => {
  for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, null);
  sim.setRateLimit(null);
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};
const codeOfAsync = async (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: { code?: string }) => e.code);

const root = (cp: VerifiedCheckpoint) => cp.checkpoint.rootHash;
const size = (cp: VerifiedCheckpoint) => Number(cp.checkpoint.size);

/** A tiles client's consistency check: rebuild the tree from the new level-0 tile(s) and prove old → new. */
async function v2Consistency(oldCp: VerifiedCheckpoint, newCp: VerifiedCheckpoint): Promise<void> {
  const n = size(newCp);
  const t = new MerkleTree();
  for (const h of tileHashes(await getBytes(sim, `/rekor-v2/tile/0/000.p/${n}`))) t.append(h);
  verifyConsistency(size(oldCp), n, t.consistencyProof(size(oldCp), n), root(oldCp), root(newCp));
}

async function v1Proof(a: number, b: number): Promise<Uint8Array[]> {
  const p = await getJson(sim, `/rekor-v1/api/v1/log/proof?firstSize=${a}&lastSize=${b}`);
  return p.hashes.map((h: string) => fromHex(h));
}

async function ctProof(a: number, b: number): Promise<Uint8Array[]> {
  const p = await getJson(sim, `/ct/ct/v1/get-sth-consistency?first=${a}&second=${b}`);
  return p.consistency.map((h: string) => fromBase64(h));
}

describe('fork', () => {
  it('v1: a correctly signed checkpoint n+1 that is inconsistent with checkpoint n; recovers', async () => {
    const a = await v1Checkpoint(sim, trust);
    sim.misbehave('rekor-v1', 'fork');
    const b = await v1Checkpoint(sim, trust);
    expect(size(b)).toBe(size(a) + 1);
    const proof = await v1Proof(size(a), size(b));
    expect(codeOf(() => verifyConsistency(size(a), size(b), proof, root(a), root(b)))).toBe('INCONSISTENT_TREE');
    sim.misbehave('rekor-v1', null);
    await sim.append('rekor-v1', { count: 2 });
    const c = await v1Checkpoint(sim, trust);
    verifyConsistency(size(a), size(c), await v1Proof(size(a), size(c)), root(a), root(c));
  });

  it('v2: tiles of the forked tree do not prove consistency with the previous checkpoint', async () => {
    const a = await v2Checkpoint(sim, trust);
    sim.misbehave('rekor-v2', 'fork');
    const b = await v2Checkpoint(sim, trust);
    expect(await codeOfAsync(v2Consistency(a, b))).toBe('INCONSISTENT_TREE');
    sim.misbehave('rekor-v2', null);
    await v2Consistency(a, await v2Checkpoint(sim, trust));
  });

  it('ct: STH n+1 inconsistent with STH n', async () => {
    const a = await ctSth(sim, trust);
    sim.misbehave('ct', 'fork');
    const b = await ctSth(sim, trust);
    expect(b.tree_size).toBe(a.tree_size + 1);
    const proof = await ctProof(a.tree_size, b.tree_size);
    expect(codeOf(() => verifyConsistency(a.tree_size, b.tree_size, proof, fromBase64(a.sha256_root_hash), fromBase64(b.sha256_root_hash)))).toBe('INCONSISTENT_TREE');
  });
});

describe('rollback and same size with another root', () => {
  it('v1 rollback: a signed checkpoint smaller than the last one', async () => {
    const a = await v1Checkpoint(sim, trust);
    sim.misbehave('rekor-v1', 'rollback');
    const b = await v1Checkpoint(sim, trust);
    expect(size(b)).toBe(size(a) - 1);
    expect(codeOf(() => verifyConsistency(size(a), size(b), [], root(a), root(b)))).toBe('INCONSISTENT_TREE');
    sim.misbehave('rekor-v1', null);
    expect(size(await v1Checkpoint(sim, trust))).toBe(size(a));
  });

  it('v2 / ct rollback', async () => {
    const a = await v2Checkpoint(sim, trust);
    sim.misbehave('rekor-v2', 'rollback');
    const b = await v2Checkpoint(sim, trust);
    expect(codeOf(() => verifyConsistency(size(a), size(b), [], root(a), root(b)))).toBe('INCONSISTENT_TREE');
    const s = await ctSth(sim, trust);
    sim.misbehave('ct', 'rollback');
    expect((await ctSth(sim, trust)).tree_size).toBe(s.tree_size - 1);
  });

  it('same-size-other-root on every log', async () => {
    const a1 = await v1Checkpoint(sim, trust);
    const a2 = await v2Checkpoint(sim, trust);
    const a3 = await ctSth(sim, trust);
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, 'same-size-other-root');
    const b1 = await v1Checkpoint(sim, trust);
    const b2 = await v2Checkpoint(sim, trust);
    const b3 = await ctSth(sim, trust);
    expect([size(b1), size(b2), b3.tree_size]).toEqual([size(a1), size(a2), a3.tree_size]);
    expect(codeOf(() => verifyConsistency(size(a1), size(b1), [], root(a1), root(b1)))).toBe('INCONSISTENT_TREE');
    expect(codeOf(() => verifyConsistency(size(a2), size(b2), [], root(a2), root(b2)))).toBe('INCONSISTENT_TREE');
    expect(codeOf(() => verifyConsistency(a3.tree_size, b3.tree_size, [], fromBase64(a3.sha256_root_hash), fromBase64(b3.sha256_root_hash)))).toBe('INCONSISTENT_TREE');
  });
});

describe('signatures', () => {
  it('bad-checkpoint-signature → BAD_SIGNATURE (v1, v2, CT STH); recovers', async () => {
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, 'bad-checkpoint-signature');
    expect(await codeOfAsync(v1Checkpoint(sim, trust))).toBe('BAD_SIGNATURE');
    expect(await codeOfAsync(v2Checkpoint(sim, trust))).toBe('BAD_SIGNATURE');
    expect(await codeOfAsync(ctSth(sim, trust))).toBe('BAD_SIGNATURE');
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, null);
    await v1Checkpoint(sim, trust);
    await v2Checkpoint(sim, trust);
    await ctSth(sim, trust);
  });

  it('unknown-key → UNKNOWN_KEY (v1, v2); CT STH by another key → BAD_SIGNATURE', async () => {
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, 'unknown-key');
    expect(await codeOfAsync(v1Checkpoint(sim, trust))).toBe('UNKNOWN_KEY');
    expect(await codeOfAsync(v2Checkpoint(sim, trust))).toBe('UNKNOWN_KEY');
    expect(await codeOfAsync(ctSth(sim, trust))).toBe('BAD_SIGNATURE');
  });
});

describe('entries', () => {
  it('leaf-mismatch: the served leaf is not the one in the tree → ROOT_MISMATCH (v1, v2, CT)', async () => {
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, 'leaf-mismatch', { index: 5 });
    const m = await getJson(sim, '/rekor-v1/api/v1/log/entries?logIndex=5');
    const e = Object.values(m)[0] as any;
    const proof = e.verification.inclusionProof;
    expect(codeOf(() => verifyInclusion(5, proof.treeSize, hashLeaf(fromBase64(e.body)), proof.hashes.map((h: string) => fromHex(h)), fromHex(proof.rootHash)))).toBe('ROOT_MISMATCH');

    const cp = await v2Checkpoint(sim, trust);
    const n = size(cp);
    const entries = bundleEntries(await getBytes(sim, `/rekor-v2/tile/entries/000.p/${n}`), n);
    const t = new MerkleTree();
    for (const x of entries) t.append(hashLeaf(x));
    expect(codeOf(() => verifyInclusion(5, n, hashLeaf(entries[5]!), t.inclusionProof(5, n), root(cp)))).toBe('ROOT_MISMATCH');

    const sth = await ctSth(sim, trust);
    const ep = await getJson(sim, `/ct/ct/v1/get-entry-and-proof?leaf_index=5&tree_size=${sth.tree_size}`);
    expect(codeOf(() => verifyInclusion(5, sth.tree_size, hashLeaf(fromBase64(ep.leaf_input)), ep.audit_path.map((h: string) => fromBase64(h)), fromBase64(sth.sha256_root_hash)))).toBe('ROOT_MISMATCH');

    sim.misbehave('rekor-v1', null);
    const ok = Object.values(await getJson(sim, '/rekor-v1/api/v1/log/entries?logIndex=5'))[0] as any;
    verifyInclusion(5, ok.verification.inclusionProof.treeSize, hashLeaf(fromBase64(ok.body)), ok.verification.inclusionProof.hashes.map((h: string) => fromHex(h)), fromHex(ok.verification.inclusionProof.rootHash));
  });

  it('corrupt-tile: truncated tiles/bundles (MALFORMED_TILE), bad v1 body (MALFORMED_ENTRY), truncated CT leaf (MALFORMED_CT)', async () => {
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, 'corrupt-tile');
    const n = size(await v2Checkpoint(sim, trust));
    expect(codeOf(() => tileHashes(Buffer.alloc(0)))).toBe('MALFORMED_TILE');
    const tile = await getBytes(sim, `/rekor-v2/tile/0/000.p/${n}`);
    expect(codeOf(() => tileHashes(tile))).toBe('MALFORMED_TILE');
    const bundle = await getBytes(sim, `/rekor-v2/tile/entries/000.p/${n}`);
    expect(codeOf(() => bundleEntries(bundle, n))).toBe('MALFORMED_TILE');
    const e = Object.values(await getJson(sim, '/rekor-v1/api/v1/log/entries?logIndex=2'))[0] as any;
    expect(codeOf(() => fromBase64(e.body))).toBe('MALFORMED_ENTRY');
    const ct = await getJson(sim, '/ct/ct/v1/get-entries?start=0&end=1');
    expect(codeOf(() => decodeCtLeaf(Buffer.from(ct.entries[0].leaf_input, 'base64')))).toBe('MALFORMED_CT');
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, null);
    expect(tileHashes(await getBytes(sim, `/rekor-v2/tile/0/000.p/${n}`))).toHaveLength(n);
    decodeCtLeaf(Buffer.from((await getJson(sim, '/ct/ct/v1/get-entries?start=0&end=1')).entries[0].leaf_input, 'base64'));
  });

  it('garbage-entry: garbage bytes that ARE correctly in the tree', async () => {
    const before = size(await v1Checkpoint(sim, trust));
    sim.misbehave('rekor-v1', 'garbage-entry');
    sim.misbehave('rekor-v2', 'garbage-entry', { count: 2 });
    sim.misbehave('ct', 'garbage-entry');
    const cp = await v1Checkpoint(sim, trust);
    expect(size(cp)).toBe(before + 1);
    const e = Object.values(await getJson(sim, `/rekor-v1/api/v1/log/entries?logIndex=${before}`))[0] as any;
    const body = fromBase64(e.body);
    expect(() => JSON.parse(Buffer.from(body).toString())).toThrow();
    const p = e.verification.inclusionProof;
    verifyInclusion(p.logIndex, p.treeSize, hashLeaf(body), p.hashes.map((h: string) => fromHex(h)), root(cp));
    const sth = await ctSth(sim, trust);
    const last = await getJson(sim, `/ct/ct/v1/get-entries?start=${sth.tree_size - 1}&end=${sth.tree_size - 1}`);
    expect(codeOf(() => decodeCtLeaf(Buffer.from(last.entries[0].leaf_input, 'base64')))).toBe('MALFORMED_CT');
    const v2 = await v2Checkpoint(sim, trust);
    const n = size(v2);
    const entries = bundleEntries(await getBytes(sim, `/rekor-v2/tile/entries/000.p/${n}`), n);
    const r = CompactRange.empty();
    for (const x of entries) r.append(hashLeaf(x));
    expect(Buffer.from(r.root())).toEqual(Buffer.from(root(v2)));
    expect(() => JSON.parse(entries[n - 1]!.toString())).toThrow();
  });
});

describe('HTTP behaviour', () => {
  it('http-429 answers 429 + Retry-After on the given fraction of requests; cleared → all 200', async () => {
    sim.misbehave('rekor-v1', 'http-429', { fraction: 0.5, retryAfter: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${sim.url}/rekor-v1/api/v1/log`);
      statuses.push(r.status);
      if (r.status === 429) expect(r.headers.get('retry-after')).toBe('3');
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect((await fetch(`${sim.url}/rekor-v2/checkpoint`)).status).toBe(200);
    sim.misbehave('rekor-v1', null);
    for (let i = 0; i < 4; i++) expect((await fetch(`${sim.url}/rekor-v1/api/v1/log`)).status).toBe(200);
  });

  it('slow delays responses by delayMs', async () => {
    sim.misbehave('ct', 'slow', { delayMs: 300 });
    const t = Date.now();
    expect((await fetch(`${sim.url}/ct/ct/v1/get-sth`)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    sim.misbehave('ct', null);
    const t2 = Date.now();
    await fetch(`${sim.url}/ct/ct/v1/get-sth`);
    expect(Date.now() - t2).toBeLessThan(250);
  });

  it('malformed-json cuts JSON bodies (and the v2 checkpoint) with status 200', async () => {
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, 'malformed-json');
    for (const p of ['/rekor-v1/api/v1/log', '/rekor-v1/api/v1/log/entries?logIndex=0', '/ct/ct/v1/get-sth']) {
      const r = await fetch(sim.url + p);
      expect(r.status).toBe(200);
      await expect(r.json()).rejects.toThrow(SyntaxError);
    }
    const text = await (await fetch(`${sim.url}/rekor-v2/checkpoint`)).text();
    expect(codeOf(() => parseNote(text))).toBe('MALFORMED_NOTE');
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as LogKind[]) sim.misbehave(log, null);
    await v1Checkpoint(sim, trust);
    await v2Checkpoint(sim, trust);
  });

  it('rate-limit: a per-client budget per minute, then 429 with Retry-After', async () => {
    await postJson(sim, '/control/rate-limit', { perMinute: 3 });
    const h = { 'x-sim-client': 'client-a' };
    for (let i = 0; i < 3; i++) expect((await fetch(`${sim.url}/ct/ct/v1/get-sth`, { headers: h })).status).toBe(200);
    const r = await fetch(`${sim.url}/rekor-v2/checkpoint`, { headers: h });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${sim.url}/ct/ct/v1/get-sth`, { headers: { 'x-sim-client': 'client-b' } })).status).toBe(200);
    await postJson(sim, '/control/rate-limit', { perMinute: null });
    expect((await fetch(`${sim.url}/rekor-v2/checkpoint`, { headers: h })).status).toBe(200);
  });
});

describe('control API', () => {
  it('appends and misbehaves over HTTP, validating bodies with named fields', async () => {
    const before = size(await v2Checkpoint(sim, trust));
    const res = await postJson(sim, '/control/append', { log: 'rekor-v2', count: 3, identity: 'bob@example.com' });
    expect(res.indexes).toEqual([before, before + 1, before + 2]);
    const bad = await fetch(`${sim.url}/control/append`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ log: 'rekor-v3', count: 1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('log');
    expect(await postJson(sim, '/control/misbehave', { log: 'rekor-v2', mode: 'bad-checkpoint-signature' })).toMatchObject({ ok: true });
    expect(await codeOfAsync(v2Checkpoint(sim, trust))).toBe('BAD_SIGNATURE');
    await postJson(sim, '/control/misbehave', { log: 'rekor-v2', mode: null });
    await v2Checkpoint(sim, trust);
    const badMode = await fetch(`${sim.url}/control/misbehave`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ log: 'ct', mode: 'explode' }) });
    expect(badMode.status).toBe(400);
    const state = await getJson(sim, '/control/state');
    expect(state.logs['rekor-v2'].size).toBe(before + 3);
  });
});
