/**
 * Merkle inclusion proofs: RFC 9162 §2.1.3 (verifying an inclusion proof), RFC 6962 §2.1.1 (audit paths).
 *
 * The proof, the index, the size and the hashes all come from a log (or an entry someone hands us) and are
 * untrusted: every precondition is checked first and reported as a `TlogError`.
 */
import { TlogError } from './errors.js';
import { bytesEqual, toHex, toU64 } from './encoding.js';
import { assertHash, hashChildren } from './hash.js';
import { decomposeInclusionProof } from './tree-math.js';

/** No valid proof for a tree of < 2^64 leaves has more than 64 hashes. */
export const MAX_PROOF_HASHES = 64;

/**
 * Recomputes the root hash of a tree of `treeSize` leaves from the hash of leaf `leafIndex` and its audit
 * path `proof` (ordered from the leaf upwards, as RFC 6962/9162 and Rekor return it).
 *
 * Preconditions (each violation throws `TlogError`):
 * - 0 ≤ leafIndex < treeSize < 2^64 (`INDEX_OUT_OF_RANGE`);
 * - `leafHash` and every proof element are 32 bytes (`BAD_HASH_SIZE`);
 * - `proof.length` is exactly the audit-path length for (leafIndex, treeSize) (`BAD_PROOF_SIZE`).
 */
export function rootFromInclusionProof(
  leafIndex: bigint | number,
  treeSize: bigint | number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  const index = toU64(leafIndex, 'leaf index');
  const size = toU64(treeSize, 'tree size');
  if (index >= size) throw new TlogError('INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`);
  assertHash(leafHash, 'leaf hash');
  if (proof.length > MAX_PROOF_HASHES) throw new TlogError('BAD_PROOF_SIZE', `proof has ${proof.length} hashes (max ${MAX_PROOF_HASHES})`);
  const { inner, border } = decomposeInclusionProof(index, size);
  if (proof.length !== inner + border) {
    throw new TlogError('BAD_PROOF_SIZE', `wrong inclusion proof size ${proof.length}, want ${inner + border} for index ${index} in size ${size}`);
  }
  proof.forEach((h, i) => assertHash(h, `proof[${i}]`));
  // Inner part: below the divergence level the path to `index` may turn either way (bit i of index).
  let node = leafHash;
  for (let i = 0; i < inner; i++) {
    const sibling = proof[i] as Uint8Array;
    node = ((index >> BigInt(i)) & 1n) === 0n ? hashChildren(node, sibling) : hashChildren(sibling, node);
  }
  // Border part: above it the node is on the right border of the tree, so every sibling is on the left.
  for (let i = inner; i < proof.length; i++) node = hashChildren(proof[i] as Uint8Array, node);
  return node;
}

/**
 * Verifies that `leafHash` is leaf `leafIndex` of the tree of `treeSize` leaves whose root is `root`.
 * Same preconditions as `rootFromInclusionProof`; `root` must be 32 bytes. Throws `ROOT_MISMATCH` if the
 * recomputed root differs; returns normally on success.
 */
export function verifyInclusion(
  leafIndex: bigint | number,
  treeSize: bigint | number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  assertHash(root, 'root hash');
  const got = rootFromInclusionProof(leafIndex, treeSize, leafHash, proof);
  if (!bytesEqual(got, root)) {
    throw new TlogError('ROOT_MISMATCH', `inclusion proof yields root ${toHex(got)}, want ${toHex(root)}`);
  }
}
