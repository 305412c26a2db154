/**
 * Merkle consistency proofs: RFC 9162 §2.1.4 (verifying consistency between two tree heads), RFC 6962 §2.1.2.
 *
 * Proofs from size 0 are rejected: every size is trivially consistent with the empty tree, so such a "proof"
 * proves nothing, and Rekor refuses firstSize = 0 (rekor-monitor#698).
 */
import { TlogError } from './errors.js';
import { bytesEqual, toHex, toU64 } from './encoding.js';
import { assertHash, hashChildren } from './hash.js';
import { MAX_PROOF_HASHES } from './inclusion.js';
import { decomposeInclusionProof, trailingZeros } from './tree-math.js';

/**
 * Verifies that the tree of `size2` leaves with root `root2` extends the tree of `size1` leaves with root
 * `root1`, using the consistency `proof` (as RFC 6962 `get-sth-consistency` / Rekor `/log/proof` return it).
 *
 * Preconditions (each violation throws `TlogError`):
 * - 1 ≤ size1 ≤ size2 < 2^64 (`INCONSISTENT_TREE` if size1 > size2 or size1 = 0, `INDEX_OUT_OF_RANGE` if not u64);
 * - size1 = size2: the proof is empty and root1 equals root2 (`BAD_PROOF_SIZE` / `INCONSISTENT_TREE`);
 * - otherwise roots and proof elements are 32 bytes (`BAD_HASH_SIZE`) and the proof has exactly the length
 *   RFC 9162 prescribes for (size1, size2) (`BAD_PROOF_SIZE`).
 * Throws `INCONSISTENT_TREE` if the proof does not reproduce both roots; returns normally on success.
 */
export function verifyConsistency(
  size1In: bigint | number,
  size2In: bigint | number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  const size1 = toU64(size1In, 'first tree size');
  const size2 = toU64(size2In, 'second tree size');
  if (size1 > size2) throw new TlogError('INCONSISTENT_TREE', `second tree size ${size2} is smaller than first tree size ${size1}`);
  if (size1 === 0n) throw new TlogError('INCONSISTENT_TREE', 'consistency with the empty tree (size 0) cannot be proven');
  if (proof.length > MAX_PROOF_HASHES) throw new TlogError('BAD_PROOF_SIZE', `proof has ${proof.length} hashes (max ${MAX_PROOF_HASHES})`);
  if (size1 === size2) {
    if (proof.length !== 0) throw new TlogError('BAD_PROOF_SIZE', `sizes are equal (${size1}) but the proof has ${proof.length} hashes`);
    if (!bytesEqual(root1, root2)) throw new TlogError('INCONSISTENT_TREE', `equal sizes ${size1} with different roots`);
    return;
  }
  assertHash(root1, 'first root hash');
  assertHash(root2, 'second root hash');
  // The first tree's right border subtrees of height ≥ `level` are shared with the second tree; work in units
  // of 2^level leaves so that the first tree's last node becomes a "leaf" whose inclusion is being proven.
  const level = BigInt(trailingZeros(size1));
  const index = (size1 - 1n) >> level;
  const size = ((size2 - 1n) >> level) + 1n;
  const { inner, border } = decomposeInclusionProof(index, size);
  // When size1 is a power of two, its root is itself the seed node and is not repeated in the proof.
  const start = index === 0n ? 0 : 1;
  if (proof.length !== start + inner + border) {
    throw new TlogError('BAD_PROOF_SIZE', `wrong consistency proof size ${proof.length}, want ${start + inner + border} for ${size1} → ${size2}`);
  }
  proof.forEach((h, i) => assertHash(h, `proof[${i}]`));
  const seed = start === 0 ? root1 : (proof[0] as Uint8Array);
  const rest = proof.slice(start);

  // Root of the first tree: only the left turns of the path contribute (the right siblings were added later).
  let hash1 = seed;
  let hash2 = seed;
  for (let i = 0; i < inner; i++) {
    const sibling = rest[i] as Uint8Array;
    if (((index >> BigInt(i)) & 1n) === 1n) {
      hash1 = hashChildren(sibling, hash1);
      hash2 = hashChildren(sibling, hash2);
    } else {
      hash2 = hashChildren(hash2, sibling);
    }
  }
  for (let i = inner; i < rest.length; i++) {
    const sibling = rest[i] as Uint8Array;
    hash1 = hashChildren(sibling, hash1);
    hash2 = hashChildren(sibling, hash2);
  }
  if (!bytesEqual(hash1, root1)) {
    throw new TlogError('INCONSISTENT_TREE', `consistency proof yields first root ${toHex(hash1)}, want ${toHex(root1)}`);
  }
  if (!bytesEqual(hash2, root2)) {
    throw new TlogError('INCONSISTENT_TREE', `consistency proof yields second root ${toHex(hash2)}, want ${toHex(root2)}`);
  }
}
