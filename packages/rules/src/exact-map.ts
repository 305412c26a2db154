/**
 * Exact values → items, for one field. A bucket holds one item directly, several in an array (T must not
 * be an array): at 100,000 rules most values have one rule, and a one-element array costs ~50 bytes.
 *
 * Most of an event's values are named by no rule. In a map of 100,000 values a failed `Map.get` costs
 * V8's hash of the whole fresh string plus cache misses into a multi-megabyte table; a bit filter keyed
 * by a *sampled* hash (the length and 24 characters spread over the value) refuses most of them after
 * reading 24 characters and one bit. A sampled hash can collide for values that differ only elsewhere —
 * that only costs the ordinary `Map.get`, never a wrong answer. Used at every size: in a small map it
 * still saves hashing the whole value (64-character digests and fingerprints).
 */
import { appendPosting } from './postings.js';
import type { ProbeBatch, Probed } from './probe-batch.js';
import { ProbeFilter } from './probe-filter.js';

/** Hash of the length and of up to 24 characters: all of a short value, else 16 spread + the last 8. */
export function sampledHash(s: string): number {
  const n = s.length;
  let h = Math.imul(n ^ 0x811c9dc5, 16777619);
  if (n <= 24) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  } else {
    const step = (n - 9) / 15;
    for (let j = 0; j < 16; j++) h = Math.imul(h ^ s.charCodeAt(Math.floor(j * step)), 16777619);
    for (let i = n - 8; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  }
  return (h ^ (h >>> 15)) >>> 0;
}

export class ExactMap<T> implements Probed<T> {
  private readonly map = new Map<string, T | T[]>();
  private readonly filter = new ProbeFilter();
  /** Number of (value, item) pairs. */
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(value: string, item: T): void {
    const b = this.map.get(value);
    if (b === undefined) {
      this.map.set(value, item);
      this.filter.add(sampledHash(value), () => this.keyHashes());
    } else if (Array.isArray(b)) b.push(item);
    else this.map.set(value, [b, item]);
    this.count++;
  }

  /** Remove one (value, item) pair; false if it was not stored. */
  remove(value: string, item: T): boolean {
    const b = this.map.get(value);
    if (b === undefined) return false;
    if (Array.isArray(b)) {
      const i = b.indexOf(item);
      if (i < 0) return false;
      b.splice(i, 1);
      if (b.length === 1) this.map.set(value, b[0]!);
    } else if (b === item) {
      this.map.delete(value);
      this.filter.remove(() => this.keyHashes());
    } else return false;
    this.count--;
    return true;
  }

  /** The items filed under `value`: undefined, one item, or an array of them (do not modify). */
  get(value: string): T | readonly T[] | undefined {
    if (!this.filter.mayHave(sampledHash(value))) return undefined;
    return this.map.get(value);
  }

  /** Take part in probe batches (see probe-batch.ts): the id `plan` is given. */
  register(batch: ProbeBatch<T>): number {
    return batch.register(this.filter, this);
  }

  /** Queue the filter probe for `value` (number `valueNo` of the event) in `batch`, as structure `id`. */
  plan(value: string, valueNo: number, batch: ProbeBatch<T>, id: number): void {
    batch.add(id, sampledHash(value), valueNo, 0, 0);
  }

  resolve(value: string, _a: number, _b: number, out: T[]): void {
    const b = this.map.get(value);
    if (b !== undefined) appendPosting(b, out);
  }

  private *keyHashes(): Iterable<number> {
    for (const k of this.map.keys()) yield sampledHash(k);
  }
}
