/**
 * Stored prefixes → items, for one field: a lookup finds the items of every stored prefix of a value.
 *
 * The index knows the distinct lengths of its prefixes and, for each length, which characters they end
 * with. A lookup visits those lengths in increasing order; where `s`'s character at the end of a length is
 * one that prefixes of that length end with (identities' prefixes end with `/` or `@`, so this refuses
 * most lengths for free), it hashes `s` up to there (FNV-1a, continued from the previous length, never
 * rehashed) and queues a probe of the bit filter with the hash (probe-batch.ts); only a "maybe" slices
 * `s` and probes the Map.
 * Its cost is the characters read, up to the longest stored prefix, and a few bit tests per distinct
 * length — not the number of prefixes: a trie walk visits one node per branching point, and at 100,000
 * prefixes those nodes are cache misses.
 */
import { addPosting, appendPosting, removePosting, type Posting } from './postings.js';
import { probeOne, type ProbeBatch, type Probed } from './probe-batch.js';
import { ProbeFilter } from './probe-filter.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;
/** Last characters are told apart up to 126; every other character shares class 127. */
const END_CLASSES = 128;

/** Murmur3's finaliser: spreads FNV's state into the low bits the filter indexes by. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const endClass = (c: number): number => (c < END_CLASSES - 1 ? c : END_CLASSES - 1);

/** The filter key of `s`'s first `n` characters (what `plan` computes after reading them). */
export function prefixHash(s: string, n: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return mix(h);
}

export class PrefixIndex<T> implements Probed<T> {
  private readonly postings = new Map<string, Posting<T>>();
  private readonly filter = new ProbeFilter();
  /** Distinct stored prefixes per (length × END_CLASSES + end class). */
  private readonly perEnd = new Map<number, number>();
  /** The distinct lengths, increasing, and for each a bit set of its prefixes' end classes (4 words). */
  private lengths = new Int32Array(0);
  private ends = new Uint32Array(0);
  private count = 0;

  /** Number of (prefix, item) pairs stored. */
  get size(): number {
    return this.count;
  }

  /** Precondition: `prefix` is not empty. */
  insert(prefix: string, item: T): void {
    if (addPosting(this.postings, prefix, item)) {
      this.filter.add(prefixHash(prefix, prefix.length), () => this.keyHashes());
      this.countEnd(prefix, 1);
    }
    this.count++;
  }

  /** Remove one (prefix, item) pair; false if it was not stored. */
  remove(prefix: string, item: T): boolean {
    const outcome = removePosting(this.postings, prefix, item);
    if (outcome === 'absent') return false;
    if (outcome === 'emptied') {
      this.filter.remove(() => this.keyHashes());
      this.countEnd(prefix, -1);
    }
    this.count--;
    return true;
  }

  /** Append to `out` the items of every stored prefix of `s`, shortest prefixes first. */
  collect(s: string, out: T[]): void {
    probeOne(this.filter, this, s, (batch, id) => this.plan(s, 0, batch, id), out);
  }

  /** Take part in probe batches (see probe-batch.ts): the id `plan` is given. */
  register(batch: ProbeBatch<T>): number {
    return batch.register(this.filter, this);
  }

  /**
   * Queue a filter probe for each stored length at which `s` (number `valueNo` of the event) ends with a
   * character that prefixes of that length end with; resolved in order, they give the items of every
   * stored prefix of `s`, shortest first.
   */
  plan(s: string, valueNo: number, batch: ProbeBatch<T>, id: number): void {
    const lengths = this.lengths;
    const ends = this.ends;
    let h = FNV_OFFSET;
    let i = 0;
    for (let k = 0; k < lengths.length; k++) {
      const n = lengths[k]!;
      if (n > s.length) return;
      const c = endClass(s.charCodeAt(n - 1));
      if ((ends[k * 4 + (c >>> 5)]! & (1 << (c & 31))) === 0) continue;
      // (a tight loop to this length: measured 3× faster than one loop that tests every position)
      for (; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
      batch.add(id, mix(h), valueNo, n, 0);
    }
  }

  resolve(s: string, n: number, _b: number, out: T[]): void {
    const p = this.postings.get(s.slice(0, n));
    if (p !== undefined) appendPosting(p, out);
  }

  private countEnd(prefix: string, delta: 1 | -1): void {
    const key = prefix.length * END_CLASSES + endClass(prefix.charCodeAt(prefix.length - 1));
    const n = (this.perEnd.get(key) ?? 0) + delta;
    if (n > 0) this.perEnd.set(key, n);
    else this.perEnd.delete(key);
    if (n === 0 || (n === 1 && delta > 0)) this.rebuildEnds();
  }

  private rebuildEnds(): void {
    const keys = [...this.perEnd.keys()];
    this.lengths = Int32Array.from(new Set(keys.map((key) => Math.floor(key / END_CLASSES)))).sort();
    this.ends = new Uint32Array(this.lengths.length * 4);
    for (const key of keys) {
      const k = this.lengths.indexOf(Math.floor(key / END_CLASSES));
      const c = key % END_CLASSES;
      this.ends[k * 4 + (c >>> 5)]! |= 1 << (c & 31);
    }
  }

  private *keyHashes(): Iterable<number> {
    for (const k of this.postings.keys()) yield prefixHash(k, k.length);
  }
}
