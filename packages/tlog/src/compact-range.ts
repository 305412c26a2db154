/**
 * Compact Merkle range [0, size): the roots of the perfect subtrees that cover the first `size` leaves, one per
 * set bit of `size`, largest (leftmost) first. This is all a verifier needs to keep to extend a verified tree
 * and recompute its root at every size (transparency-dev `docs/compact_ranges.md`; certspotter's collapsed tree).
 * Hashing per RFC 6962 §2.1.
 */
import { TlogError } from './errors.js';
import { bytesEqual, fromHex, toHex, toU64 } from './encoding.js';
import { assertHash, emptyRoot, hashChildren } from './hash.js';
import { MAX_PROOF_HASHES } from './inclusion.js';
import { popCount } from './tree-math.js';

/** JSON-safe form of a compact range: size as a decimal string, hashes as lowercase hex. */
export interface CompactRangeState {
  size: string;
  hashes: string[];
}

export class CompactRange {
  // Kept as a number: sizes are < 2^53 in practice and appends are hot; `fromState` enforces the bound.
  #size: number;
  #hashes: Uint8Array[];

  private constructor(size: number, hashes: Uint8Array[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  /** An empty range (size 0). */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /**
   * Builds the range [0, size) from raw subtree hashes (largest first). Requires `hashes.length` to equal the
   * number of set bits of `size` (`BAD_PROOF_SIZE`), each hash 32 bytes (`BAD_HASH_SIZE`), size < 2^53.
   */
  static fromHashes(size: bigint | number, hashes: readonly Uint8Array[]): CompactRange {
    const n = toU64(size, 'compact range size');
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new TlogError('INDEX_OUT_OF_RANGE', `compact range size ${n} exceeds 2^53`);
    if (hashes.length !== popCount(n)) {
      throw new TlogError('BAD_PROOF_SIZE', `compact range of size ${n} needs ${popCount(n)} hashes, got ${hashes.length}`);
    }
    hashes.forEach((h, i) => assertHash(h, `compact range hash ${i}`));
    return new CompactRange(Number(n), hashes.map((h) => h.slice()));
  }

  /** Restores a range saved with `toJSON()`; malformed state throws `TlogError`. */
  static fromState(state: CompactRangeState): CompactRange {
    if (typeof state !== 'object' || state === null || !Array.isArray(state.hashes)) {
      throw new TlogError('MALFORMED_ENTRY', 'compact range state must be {size, hashes[]}');
    }
    const hashes = state.hashes.map((h, i) => fromHex(h, 'BAD_HASH_SIZE', `compact range hash ${i}`));
    return CompactRange.fromHashes(toU64(state.size, 'compact range size'), hashes);
  }

  /**
   * Initialises the range [0, treeSize) from the inclusion proof of the LAST leaf (index treeSize − 1): that
   * leaf's audit path consists exactly of the subtree roots covering [0, treeSize − 1), bottom-up, so
   * reversing it and appending the leaf gives the range. If `root` is given the result's root must equal it
   * (`ROOT_MISMATCH`). Requires leafIndex = treeSize − 1 (`INDEX_OUT_OF_RANGE`) and a proof of the right
   * length (`BAD_PROOF_SIZE`).
   */
  static fromInclusionProof(
    leafIndex: bigint | number,
    treeSize: bigint | number,
    leafHash: Uint8Array,
    proof: readonly Uint8Array[],
    root?: Uint8Array,
  ): CompactRange {
    const index = toU64(leafIndex, 'leaf index');
    const size = toU64(treeSize, 'tree size');
    if (size === 0n || index !== size - 1n) {
      throw new TlogError('INDEX_OUT_OF_RANGE', `a compact range needs the proof of the last leaf (${size - 1n}), got leaf ${index}`);
    }
    if (proof.length > MAX_PROOF_HASHES) throw new TlogError('BAD_PROOF_SIZE', `proof has ${proof.length} hashes`);
    assertHash(leafHash, 'leaf hash');
    const range = CompactRange.fromHashes(index, [...proof].reverse());
    range.append(leafHash);
    if (root !== undefined) {
      assertHash(root, 'root hash');
      const got = range.root();
      if (!bytesEqual(got, root)) throw new TlogError('ROOT_MISMATCH', `compact range root ${toHex(got)}, want ${toHex(root)}`);
    }
    return range;
  }

  /** Number of leaves covered. */
  get size(): bigint {
    return BigInt(this.#size);
  }

  /** The subtree roots, largest first (copies). */
  get hashes(): Uint8Array[] {
    return this.#hashes.map((h) => h.slice());
  }

  /** Appends one leaf hash (RFC 6962 leaf hash, 32 bytes), merging completed subtrees. */
  append(leafHash: Uint8Array): void {
    assertHash(leafHash, 'leaf hash');
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new TlogError('INDEX_OUT_OF_RANGE', 'compact range is full');
    let node = leafHash;
    // Each trailing 1 bit of the old size is a subtree of the same height as `node`: merge it.
    let s = this.#size;
    while (s % 2 === 1) {
      const left = this.#hashes.pop() as Uint8Array;
      node = hashChildren(left, node);
      s = (s - 1) / 2;
    }
    this.#hashes.push(node);
    this.#size++;
  }

  /** Root hash of the tree [0, size) (the empty-tree hash for size 0). */
  root(): Uint8Array {
    const hs = this.#hashes;
    if (hs.length === 0) return emptyRoot();
    let node = hs[hs.length - 1] as Uint8Array;
    for (let i = hs.length - 2; i >= 0; i--) node = hashChildren(hs[i] as Uint8Array, node);
    return node;
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.#hashes.map((h) => h.slice()));
  }

  toJSON(): CompactRangeState {
    return { size: String(this.#size), hashes: this.#hashes.map(toHex) };
  }
}
