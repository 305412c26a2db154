/**
 * One event's probes of large filters, queued while its values are hashed and tested together after.
 *
 * The parsing of a batch of events evicts the index from the caches, so at 100,000 rules a probe of the
 * exact-value or prefix filters (hundreds of kilobytes) is a cache miss. Tested one by one, each between
 * the hashing of one value and the next, those misses are paid one after the other; queued (hash
 * computed, nothing read) and then tested in one tight loop of independent, branch-free reads, they are in
 * flight together. Only the probes that pass are resolved (the owner's Map probe), afterwards.
 *
 * A structure takes part once `register`ed (its filter and itself, under a small id); per value it queues
 * probes with `add` (id, hash, value number, and where in the value the probed key is), and resolves one
 * that passed with `resolve`. The queue holds only integers: no object is made per probe.
 */
import type { ProbeFilter } from './probe-filter.js';

export interface Probed<T> {
  /** Append to `out` the items filed under the key probed at (`a`, `b`) of `value`, as queued. */
  resolve(value: string, a: number, b: number, out: T[]): void;
}

/** Integers per queued probe: owner id, hash, value number, a, b. */
const STRIDE = 5;

export class ProbeBatch<T> {
  private readonly filters: ProbeFilter[] = [];
  private readonly owners: Array<Probed<T>> = [];
  private queue = new Int32Array(STRIDE * 32);
  private queued = 0;
  /** Queue offsets of the probes that passed, after `test`. */
  private passed = new Int32Array(32);

  /** A structure's id, for `add`. */
  register(filter: ProbeFilter, owner: Probed<T>): number {
    this.filters.push(filter);
    this.owners.push(owner);
    return this.filters.length - 1;
  }

  add(id: number, h: number, valueNo: number, a: number, b: number): void {
    let o = this.queued * STRIDE;
    if (o === this.queue.length) this.grow();
    const q = this.queue;
    q[o++] = id;
    q[o++] = h;
    q[o++] = valueNo;
    q[o++] = a;
    q[o] = b;
    this.queued++;
  }

  /** Test every queued probe and empty the queue; returns how many passed (see `resolve`). */
  test(): number {
    const n = this.queued * STRIDE;
    const q = this.queue;
    const filters = this.filters;
    const passed = this.passed;
    let m = 0;
    for (let o = 0; o < n; o += STRIDE) if (filters[q[o]!]!.mayHave(q[o + 1]!)) passed[m++] = o;
    this.queued = 0;
    return m;
  }

  /** Resolve the `k`-th probe that passed: `values` are the event's values, numbered as queued. */
  resolve(k: number, values: readonly string[], out: T[]): void {
    const o = this.passed[k]!;
    const q = this.queue;
    this.owners[q[o]!]!.resolve(values[q[o + 2]!]!, q[o + 3]!, q[o + 4]!, out);
  }

  private grow(): void {
    const queue = new Int32Array(this.queue.length * 2);
    queue.set(this.queue);
    this.queue = queue;
    this.passed = new Int32Array(queue.length / STRIDE);
  }
}

/** Look one value up in one structure through a batch of its own (tests; callers with a single value). */
export function probeOne<T>(filter: ProbeFilter, owner: Probed<T>, value: string, plan: (batch: ProbeBatch<T>, id: number) => void, out: T[]): void {
  const batch = new ProbeBatch<T>();
  plan(batch, batch.register(filter, owner));
  const m = batch.test();
  for (let k = 0; k < m; k++) batch.resolve(k, [value], out);
}
