/**
 * Every real checkpoint in testdata/checkpoints verifies with the trusted-root key (and witness vkeys) that
 * checkpoints/index.json names; the three real Rekor v1 consistency proofs verify and the tampered ones fail.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/harness/paths.js';
import { fromHex, toBase64 } from './encoding.js';
import { verifyCheckpoint } from './checkpoint.js';
import { verifyConsistency } from './consistency.js';
import { verifyInclusion } from './inclusion.js';
import { parseVerifierKey } from './note-keys.js';
import { checkpointVerifiers, embeddedTrustedRoot } from './trust.js';
import { trustedRootFile } from './testing/testdata-facts.js';

interface IndexEntry {
  file: string;
  origin: string;
  treeSize: number;
  rootHash_b64: string;
  extraLines: string[];
  signatures: { name: string; keyHint: string; verifiedByTrustedRootLog: string | null; witness: { vkey: string; timestamp: number; verified: boolean } | null }[];
}
const index = JSON.parse(readFileSync(testdata('checkpoints', 'index.json'), 'utf8')) as IndexEntry[];
const witnessKeys = readFileSync(testdata('signed-note', 'witness-vkeys.txt'), 'utf8').trim().split('\n').map(parseVerifierKey);
const allLogKeys = [
  ...checkpointVerifiers(trustedRootFile('trust', 'trusted_root.prod.json')),
  ...checkpointVerifiers(trustedRootFile('trust', 'trusted_root.staging.json')),
  ...checkpointVerifiers(trustedRootFile('rekor-v2', 'staging', 'trusted_root.alpha1.json')),
];

describe.each(index)('$file', (c) => {
  const text = readFileSync(testdata(c.file), 'utf8');
  it('parses to the indexed origin, size, root and extension lines', () => {
    const v = verifyCheckpoint(text, { logKeys: allLogKeys, witnessKeys });
    expect(v.checkpoint.origin).toBe(c.origin);
    expect(v.checkpoint.size).toBe(BigInt(c.treeSize));
    expect(toBase64(v.checkpoint.rootHash)).toBe(c.rootHash_b64);
    expect(v.checkpoint.extensions).toEqual(c.extraLines);
  });
  it('is signed by exactly the keys the index names', () => {
    const v = verifyCheckpoint(text, { logKeys: allLogKeys, witnessKeys });
    const wantLog = c.signatures.filter((s) => s.verifiedByTrustedRootLog !== null).map((s) => [s.name, s.keyHint]);
    const wantWitness = c.signatures.filter((s) => s.witness?.verified === true).map((s) => [s.name, s.keyHint, BigInt(s.witness!.timestamp)]);
    expect(v.logSignatures.map((s) => [s.name, s.keyId])).toEqual(wantLog);
    expect(v.witnessSignatures.map((s) => [s.name, s.keyId, s.timestamp])).toEqual(wantWitness);
    expect(v.unknownSignatures.length).toBe(c.signatures.length - wantLog.length - wantWitness.length);
  });
});

describe('trust-root updates', () => {
  const v2 = index.filter((c) => c.origin === 'log2025-1.rekor.sigstore.dev');
  it('log2025-1 checkpoints verify with the current prod root and the embedded @sigstore/tuf root', () => {
    for (const c of v2) {
      verifyCheckpoint(readFileSync(testdata(c.file), 'utf8'), { logKeys: checkpointVerifiers(trustedRootFile('trust', 'trusted_root.prod.json')) });
      verifyCheckpoint(readFileSync(testdata(c.file), 'utf8'), { logKeys: checkpointVerifiers(embeddedTrustedRoot()) });
    }
    expect(v2.length).toBe(3);
  });
  it('but NOT with the root from before Rekor v2 (UNKNOWN_KEY)', () => {
    const old = checkpointVerifiers(trustedRootFile('trust', 'trusted_root.prod.before-rekor-v2.json'));
    for (const c of v2) {
      expect(() => verifyCheckpoint(readFileSync(testdata(c.file), 'utf8'), { logKeys: old })).toThrow(expect.objectContaining({ code: 'UNKNOWN_KEY' }));
    }
  });
});

describe('real Rekor v1 consistency proofs', () => {
  const data = JSON.parse(readFileSync(testdata('consistency', 'rekor-v1-consistency-proofs.json'), 'utf8')) as Record<string, any>;
  const roots = new Map<number, Uint8Array>((data['checkpoints'] as { treeSize: number; rootHash_hex: string }[]).map((c) => [c.treeSize, fromHex(c.rootHash_hex)]));
  const all = data['consistencyProofs'] as { firstSize: number; lastSize: number; hashes_hex: string[]; expectValid: boolean; note?: string }[];
  const proofs = all.filter((p) => p.expectValid);
  it('has three valid proofs and three must-fail variants', () => {
    expect(proofs.length).toBe(3);
    expect(all.length - proofs.length).toBe(3);
  });
  for (const p of proofs) {
    it(`${p.firstSize} → ${p.lastSize} (${p.hashes_hex.length} hashes) verifies`, () => {
      verifyConsistency(p.firstSize, p.lastSize, p.hashes_hex.map((h) => fromHex(h)), roots.get(p.firstSize)!, roots.get(p.lastSize)!);
    });
    it(`${p.firstSize} → ${p.lastSize}: every single-bit flip, swapped roots, a dropped hash fail with a typed code`, () => {
      const hashes = p.hashes_hex.map((h) => fromHex(h));
      for (let i = 0; i < hashes.length; i++) {
        const bad = hashes.map((h) => h.slice());
        bad[i]![5] = bad[i]![5]! ^ 0x10;
        expect(() => verifyConsistency(p.firstSize, p.lastSize, bad, roots.get(p.firstSize)!, roots.get(p.lastSize)!)).toThrow(
          expect.objectContaining({ name: 'TlogError', code: 'INCONSISTENT_TREE' }),
        );
      }
      expect(() => verifyConsistency(p.firstSize, p.lastSize, hashes, roots.get(p.lastSize)!, roots.get(p.firstSize)!)).toThrow(
        expect.objectContaining({ code: 'INCONSISTENT_TREE' }),
      );
      expect(() => verifyConsistency(p.firstSize, p.lastSize, hashes.slice(1), roots.get(p.firstSize)!, roots.get(p.lastSize)!)).toThrow(
        expect.objectContaining({ code: 'BAD_PROOF_SIZE' }),
      );
    });
  }
  for (const v of all.filter((p) => !p.expectValid)) {
    it(`must fail: ${v.note ?? ''}`, () => {
      expect(() => verifyConsistency(v.firstSize, v.lastSize, v.hashes_hex.map((h) => fromHex(h)), roots.get(v.firstSize)!, roots.get(v.lastSize)!)).toThrow(
        expect.objectContaining({ name: 'TlogError', code: expect.stringMatching(/^(INCONSISTENT_TREE|BAD_PROOF_SIZE)$/) }),
      );
    });
  }
  for (const inc of data['inclusionProofs'] as Record<string, any>[]) {
    it(`inclusion proof of leaf ${inc['leafIndexInShard']} ${inc['expectValid'] ? 'verifies' : 'fails (ROOT_MISMATCH)'}`, () => {
      if (inc['entryUUID'] !== undefined) expect(String(inc['entryUUID']).slice(-64)).toBe(inc['leafHash_hex']);
      const run = () =>
        verifyInclusion(inc['leafIndexInShard'], inc['treeSize'], fromHex(inc['leafHash_hex']), (inc['hashes_hex'] as string[]).map((h) => fromHex(h)), fromHex(inc['rootHash_hex']));
      if (inc['expectValid']) run();
      else expect(run).toThrow(expect.objectContaining({ code: 'ROOT_MISMATCH' }));
    });
  }
});
