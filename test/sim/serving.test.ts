/**
 * The simulator verified as a client verifies a real log, with `@sigwatch/tlog` and the trusted root the
 * simulator wrote: checkpoints/STHs, consistency proofs between many size pairs, every Rekor v1 entry's
 * inclusion proof + SET + checkpoint, tiles against the checkpoint root, CT leaves, uploads, shard rollover.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompactRange, hashLeaf, inspectTlogEntries, verifyConsistency, verifyInclusion, fromHex } from '@sigwatch/tlog';
import { startSimulator, type Simulator } from './server.js';
import { bundleEntries, clientTrust, ctSth, decodeCtLeaf, getBytes, getJson, postJson, tileHashes, v1Checkpoint, v2Checkpoint, type ClientTrust } from './test-client.js';
import { MerkleTree } from './merkle-tree.js';
import { tbsOf } from './ct-leaf.js';

const WORKFLOW = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3';
const GHA = 'https://token.actions.githubusercontent.com';

let sim: Simulator;
let trust: ClientTrust;
let dir: string;

/** Roots at every size 1..n from leaf hashes. */
function rootsOf(leafHashes: Uint8Array[]): Uint8Array[] {
  const r = CompactRange.empty();
  return leafHashes.map((h) => {
    r.append(h);
    return r.root();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-serving-'));
  sim = await startSimulator({ dir, seed: 'serving-test', maxGetEntries: 4 });
  await sim.append('rekor-v1', { count: 5, identity: WORKFLOW, extensions: { '.1.12': 'https://github.com/acme/widget-custom' } });
  await sim.append('rekor-v1', { count: 3, identity: 'alice@example.com', kind: 'dsse' });
  await sim.append('rekor-v1', { count: 2, kind: 'intoto' });
  await sim.append({ log: 'rekor-v1', count: 2, keyOnly: true });
  await sim.append('rekor-v1', { count: 13 });
  await sim.append('rekor-v2', { count: 300 });
  await sim.append('ct', { count: 5, identity: WORKFLOW });
  trust = clientTrust(sim);
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('client files', () => {
  it('writes a Sigstore trusted root and logs.json naming the same keys', () => {
    expect(trust.root.tlogs.map((l) => l.baseUrl)).toEqual([`${sim.url}/rekor-v1`, `${sim.url}/rekor-v2`]);
    expect(trust.root.ctlogs.map((l) => l.baseUrl)).toEqual([`${sim.url}/ct`]);
    expect(trust.root.certificateAuthorities[0]!.certificates).toHaveLength(2);
    const spki = (b64: string) => Buffer.from(b64, 'base64');
    // Log IDs: SHA-256(SPKI) for ECDSA logs, the C2SP key ID for the Ed25519 log (as log2025-1 does).
    expect(trust.json.tlogs[0]!.logId.keyId).toBe(createHash('sha256').update(spki(trust.json.tlogs[0]!.publicKey.rawBytes)).digest('base64'));
    const raw = spki(trust.json.tlogs[1]!.publicKey.rawBytes).subarray(-32);
    const v2Id = createHash('sha256').update('127.0.0.1\n').update(Buffer.from([1])).update(raw).digest('base64');
    expect(trust.json.tlogs[1]!.logId.keyId).toBe(v2Id);
    const logs = JSON.parse(readFileSync(sim.logsJsonPath, 'utf8')) as { logs: Record<string, string>[] };
    expect(logs.logs.map((l) => Object.keys(l).sort())).toEqual([
      ['keyId', 'kind', 'origin', 'publicKey', 'treeId', 'url'],
      ['keyId', 'kind', 'origin', 'publicKey', 'url'],
      ['keyId', 'kind', 'origin', 'publicKey', 'url'],
    ]);
    expect(logs.logs.map((l) => l['kind'])).toEqual(['rekor-v1', 'rekor-v2', 'ct']);
    expect(logs.logs[0]!['origin']).toBe(`127.0.0.1 - ${logs.logs[0]!['treeId']}`);
    expect(logs.logs[1]!['keyId']).toBe(v2Id);
    expect(logs.logs.map((l) => l['publicKey'])).toEqual([...trust.json.tlogs.map((t) => t.publicKey.rawBytes), trust.json.ctlogs[0]!.publicKey.rawBytes]);
  });
});

describe('Rekor v1', () => {
  it('serves a signed checkpoint whose origin names the tree', async () => {
    const info = await getJson(sim, '/rekor-v1/api/v1/log');
    const cp = (await v1Checkpoint(sim, trust)).checkpoint;
    expect(cp.origin).toBe(`127.0.0.1 - ${info.treeID}`);
    expect(Number(cp.size)).toBe(25);
    expect(Buffer.from(cp.rootHash).toString('hex')).toBe(info.rootHash);
    expect(info.inactiveShards).toBeUndefined();
  });

  it('every entry verifies (inclusion proof, SET, checkpoint, body, certificate chain) and consistency proofs verify', async () => {
    const leafHashes: Uint8Array[] = [];
    for (let i = 0; i < 25; i += 10) {
      const logIndexes = Array.from({ length: Math.min(10, 25 - i) }, (_, k) => i + k);
      const res = await postJson<Record<string, any>[]>(sim, '/rekor-v1/api/v1/log/entries/retrieve', { logIndexes });
      expect(res).toHaveLength(logIndexes.length);
      for (const [k, m] of res.entries()) {
        const [uuid, e] = Object.entries(m)[0]!;
        expect(e.logIndex).toBe(i + k);
        const v = inspectTlogEntries(m, { trustedRoot: trust.root });
        expect(v).toHaveLength(1);
        expect(v[0]!.checks).toMatchObject({ set: { status: 'ok' }, inclusionProof: { status: 'ok' }, checkpoint: { status: 'ok' }, body: { status: 'ok' } });
        expect(v[0]!.verified).toBe(true);
        const lh = hashLeaf(Buffer.from(e.body, 'base64'));
        expect(uuid.slice(16)).toBe(Buffer.from(lh).toString('hex'));
        leafHashes.push(lh);
      }
    }
    const roots = rootsOf(leafHashes);
    for (const [a, b] of [[1, 25], [3, 7], [4, 8], [7, 16], [24, 25], [25, 25], [1, 2], [13, 21]] as const) {
      const p = await getJson(sim, `/rekor-v1/api/v1/log/proof?firstSize=${a}&lastSize=${b}`);
      expect(p.rootHash).toBe(Buffer.from(roots[b - 1]!).toString('hex'));
      verifyConsistency(a, b, p.hashes.map((h: string) => fromHex(h)), roots[a - 1]!, roots[b - 1]!);
    }
  });

  it('has the kinds, identities and extensions that were appended', async () => {
    const kinds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const m = await getJson(sim, `/rekor-v1/api/v1/log/entries?logIndex=${i}`);
      const body = JSON.parse(Buffer.from((Object.values(m)[0] as any).body, 'base64').toString());
      kinds.push(body.kind);
    }
    expect(kinds).toEqual([...Array(5).fill('hashedrekord'), ...Array(3).fill('dsse'), 'intoto', 'intoto', 'hashedrekord', 'hashedrekord']);
    const first = await getJson(sim, '/rekor-v1/api/v1/log/entries?logIndex=0');
    const body = JSON.parse(Buffer.from((Object.values(first)[0] as any).body, 'base64').toString());
    const cert = new x509.X509Certificate(Buffer.from(body.spec.signature.publicKey.content, 'base64').toString());
    expect(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value)).toEqual([WORKFLOW]);
    expect(Buffer.from(cert.getExtension('1.3.6.1.4.1.57264.1.1')!.value).toString()).toBe(GHA);
    expect(Buffer.from(cert.getExtension('1.3.6.1.4.1.57264.1.12')!.value).subarray(2).toString()).toBe('https://github.com/acme/widget-custom');
    const keyOnly = await getJson(sim, '/rekor-v1/api/v1/log/entries?logIndex=10');
    const kb = JSON.parse(Buffer.from((Object.values(keyOnly)[0] as any).body, 'base64').toString());
    expect(Buffer.from(kb.spec.signature.publicKey.content, 'base64').toString()).toContain('BEGIN PUBLIC KEY');
  });

  it('serves entries by UUID (80 and 64 hex), rejects > 10 per retrieve, 404s unknown', async () => {
    const m = await getJson(sim, '/rekor-v1/api/v1/log/entries?logIndex=3');
    const uuid = Object.keys(m)[0]!;
    expect(await getJson(sim, `/rekor-v1/api/v1/log/entries/${uuid}`)).toEqual(m);
    const short = await getJson(sim, `/rekor-v1/api/v1/log/entries/${uuid.slice(16)}`);
    expect(Object.keys(short)).toEqual([uuid]);
    const many = await fetch(`${sim.url}/rekor-v1/api/v1/log/entries/retrieve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ logIndexes: Array.from({ length: 11 }, (_, i) => i) }) });
    expect(many.status).toBe(422);
    expect((await fetch(`${sim.url}/rekor-v1/api/v1/log/entries?logIndex=999`)).status).toBe(404);
    expect((await fetch(`${sim.url}/rekor-v1/api/v1/log/proof?firstSize=0&lastSize=3`)).status).toBe(400);
  });

  it('accepts an uploaded hashedrekord with a valid signature and rejects a bad one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const artifact = Buffer.from('my release tarball');
    const proposed = (sig: Buffer) => ({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(artifact).digest('hex') } },
        signature: { content: sig.toString('base64'), publicKey: { content: Buffer.from(publicKey.export({ format: 'pem', type: 'spki' })).toString('base64') } },
      },
    });
    const bad = await fetch(`${sim.url}/rekor-v1/api/v1/log/entries`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(proposed(sign('sha256', Buffer.from('other'), privateKey))) });
    expect(bad.status).toBe(400);
    const created = await postJson(sim, '/rekor-v1/api/v1/log/entries', proposed(sign('sha256', artifact, privateKey)));
    const v = inspectTlogEntries(created, { trustedRoot: trust.root });
    expect(v[0]!.verified).toBe(true);
    expect(Number(v[0]!.entry.logIndex)).toBe(25);
    await sim.append('rekor-v1', { count: 1 }); // keep sizes predictable for later tests
  });
});

describe('Rekor v2 (tiles)', () => {
  it('checkpoint verifies; hash tiles and entry bundles recompute its root', async () => {
    const cp = (await v2Checkpoint(sim, trust)).checkpoint;
    expect(Number(cp.size)).toBe(300);
    expect(Buffer.from(cp.note.signatures[0]!.keyId)).toEqual(Buffer.from(trust.json.tlogs[1]!.logId.keyId, 'base64').subarray(0, 4));
    const full = await fetch(`${sim.url}/rekor-v2/tile/0/000`);
    expect(full.headers.get('cache-control')).toContain('immutable');
    const t0 = tileHashes(Buffer.from(await full.arrayBuffer()));
    const t1 = tileHashes(await getBytes(sim, '/rekor-v2/tile/0/001.p/44'));
    expect(t0).toHaveLength(256);
    expect(t1).toHaveLength(44);
    expect((await fetch(`${sim.url}/rekor-v2/tile/0/001`)).status).toBe(404);
    expect((await fetch(`${sim.url}/rekor-v2/tile/0/001.p/45`)).status).toBe(404);
    const e0 = bundleEntries(await getBytes(sim, '/rekor-v2/tile/entries/000'), 256);
    const e1 = bundleEntries(await getBytes(sim, '/rekor-v2/tile/entries/001.p/44'), 44);
    const hashes = [...e0, ...e1].map((e) => hashLeaf(e));
    expect(hashes.map((h) => Buffer.from(h))).toEqual([...t0, ...t1]);
    expect(Buffer.from(rootsOf(hashes)[299]!)).toEqual(Buffer.from(cp.rootHash));
    // Level 1 holds the root of the first full level-0 tile.
    const l1 = tileHashes(await getBytes(sim, '/rekor-v2/tile/1/000.p/1'));
    expect(Buffer.from(l1[0]!)).toEqual(Buffer.from(rootsOf(hashes.slice(0, 256))[255]!));
    const entry = JSON.parse(e1[43]!.toString());
    expect([entry.kind, entry.apiVersion, Object.keys(entry.spec)]).toEqual(['hashedrekord', '0.0.2', ['hashedRekordV002']]);
    expect((await fetch(`${sim.url}/rekor-v2/tile/0/1`)).status).toBe(400);
  });

  it('accepts an uploaded hashedRekordRequestV002 and returns a verifiable TransparencyLogEntry', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const artifact = Buffer.from('v2 artifact');
    const req = {
      hashedRekordRequestV002: {
        digest: createHash('sha256').update(artifact).digest('base64'),
        signature: {
          content: sign('sha256', artifact, privateKey).toString('base64'),
          verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', publicKey: { rawBytes: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') } },
        },
      },
    };
    const tle = await postJson(sim, '/rekor-v2/api/v2/log/entries', req);
    expect(tle.logIndex).toBe('300');
    const v = inspectTlogEntries(tle, { trustedRoot: trust.root });
    expect(v[0]!.checks).toMatchObject({ inclusionProof: { status: 'ok' }, checkpoint: { status: 'ok' }, body: { status: 'ok' } });
    expect(v[0]!.verified).toBe(true);
  });
});

describe('CT (RFC 6962)', () => {
  it('STH verifies; capped get-entries hold precert and x509 leaves of the same certificates; consistency verifies', async () => {
    const sth = await ctSth(sim, trust);
    expect(sth.tree_size).toBe(10);
    const leaves: Buffer[] = [];
    while (leaves.length < sth.tree_size) {
      const r = await getJson(sim, `/ct/ct/v1/get-entries?start=${leaves.length}&end=${sth.tree_size + 5}`);
      expect(r.entries.length).toBeLessThanOrEqual(4);
      leaves.push(...r.entries.map((e: { leaf_input: string }) => Buffer.from(e.leaf_input, 'base64')));
    }
    const hashes = leaves.map((l) => hashLeaf(l));
    const roots = rootsOf(hashes);
    expect(Buffer.from(roots[9]!).toString('base64')).toBe(sth.sha256_root_hash);
    const decoded = leaves.map(decodeCtLeaf);
    const ca = sim.ca;
    for (let i = 0; i < 10; i += 2) {
      const pre = decoded[i]!;
      const final = decoded[i + 1]!;
      expect([pre.entryType, final.entryType]).toEqual([1, 0]);
      expect(pre.issuerKeyHash).toEqual(createHash('sha256').update(ca.intermediate.key.spki).digest());
      const cert = new x509.X509Certificate(final.der);
      expect(tbsOf(final.der)).toEqual(pre.der); // the precert's TBS is the final certificate's TBS
      expect(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items[0]!.value).toBe(WORKFLOW);
    }
    for (const [a, b] of [[1, 10], [3, 7], [4, 8], [9, 10], [5, 5]] as const) {
      const p = await getJson(sim, `/ct/ct/v1/get-sth-consistency?first=${a}&second=${b}`);
      verifyConsistency(a, b, p.consistency.map((h: string) => new Uint8Array(Buffer.from(h, 'base64'))), roots[a - 1]!, roots[b - 1]!);
    }
    const ep = await getJson(sim, `/ct/ct/v1/get-entry-and-proof?leaf_index=6&tree_size=10`);
    verifyInclusion(6, 10, hashLeaf(Buffer.from(ep.leaf_input, 'base64')), ep.audit_path.map((h: string) => new Uint8Array(Buffer.from(h, 'base64'))), roots[9]!);
    const roots2 = await getJson(sim, '/ct/ct/v1/get-roots');
    expect(roots2.certificates[0]).toBe(Buffer.from(ca.root.der).toString('base64'));
    expect((await fetch(`${sim.url}/ct/ct/v1/get-entries?start=10&end=11`)).status).toBe(400);
  });
});

describe('Rekor v1 shard rollover', () => {
  it('moves the tree to inactiveShards and continues global indexes in a new tree', async () => {
    const before = await getJson(sim, '/rekor-v1/api/v1/log');
    const treeId = sim.rollover();
    const [idx] = await sim.append('rekor-v1', { count: 1 });
    expect(idx).toBe(before.treeSize);
    const after = await getJson(sim, '/rekor-v1/api/v1/log');
    expect(after.treeID).toBe(treeId);
    expect(after.treeSize).toBe(1);
    expect(after.inactiveShards).toHaveLength(1);
    expect(after.inactiveShards[0]).toMatchObject({ treeID: before.treeID, treeSize: before.treeSize, rootHash: before.rootHash });
    for (const i of [0, idx!]) {
      const m = await getJson(sim, `/rekor-v1/api/v1/log/entries?logIndex=${i}`);
      expect(inspectTlogEntries(m, { trustedRoot: trust.root })[0]!.verified).toBe(true);
    }
    const logs = JSON.parse(readFileSync(sim.logsJsonPath, 'utf8'));
    expect(logs.logs[0].origin).toBe(`127.0.0.1 - ${treeId}`);
  });
});

describe('merkle tree', () => {
  it('proofs agree with @sigwatch/tlog for every (index, size) and (m, n) up to 40', () => {
    const t = new MerkleTree();
    const hashes = Array.from({ length: 40 }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
    hashes.forEach((h) => t.append(h));
    const roots = rootsOf(hashes);
    for (let n = 1; n <= 40; n++) {
      expect(Buffer.from(t.root(n))).toEqual(Buffer.from(roots[n - 1]!));
      for (let i = 0; i < n; i++) verifyInclusion(i, n, hashes[i]!, t.inclusionProof(i, n), roots[n - 1]!);
      for (let m = 1; m <= n; m++) verifyConsistency(m, n, t.consistencyProof(m, n), roots[m - 1]!, roots[n - 1]!);
    }
  });
});
