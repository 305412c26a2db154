/**
 * Property tests: the compact range and both proof verifiers against a naive RFC 6962 §2.1 reference tree
 * (recursive MTH / PATH / PROOF, the oracle transparency-dev keeps in `testonly/`), for all sizes up to 300.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from './encoding.js';
import { TlogError } from './errors.js';
import { emptyRoot, hashChildren, hashLeaf } from './hash.js';
import { CompactRange } from './compact-range.js';
import { verifyConsistency } from './consistency.js';
import { rootFromInclusionProof, verifyInclusion } from './inclusion.js';

const MAX = 300;
const leaves = Array.from({ length: MAX }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf ${i}`)));

// Naive reference tree over leaves[lo, hi), memoised.
const memo = new Map<string, Uint8Array>();
function mth(lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 0) return emptyRoot();
  if (n === 1) return leaves[lo] as Uint8Array;
  const key = `${lo}:${hi}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const k = largestPow2Below(n);
  const h = hashChildren(mth(lo, lo + k), mth(lo + k, hi));
  memo.set(key, h);
  return h;
}
function flipBit(h: Uint8Array, bit: number): void {
  const j = bit % h.length;
  h[j] = (h[j] ?? 0) ^ (1 << (bit % 8));
}
function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
/** RFC 6962 §2.1.1 PATH(m, D[lo:hi]). */
function path(m: number, lo: number, hi: number): Uint8Array[] {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = largestPow2Below(n);
  return m < k ? [...path(m, lo, lo + k), mth(lo + k, hi)] : [...path(m - k, lo + k, hi), mth(lo, lo + k)];
}
/** RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b). */
function subproof(m: number, lo: number, hi: number, b: boolean): Uint8Array[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [mth(lo, hi)];
  const k = largestPow2Below(n);
  return m <= k ? [...subproof(m, lo, lo + k, b), mth(lo + k, hi)] : [...subproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
}

describe('compact range vs reference tree', () => {
  it(`root at every size 0..${MAX}`, () => {
    const r = CompactRange.empty();
    for (let n = 0; n <= MAX; n++) {
      expect(toHex(r.root())).toBe(toHex(mth(0, n)));
      const restored = CompactRange.fromState(JSON.parse(JSON.stringify(r.toJSON())));
      expect(toHex(restored.root())).toBe(toHex(mth(0, n)));
      if (n < MAX) r.append(leaves[n] as Uint8Array);
    }
  });
  it(`fromInclusionProof of the last leaf, every size 1..${MAX}`, () => {
    for (let n = 1; n <= MAX; n++) {
      const r = CompactRange.fromInclusionProof(n - 1, n, leaves[n - 1] as Uint8Array, path(n - 1, 0, n), mth(0, n));
      expect(r.size).toBe(BigInt(n));
      if (n < MAX) {
        r.append(leaves[n] as Uint8Array);
        expect(toHex(r.root())).toBe(toHex(mth(0, n + 1)));
      }
    }
  });
});

describe('inclusion proofs vs reference tree', () => {
  it(`every leaf of every size 1..${MAX} verifies`, () => {
    for (let n = 1; n <= MAX; n++) {
      const root = mth(0, n);
      for (let m = 0; m < n; m++) {
        expect(toHex(rootFromInclusionProof(m, n, leaves[m] as Uint8Array, path(m, 0, n)))).toBe(toHex(root));
      }
    }
  });
  it('mutations fail with a typed error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: MAX }), fc.nat(), fc.nat(), (n, mi, bit) => {
        const m = mi % n;
        const proof = path(m, 0, n);
        const root = mth(0, n);
        const leaf = leaves[m] as Uint8Array;
        // Wrong leaf.
        expect(() => verifyInclusion(m, n, leaves[(m + 1) % n] as Uint8Array, proof, root)).toThrow(TlogError);
        // Flipped bit in a proof hash.
        if (proof.length > 0) {
          const bad = proof.map((h) => h.slice());
          const i = bit % bad.length;
          flipBit(bad[i] as Uint8Array, bit);
          expect(() => verifyInclusion(m, n, leaf, bad, root)).toThrow(TlogError);
        }
        // Extended / truncated proof, index beyond the tree. (A different size with the same proof shape is
        // indistinguishable by design: the proof only fixes the path, the signed root fixes the size.)
        expect(() => verifyInclusion(m, n, leaf, [...proof, root], root)).toThrow(TlogError);
        if (proof.length > 0) expect(() => verifyInclusion(m, n, leaf, proof.slice(1), root)).toThrow(TlogError);
        expect(() => verifyInclusion(n, n, leaf, proof, root)).toThrow(TlogError);
      }),
      { numRuns: 300 },
    );
  });
});

describe('consistency proofs vs reference tree', () => {
  it(`every pair 1 ≤ m ≤ n ≤ ${MAX} verifies`, () => {
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = m === n ? [] : subproof(m, 0, n, true);
        verifyConsistency(m, n, proof, mth(0, m), mth(0, n));
      }
    }
  });
  it('random pairs verify; mutations fail with a typed error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.integer({ min: 1, max: MAX }), fc.nat(), (a, b, bit) => {
        const [m, n] = a <= b ? [a, b] : [b, a];
        const proof = m === n ? [] : subproof(m, 0, n, true);
        verifyConsistency(m, n, proof, mth(0, m), mth(0, n));
        if (m === n) return;
        const bad = proof.map((h) => h.slice());
        const i = bit % bad.length;
        flipBit(bad[i] as Uint8Array, bit);
        expect(() => verifyConsistency(m, n, bad, mth(0, m), mth(0, n))).toThrow(TlogError);
        expect(() => verifyConsistency(m, n, proof, mth(0, n), mth(0, m))).toThrow(TlogError);
        expect(() => verifyConsistency(m, n, proof.slice(1), mth(0, m), mth(0, n))).toThrow(TlogError);
        expect(() => verifyConsistency(n, m, proof, mth(0, n), mth(0, m))).toThrow(TlogError);
      }),
      { numRuns: 500 },
    );
  });
});
