/**
 * What a log serves: a tree of some size, its hashes and its leaf records. Normally the live store; under a
 * misbehaviour, a view that lies in exactly one way (a forked tree, an older size, one swapped record).
 */
import type { LeafStore, NewLeaf } from './leaf-store.js';
import { leafHashOf } from './leaf-store.js';
import type { MerkleTree } from './merkle-tree.js';

export interface TreeView {
  /** Size the log claims now. */
  readonly size: number;
  /** Hashes for [0, size) (may hold more leaves). */
  readonly tree: MerkleTree;
  records(start: number, end: number): Buffer[];
  time(i: number): number;
  indexOf(leafHash: Uint8Array): number | undefined;
}

export function liveView(store: LeafStore): TreeView {
  return {
    get size() {
      return store.size;
    },
    tree: store.tree,
    records: (a, b) => store.records(a, b),
    time: (i) => store.time(i),
    indexOf: (h) => store.indexOf(h),
  };
}

/** The tree as it was at `size` (a rollback serves this as its "latest"). */
export function frozenView(store: LeafStore, size: number): TreeView {
  return { ...liveView(store), size, indexOf: (h) => { const i = store.indexOf(h); return i !== undefined && i < size ? i : undefined; } };
}

/**
 * A different history: the first `keep` leaves of the real tree, then `fakes` (real, signed entries that the
 * real log never had). Every proof served from it is internally consistent — and inconsistent with the real
 * tree beyond `keep`.
 */
export function forkedView(store: LeafStore, keep: number, fakes: readonly NewLeaf[]): TreeView {
  const tree = store.tree.truncatedCopy(keep);
  for (const f of fakes) tree.append(leafHashOf(f.leaf));
  const size = keep + fakes.length;
  const fakeRecords = fakes.map((f) => Buffer.from(f.record));
  return {
    size,
    tree,
    records: (a, b) => {
      const out = a < keep ? store.records(a, Math.min(b, keep)) : [];
      for (let i = Math.max(a, keep); i < b; i++) out.push(fakeRecords[i - keep]!);
      return out;
    },
    time: (i) => (i < keep ? store.time(i) : (fakes[i - keep]?.time ?? 0)),
    indexOf: (h) => {
      for (let i = 0; i < size; i++) if (Buffer.compare(tree.leafHash(i), Buffer.from(h)) === 0) return i;
      return undefined;
    },
  };
}

/** The real tree, but the record served for leaf `index` is another entry (not the one hashed in the tree). */
export function patchedView(store: LeafStore, index: number, fake: NewLeaf): TreeView {
  const live = liveView(store);
  return {
    get size() {
      return store.size;
    },
    tree: store.tree,
    records: (a, b) => {
      const out = store.records(a, b);
      if (index >= a && index < b) out[index - a] = Buffer.from(fake.record);
      return out;
    },
    time: live.time,
    indexOf: live.indexOf,
  };
}
