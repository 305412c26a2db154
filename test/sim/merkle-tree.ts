/**
 * The simulator's in-memory RFC 6962 Merkle tree (RFC 6962 §2.1): every complete subtree hash is kept, level
 * by level, so that tiles are slices, and inclusion/consistency proofs (RFC 6962 §2.1.1 PATH, §2.1.2 PROOF)
 * need only O(log n) hashes computed for the right border. Memory: ~64 bytes a leaf.
 *
 * This is the server side; clients verify what it produces with `@sigwatch/tlog`.
 */
import { createHash } from 'node:crypto';

const EMPTY = createHash('sha256').digest();

function hashChildren(l: Uint8Array, r: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(l).update(r).digest();
}

/** One level of complete-subtree hashes in a growable buffer. */
class Level {
  buf = Buffer.alloc(32 * 1024);
  count = 0;
  push(h: Uint8Array): void {
    if ((this.count + 1) * 32 > this.buf.length) {
      const next = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.count * 32);
      this.buf = next;
    }
    this.buf.set(h, this.count * 32);
    this.count++;
  }
  get(i: number): Buffer {
    return this.buf.subarray(i * 32, i * 32 + 32);
  }
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export class MerkleTree {
  readonly #levels: Level[] = [new Level()];
  /** Non-aligned subtree hashes (they all end on the right border of some size); cleared on append. */
  readonly #memo = new Map<number, Buffer>();

  get size(): number {
    return this.#levels[0]!.count;
  }

  /** Appends one leaf hash (32 bytes, already RFC 6962 leaf-hashed). */
  append(leafHash: Uint8Array): void {
    if (this.#memo.size > 0) this.#memo.clear();
    let level = 0;
    let node: Uint8Array = leafHash;
    for (;;) {
      let lv = this.#levels[level];
      if (lv === undefined) {
        lv = new Level();
        this.#levels.push(lv);
      }
      lv.push(node);
      if (lv.count % 2 === 1) return;
      node = hashChildren(lv.get(lv.count - 2), lv.get(lv.count - 1));
      level++;
    }
  }

  /** Hash of leaf `i`. */
  leafHash(i: number): Buffer {
    return this.#levels[0]!.get(i);
  }

  /** Number of complete nodes at `level` (2^level leaves each). */
  nodeCount(level: number): number {
    return this.#levels[level]?.count ?? 0;
  }

  /** Complete node `index` at `level`; requires index < nodeCount(level). */
  node(level: number, index: number): Buffer {
    return this.#levels[level]!.get(index);
  }

  /** `count` consecutive complete nodes at `level` from `start`, concatenated (a hash tile's bytes). */
  nodes(level: number, start: number, count: number): Buffer {
    return this.#levels[level]!.buf.subarray(start * 32, (start + count) * 32);
  }

  /** MTH(D[start:end]) — the hash of the leaves [start, end); requires 0 ≤ start < end ≤ size. */
  rangeHash(start: number, end: number): Buffer {
    const n = end - start;
    if (n === 1) return this.leafHash(start);
    // A complete, aligned subtree is stored.
    if ((n & (n - 1)) === 0 && start % n === 0) {
      const level = Math.log2(n);
      return this.node(level, start / n);
    }
    // Only ranges ending at the current size recur (every proof's right border): memoise those.
    const memoKey = end === this.size ? start : -1;
    const hit = memoKey >= 0 ? this.#memo.get(memoKey) : undefined;
    if (hit !== undefined) return hit;
    const k = splitPoint(n);
    const h = hashChildren(this.rangeHash(start, start + k), this.rangeHash(start + k, end));
    if (memoKey >= 0 && this.#memo.size < 4096) this.#memo.set(memoKey, h);
    return h;
  }

  /** Root of the tree of the first `size` leaves (the empty hash for 0). */
  root(size = this.size): Buffer {
    if (size === 0) return Buffer.from(EMPTY);
    return this.rangeHash(0, size);
  }

  /** RFC 6962 §2.1.1 audit path for leaf `index` in the tree of `size` leaves, leaf upwards. */
  inclusionProof(index: number, size: number): Buffer[] {
    const out: Buffer[] = [];
    this.#path(index, 0, size, out);
    return out;
  }

  #path(m: number, start: number, end: number, out: Buffer[]): void {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.#path(m, start, start + k, out);
      out.push(this.rangeHash(start + k, end));
    } else {
      this.#path(m - k, start + k, end, out);
      out.push(this.rangeHash(start, start + k));
    }
  }

  /** RFC 6962 §2.1.2 consistency proof between sizes `m` and `n` (1 ≤ m ≤ n ≤ size). */
  consistencyProof(m: number, n: number): Buffer[] {
    const out: Buffer[] = [];
    if (m === n) return out;
    this.#subproof(m, 0, n, true, out);
    return out;
  }

  #subproof(m: number, start: number, end: number, b: boolean, out: Buffer[]): void {
    const n = end - start;
    if (m === n) {
      if (!b) out.push(this.rangeHash(start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.#subproof(m, start, start + k, b, out);
      out.push(this.rangeHash(start + k, end));
    } else {
      this.#subproof(m - k, start + k, end, false, out);
      out.push(this.rangeHash(start, start + k));
    }
  }

  /** A copy holding only the first `size` leaves (for forked views). */
  truncatedCopy(size: number): MerkleTree {
    const t = new MerkleTree();
    for (let i = 0; i < size; i++) t.append(this.leafHash(i));
    return t;
  }
}
