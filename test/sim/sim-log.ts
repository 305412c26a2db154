/**
 * What the three simulated logs share: the served view (honest, or lying per the active misbehaviour), the
 * request gate for 429s, and the bookkeeping of misbehaviour modes.
 */
import type { LeafStore, NewLeaf } from './leaf-store.js';
import { forkedView, frozenView, liveView, patchedView, type TreeView } from './tree-view.js';
import { RequestGate, type ActiveMisbehavior, type MisbehaveMode, type MisbehaveOptions } from './misbehave.js';
import type { LogKind } from './entry-factory.js';

export class MisbehaveError extends Error {
  override name = 'MisbehaveError';
}

export abstract class SimLog {
  abstract readonly kind: LogKind;
  misbehavior: ActiveMisbehavior | null = null;
  readonly gate = new RequestGate();
  #override: TreeView | null = null;

  /** The store appended to now (Rekor v1: the active shard). */
  abstract activeStore(): LeafStore;
  /** A real, signed entry that is not in the log (for forks and swapped leaves). */
  abstract fakeLeaf(): NewLeaf;
  /** A garbage leaf. */
  abstract garbageLeaf(): NewLeaf;
  /** Appends to the active store; returns the indexes clients see (Rekor v1: global). */
  abstract appendLeaves(leaves: readonly NewLeaf[]): number[];

  /** What the log serves for its active tree now. */
  view(): TreeView {
    return this.#override ?? liveView(this.activeStore());
  }

  is(mode: MisbehaveMode): boolean {
    return this.misbehavior?.mode === mode;
  }

  /** Sets (or with `null` clears) the misbehaviour. Throws `MisbehaveError` if the tree is too small for it. */
  setMisbehavior(mode: MisbehaveMode | null, options: MisbehaveOptions = {}): void {
    this.#override = null;
    this.misbehavior = null;
    if (mode === null) return;
    const store = this.activeStore();
    const n = store.size;
    const need = (min: number) => {
      if (n < min) throw new MisbehaveError(`${mode} needs a tree of at least ${min} entries (${this.kind} has ${n})`);
    };
    switch (mode) {
      case 'fork':
        need(1);
        this.#override = forkedView(store, n - 1, [this.fakeLeaf(), this.fakeLeaf()]);
        break;
      case 'rollback':
        need(2);
        this.#override = frozenView(store, n - 1);
        break;
      case 'same-size-other-root':
        need(1);
        this.#override = forkedView(store, n - 1, [this.fakeLeaf()]);
        break;
      case 'leaf-mismatch': {
        need(1);
        const index = options.index ?? n - 1;
        if (index >= n) throw new MisbehaveError(`leaf-mismatch index ${index} is not below the tree size ${n}`);
        this.#override = patchedView(store, index, this.fakeLeaf());
        break;
      }
      case 'garbage-entry':
        this.appendLeaves(Array.from({ length: options.count ?? 1 }, () => this.garbageLeaf()));
        break;
      default:
        break;
    }
    this.misbehavior = { mode, options };
  }
}
