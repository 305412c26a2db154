/**
 * `pnpm bench:tlog`: throughput of the verification primitives every follower step rests on —
 * RFC 6962 leaf hashes/s, compact-range appends/s, inclusion/consistency proof verifications/s, and signed
 * checkpoint verifications/s with Ed25519 (Rekor v2 / C2SP) and ECDSA P-256 (Rekor v1) keys.
 * Each measurement runs for a fixed wall-clock budget (BENCH_MS, default 1500 ms) after a short warm-up.
 */
import { randomBytes } from 'node:crypto';
import {
  CompactRange,
  generateNoteKey,
  hashLeaf,
  rootFromInclusionProof,
  signCheckpoint,
  verifyCheckpoint,
  verifyConsistency,
  type NoteVerifier,
} from '@sigwatch/tlog';

const BUDGET_MS = Number(process.env['BENCH_MS'] ?? 1500);

function measure(name: string, unit: string, op: (i: number) => void): number {
  for (let i = 0; i < 200; i++) op(i); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(BUDGET_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 100; k++) op(n++);
    now = process.hrtime.bigint();
  }
  const perSec = n / (Number(now - start) / 1e9);
  console.log(`${name.padEnd(44)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} ${unit}/s`);
  return perSec;
}

// Typical Rekor v1 bodies are 1–3 KiB of canonical JSON; use 1 KiB leaves.
const leaves = Array.from({ length: 1024 }, () => randomBytes(1024));
measure('leaf hash (SHA-256, 1 KiB leaves)', 'leaves', (i) => hashLeaf(leaves[i % leaves.length]!));

const leafHashes = leaves.map((l) => hashLeaf(l));
const range = CompactRange.empty();
measure('compact range append', 'appends', (i) => range.append(leafHashes[i % leafHashes.length]!));
const rootRange = CompactRange.empty();
for (let i = 0; i < 1000; i++) rootRange.append(leafHashes[i % leafHashes.length]!);
measure('compact range root (size 1000)', 'roots', () => rootRange.root());

// Proof verification on a tree of 2^20-ish leaves: proofs of ~20 hashes, as on real logs.
const proof = Array.from({ length: 20 }, () => new Uint8Array(randomBytes(32)));
measure('inclusion proof (20 hashes, recompute root)', 'proofs', (i) => rootFromInclusionProof(i % 1_000_000, 1_000_000, leafHashes[i % leafHashes.length]!, proof));
{
  // A real consistency proof needs real roots: build two trees with the compact range, derive the proof naively.
  const size1 = 700;
  const size2 = 1000;
  const tree = leafHashes.slice(0, size2);
  const mth = (lo: number, hi: number): Uint8Array => {
    const r = CompactRange.empty();
    for (let i = lo; i < hi; i++) r.append(tree[i]!);
    return r.root();
  };
  const sub = (m: number, lo: number, hi: number, b: boolean): Uint8Array[] => {
    const n = hi - lo;
    if (m === n) return b ? [] : [mth(lo, hi)];
    let k = 1;
    while (k * 2 < n) k *= 2;
    return m <= k ? [...sub(m, lo, lo + k, b), mth(lo + k, hi)] : [...sub(m - k, lo + k, hi, false), mth(lo, lo + k)];
  };
  const p = sub(size1, 0, size2, true);
  const r1 = mth(0, size1);
  const r2 = mth(0, size2);
  measure(`consistency proof (${size1}→${size2}, ${p.length} hashes)`, 'proofs', () => verifyConsistency(size1, size2, p, r1, r2));
}

function checkpointBench(type: 'ed25519' | 'ecdsa'): void {
  const origin = `bench.example/${type}`;
  const k = generateNoteKey(origin, type);
  const notes = Array.from({ length: 64 }, (_, i) =>
    signCheckpoint({ origin, size: BigInt(1_000_000 + i), rootHash: leafHashes[i]!, extensions: [] }, [k.signer]),
  );
  const keys: NoteVerifier[] = [k.verifier];
  measure(`checkpoint verify (${type === 'ed25519' ? 'Ed25519, Rekor v2' : 'ECDSA P-256, Rekor v1'})`, 'checkpoints', (i) =>
    verifyCheckpoint(notes[i % notes.length]!, { logKeys: keys }),
  );
  measure(`checkpoint sign (${type})`, 'checkpoints', (i) =>
    signCheckpoint({ origin, size: BigInt(i + 1), rootHash: leafHashes[i % leafHashes.length]!, extensions: [] }, [k.signer]),
  );
}
checkpointBench('ed25519');
checkpointBench('ecdsa');
