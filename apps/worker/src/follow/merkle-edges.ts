/**
 * Tree geometry the follower needs beyond @sigwatch/tlog: a compact range from ANY inclusion proof of the
 * last leaf (the proof may be for a larger tree), the aligned subtrees covering [from, to), and the root of
 * [0, size) from a set of aligned subtree hashes (RFC 6962 §2.1 recursion). See DESIGN.md "Starting point".
 */
import { CompactRange, TlogError, hashChildren, toHex } from '@sigwatch/tlog';

export interface Subtree {
  start: bigint;
  /** Number of leaves, a power of two; `start` is a multiple of it. */
  size: bigint;
}

const bitLength = (x: bigint) => (x === 0n ? 0 : x.toString(2).length);
const popCount = (x: bigint) => [...x.toString(2)].filter((c) => c === '1').length;

/**
 * The compact range [0, index + 1) from an inclusion proof of leaf `index` in a tree of `proofSize` ≥ index + 1
 * leaves: its left siblings are exactly the subtrees covering [0, index). Requires a proof of the RFC 9162
 * length for (index, proofSize) (`BAD_PROOF_SIZE`). The caller must check the result's root against a signed head.
 */
export function compactRangeFromProof(index: bigint, proofSize: bigint, leafHash: Uint8Array, proof: readonly Uint8Array[]): CompactRange {
  if (index < 0n || index >= proofSize) throw new TlogError('INDEX_OUT_OF_RANGE', `leaf ${index} is not in a tree of ${proofSize}`);
  const inner = bitLength(index ^ (proofSize - 1n));
  const border = popCount(index >> BigInt(inner));
  if (proof.length !== inner + border) {
    throw new TlogError('BAD_PROOF_SIZE', `inclusion proof of leaf ${index} in tree ${proofSize} needs ${inner + border} hashes, got ${proof.length}`);
  }
  const left: Uint8Array[] = [];
  for (let i = 0; i < inner; i++) if (((index >> BigInt(i)) & 1n) === 1n) left.push(proof[i] as Uint8Array);
  for (let j = 0; j < border; j++) left.push(proof[inner + j] as Uint8Array);
  const range = CompactRange.fromHashes(index, left.reverse());
  range.append(leafHash);
  return range;
}

/** The maximal aligned subtrees covering [from, to), left to right. */
export function alignedSubtrees(from: bigint, to: bigint): Subtree[] {
  const out: Subtree[] = [];
  let s = from;
  while (s < to) {
    let size = 1n;
    while (s % (size * 2n) === 0n && s + size * 2n <= to) size *= 2n;
    out.push({ start: s, size });
    s += size;
  }
  return out;
}

/** The subtrees a compact range of `size` covers, largest first (matches CompactRange#hashes order). */
export function compactRangeSubtrees(size: bigint): Subtree[] {
  return alignedSubtrees(0n, size);
}

/** Root of [0, size) from subtree hashes that exactly tile it (keyed by `start:size`). */
export function rootFromSubtrees(size: bigint, nodes: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const rec = (lo: bigint, hi: bigint): Uint8Array => {
    const node = nodes.get(`${lo}:${hi - lo}`);
    if (node !== undefined) return node;
    if (hi - lo <= 1n) throw new TlogError('BAD_PROOF_SIZE', `no hash for leaf range [${lo}, ${hi})`);
    let k = 1n;
    while (k * 2n < hi - lo) k *= 2n;
    return hashChildren(rec(lo, lo + k), rec(lo + k, hi));
  };
  return rec(0n, size);
}

export function subtreeKey(t: Subtree): string {
  return `${t.start}:${t.size}`;
}

export function rootMismatch(what: string, got: Uint8Array, want: Uint8Array): TlogError {
  return new TlogError('ROOT_MISMATCH', `${what}: computed root ${toHex(got)}, signed root ${toHex(want)}`);
}
